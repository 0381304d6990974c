/** Stack entry point (Pulumi.yaml `main`). */
import { runProgramOrExplain } from "./program";

const platform = runProgramOrExplain();

export const namespace = platform.namespace;
export const kafkaBootstrapServers = platform.kafkaBootstrapServers;
export const kafkaClusterId = platform.kafkaClusterId;
export const zookeeperConnect = platform.zookeeperConnect;
export const minioEndpoint = platform.minioEndpoint;
export const metastoreJdbcUrl = platform.metastoreJdbcUrl;
export const hdfsDefaultFs = platform.hdfsDefaultFs;
export const hdfsClusterId = platform.hdfsClusterId;
export const yarnWebUrl = platform.yarnWebUrl;
export const sparkMasterUrl = platform.sparkMasterUrl;
export const metastoreUri = platform.metastoreUri;
export const sqlCoordinatorUrl = platform.sqlCoordinatorUrl;
export const impalaHs2 = platform.impalaHs2;
export const airflowUrl = platform.airflowUrl;
export const airflowAdminUser = platform.airflowAdminUser;
/** `pulumi stack output airflowAdminPassword --show-secrets` */
export const airflowAdminPassword = platform.airflowAdminPassword;
