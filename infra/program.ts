/** Loads the stack's config and builds the platform; shared by `pulumi up` and the offline check. */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigLayer } from "./config/load";
import { configuredKubeconfig, type LoadedPlatform, loadPlatform } from "./config/stack";
import { checkExistingSecrets, clusterSecretReader } from "./existing-secrets";
import { checkCertificateIssuer, clusterIssuerReader } from "./certificate-issuer";
import { checkMonitoringCrds } from "./monitoring-crds";
import { checkFixedSizes, checkScaleDown, checkStorage, liveCluster, statefulSetsWithVolumes } from "./scale-checks";
import { DataPlatform } from "./platform";
import { applyDataNodes, dataNodesTransform, describeDataNodes, planDataNodes } from "./datanode-decommission";
import { describeGrowth, growthTransforms, growVolumes, missingAroundClaims, planGrowth, recreationTransforms } from "./volume-growth";

export const ROOT_DIR = path.resolve(__dirname, "..");

/** The stack's config; the Provider's kubeconfig read through pulumi.Config, keeping a secret one secret. */
export function loadStack(extraLayers: ConfigLayer[] = []): LoadedPlatform {
  const loaded = loadPlatform(ROOT_DIR, pulumi.getStack(), pulumi.runtime.allConfig(), extraLayers);
  return { ...loaded, settings: { ...loaded.settings, kubeconfigInput: configuredKubeconfig() } };
}

export function runProgram(extraLayers: ConfigLayer[] = []): DataPlatform {
  return new DataPlatform("platform", loadStack(extraLayers));
}

/**
 * A real run: the config, then the existing Secrets it names and the size changes it asks for (read
 * from the cluster); at `up` only, DataNodes decommissioned and volumes grown when asked; then the
 * platform. Bad config ends the run with its message only, before anything is registered; a
 * refusal from the cluster during those `up` steps says what had changed.
 */
export async function runProgramOrExplain(): Promise<DataPlatform> {
  try {
    const loaded = loadStack();
    const stackFile = `Pulumi.${loaded.stack}.yaml`;
    await checkExistingSecrets(loaded, clusterSecretReader(loaded.settings, stackFile));
    await checkCertificateIssuer(loaded, clusterIssuerReader(loaded.settings, stackFile));
    await checkMonitoringCrds(loaded, clusterIssuerReader(loaded.settings, stackFile));
    const cluster = liveCluster(loaded.settings, stackFile);
    await checkFixedSizes(loaded, cluster);
    const growths = await planGrowth(loaded, cluster, await checkStorage(loaded, cluster));
    await checkScaleDown(loaded, cluster);
    const dataNodes = await planDataNodes(loaded, cluster);
    const recreated = await missingAroundClaims(loaded, cluster, statefulSetsWithVolumes(loaded));
    const ns = loaded.settings.namespace;
    // What follows changes the cluster: only once every check passed, and never in a preview. The
    // decommission first: it puts the exclude list back itself when it fails; the growth's claims
    // were dry-run already, and a run stopped after its StatefulSet went is completed by the next.
    const apply = !pulumi.runtime.isDryRun();
    if (dataNodes) {
      await pulumi.log.info(describeDataNodes(dataNodes));
      if (apply) await applyDataNodes(loaded, cluster, dataNodes, { progress: (m) => pulumi.log.info(m) });
      pulumi.runtime.registerResourceTransform(dataNodesTransform(ns, dataNodes));
    }
    if (growths.length) {
      for (const g of growths) await pulumi.log.info(describeGrowth(g));
      if (apply) await growVolumes(loaded, cluster, growths);
      for (const t of growthTransforms(ns, growths)) pulumi.runtime.registerResourceTransform(t);
    }
    for (const name of recreated)
      await pulumi.log.info(`StatefulSet ${name} is missing beside its claims: it is created again around them (unprotected for this run).`);
    for (const t of recreationTransforms(ns, recreated)) pulumi.runtime.registerResourceTransform(t);
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

/**
 * The entry point as an Automation API inline program (npm run restore runs `up` in-process). A
 * refused config is logged as the run's error rather than thrown: in-process, the SDK would leave
 * its rejection unhandled once the run ends.
 */
export async function inlineProgram(): Promise<Record<string, unknown>> {
  try {
    return stackOutputs(await runProgramOrExplain());
  } catch (e) {
    if (!pulumi.RunError.isInstance(e)) throw e;
    await pulumi.log.error((e as Error).message);
    return {};
  }
}
