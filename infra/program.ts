/** Loads the stack's config and builds the platform; shared by `pulumi up` and the offline check. */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigLayer } from "./config/load";
import { LoadedPlatform, loadPlatform } from "./config/stack";
import { checkExistingSecrets, clusterSecretReader } from "./existing-secrets";
import { checkFixedSizes, checkScaleDown, checkStorage, liveCluster } from "./scale-checks";
import { DataPlatform } from "./platform";
import { applyDataNodes, dataNodesTransform, describeDataNodes, planDataNodes } from "./datanode-decommission";
import { describeGrowth, growthTransforms, growVolumes, planGrowth } from "./volume-growth";

export const ROOT_DIR = path.resolve(__dirname, "..");

export function loadStack(extraLayers: ConfigLayer[] = []): LoadedPlatform {
  return loadPlatform(ROOT_DIR, pulumi.getStack(), pulumi.runtime.allConfig(), extraLayers);
}

export function runProgram(extraLayers: ConfigLayer[] = []): DataPlatform {
  return new DataPlatform("platform", loadStack(extraLayers));
}

/**
 * A real run: the config, then the existing Secrets it names and the size changes it asks for (read
 * from the cluster), volumes grown when asked (at `up` only), then the platform. Bad config ends the
 * run with its message only; nothing has been registered or changed at that point.
 */
export async function runProgramOrExplain(): Promise<DataPlatform> {
  try {
    const loaded = loadStack();
    const stackFile = `Pulumi.${loaded.stack}.yaml`;
    await checkExistingSecrets(loaded, clusterSecretReader(loaded.settings, stackFile));
    const cluster = liveCluster(loaded.settings, stackFile);
    await checkFixedSizes(loaded, cluster);
    const growths = await planGrowth(loaded, cluster, await checkStorage(loaded, cluster));
    await checkScaleDown(loaded, cluster);
    const dataNodes = await planDataNodes(loaded, cluster);
    // What follows changes the cluster: only once every check passed, and never in a preview.
    const apply = !pulumi.runtime.isDryRun();
    if (dataNodes) {
      await pulumi.log.info(describeDataNodes(dataNodes));
      if (apply) await applyDataNodes(loaded, cluster, dataNodes);
      pulumi.runtime.registerResourceTransform(dataNodesTransform(loaded.settings.namespace, dataNodes));
    }
    if (growths.length) {
      for (const g of growths) await pulumi.log.info(describeGrowth(g));
      if (apply) await growVolumes(loaded, cluster, growths);
      for (const t of growthTransforms(loaded.settings.namespace, growths)) pulumi.runtime.registerResourceTransform(t);
    }
    return new DataPlatform("platform", loaded);
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

/** The stack's outputs (an engine that is off has none): what the entry point exports. */
export function stackOutputs(p: DataPlatform): Record<string, unknown> {
  const outputs: Record<string, unknown> = {
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
  };
  return Object.fromEntries(Object.entries(outputs).filter(([, v]) => v !== undefined));
}
