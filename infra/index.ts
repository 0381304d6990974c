/** Stack entry point (Pulumi.yaml `main`): the stack's outputs (an engine that is off has none). */
import { runProgramOrExplain } from "./program";

export = runProgramOrExplain().then((p) => ({
  namespace: p.namespace,
  kafkaBootstrapServers: p.kafkaBootstrapServers,
  kafkaClusterId: p.kafkaClusterId,
  zookeeperConnect: p.zookeeperConnect,
  minioEndpoint: p.minioEndpoint,
  metastoreJdbcUrl: p.metastoreJdbcUrl,
  hdfsDefaultFs: p.hdfsDefaultFs,
  hdfsClusterId: p.hdfsClusterId,
  yarnWebUrl: p.yarnWebUrl,
  sparkMasterUrl: p.sparkMasterUrl,
  metastoreUri: p.metastoreUri,
  sqlCoordinatorUrl: p.sqlCoordinatorUrl,
  impalaHs2: p.impalaHs2,
  airflowUrl: p.airflowUrl,
  airflowAdminUser: p.airflowAdminUser,
  /** `pulumi stack output airflowAdminPassword --show-secrets` (generated credentials only) */
  airflowAdminPassword: p.airflowAdminPassword,
}));
