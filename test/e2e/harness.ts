/**
 * Drives the real program through the real Pulumi engine (Automation API, inline program) against the
 * loopback control plane of tools/toolchain. Each stack runs in its own work directory, with the
 * repository's Pulumi.<stack>.yaml copied in, so `pulumi config set` never touches the repository.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { runProgramOrExplain } from "../../infra/program";

export const ROOT = path.resolve(__dirname, "..", "..");
export const TOOLCHAIN = process.env.DP_TOOLCHAIN_HOME ?? path.join(os.homedir(), ".cache", "dataplatform", "toolchain");
export const KUBECONFIG = path.join(TOOLCHAIN, "cluster", process.env.DP_CLUSTER ?? "e2e", "kubeconfig");
/** The upstream Trino chart at the pinned version, beside the repository. */
export const TRINO_CHART = path.resolve(ROOT, "..", "shared", "charts", "trino-1.42.0");

/**
 * The control plane has no kubelet, so nothing ever becomes ready: this transform (test code only,
 * never part of a stack's program) makes the provider skip readiness waits.
 */
function skipReadinessWaits(): void {
  pulumi.runtime.registerResourceTransform((a) => {
    if (a.type === "kubernetes:helm.sh/v4:Chart") return { props: { ...a.props, skipAwait: true }, opts: a.opts };
    if (!a.type.startsWith("kubernetes:") || a.type.startsWith("pulumi:providers")) return undefined;
    const metadata = a.props.metadata ?? {};
    const annotations = { ...(metadata.annotations ?? {}), "pulumi.com/skipAwait": "true" };
    return { props: { ...a.props, metadata: { ...metadata, annotations } }, opts: a.opts };
  });
}

/** The stack's outputs, as the entry point exports them (engines that are off export nothing). */
async function program(): Promise<Record<string, unknown>> {
  skipReadinessWaits();
  // As the entry point does: config, then the existing Secrets, then the platform.
  const p = await runProgramOrExplain();
  const outputs: Record<string, unknown> = {
    namespace: p.namespace, kafkaBootstrapServers: p.kafkaBootstrapServers, kafkaClusterId: p.kafkaClusterId,
    zookeeperConnect: p.zookeeperConnect, minioEndpoint: p.minioEndpoint, metastoreUri: p.metastoreUri,
    sqlCoordinatorUrl: p.sqlCoordinatorUrl, hdfsDefaultFs: p.hdfsDefaultFs, hdfsClusterId: p.hdfsClusterId,
    yarnWebUrl: p.yarnWebUrl, sparkMasterUrl: p.sparkMasterUrl, impalaHs2: p.impalaHs2,
  };
  return Object.fromEntries(Object.entries(outputs).filter(([, v]) => v !== undefined));
}

/** What the tests add to a stack: this cluster, a fresh namespace, existing Secrets, local charts, no Airflow. */
export function testConfig(namespace: string): Record<string, unknown> {
  return {
    "dataplatform:kubeconfig": KUBECONFIG,
    "dataplatform:namespace": namespace,
    // The random provider cannot be built here: the Secrets are made first, as a Vault user would.
    "dataplatform:credentials": { source: "existing" },
    // The official Airflow chart cannot be obtained here.
    "dataplatform:engines": { airflow: false },
  };
}

export interface E2eStack {
  stack: Stack;
  workDir: string;
}

/** A work directory with the project file (state in it) and the stack file, and the stack in it. */
export async function openStack(name: string, namespace: string): Promise<E2eStack> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `dp-e2e-${name}-`));
  const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
  delete project.main; // the inline program stands in for the entry point
  project.backend = { url: `file://${path.join(workDir, "state")}` };
  fs.mkdirSync(path.join(workDir, "state"));
  fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), YAML.stringify(project));
  const stackFile = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${name}.yaml`), "utf8"));
  const config = { ...stackFile.config, ...testConfig(namespace) };
  const starburst = { ...(config["dataplatform:starburst"] ?? {}), chart: { path: TRINO_CHART } };
  config["dataplatform:starburst"] = starburst;
  fs.writeFileSync(path.join(workDir, `Pulumi.${name}.yaml`), YAML.stringify({ config }));
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: name, projectName: "dataplatform", program }, {
    workDir,
    envVars: {
      PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_HOME: path.join(workDir, "pulumi-home"),
    },
    secretsProvider: "passphrase",
  });
  return { stack, workDir };
}

/** The toolchain's binaries first on PATH: the CLI and the provider it finds there. */
export function useToolchain(): void {
  process.env.PATH = `${path.join(TOOLCHAIN, "bin")}${path.delimiter}${process.env.PATH}`;
}
