/**
 * Drives the real program through the real Pulumi engine (Automation API, inline program) against the
 * loopback control plane of tools/toolchain. Each stack runs in its own work directory, with the
 * repository's Pulumi.<stack>.yaml copied in, so `pulumi config set` never touches the repository.
 */
import { LAKE_USER_CREDENTIALS } from "../../components/minio/users";
import { TRINO_USER_CREDENTIALS, TRINO_USERS } from "../../components/starburst/config";
import { HADOOP_KEYSTORE_CREDENTIALS } from "../../components/kit/hadoop-tls";
import { passwordFile } from "../../components/starburst/security";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { kubeConfigFor } from "../../infra/cluster";
import { inlineProgram } from "../../infra/program";
import { eventually } from "../eventually";
import { trinoChart } from "../support/trino-chart";

export const ROOT = path.resolve(__dirname, "..", "..");
export const TOOLCHAIN = process.env.DP_TOOLCHAIN_HOME ?? path.join(os.homedir(), ".cache", "dataplatform", "toolchain");
/** The kubeconfig control-plane.sh writes for a cluster. */
export const kubeconfigOf = (cluster: string) => path.join(TOOLCHAIN, "cluster", cluster, "kubeconfig");
export const KUBECONFIG = kubeconfigOf(process.env.DP_CLUSTER ?? "e2e");
/** The upstream Trino chart at the pinned version (test/support/trino-chart.ts says where it is looked for). */
export const TRINO_CHART = trinoChart();

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

/** The entry point's inline program on a cluster without kubelets (test code only). */
export async function program(): Promise<Record<string, unknown>> {
  skipReadinessWaits();
  return inlineProgram();
}

/** MinIO's root credentials as a vault sync names them. */
export const VAULT_MINIO = { secret: "lake-root", keys: { "root-user": "access-key", "root-password": "secret-key" } };

/** What the tests add to a stack: this cluster, a fresh namespace, existing Secrets, local charts, no Airflow. */
export function testConfig(namespace: string, kubeconfig = KUBECONFIG): Record<string, unknown> {
  return {
    "dataplatform:kubeconfig": kubeconfig,
    "dataplatform:namespace": namespace,
    // The random provider cannot be built here: the Secrets are made first, as a Vault user would;
    // MinIO's under a vault's own Secret and key names.
    "dataplatform:credentials": { source: "existing", minio: VAULT_MINIO },
    // The official Airflow chart cannot be obtained here.
    "dataplatform:engines": { airflow: false },
  };
}

export interface E2eStack {
  stack: Stack;
  workDir: string;
}

const CERT_MANAGER_CRDS = path.join(TOOLCHAIN, "crds", "cert-manager-v1.19.1");
const PROMETHEUS_OPERATOR_CRDS = path.join(TOOLCHAIN, "crds", "prometheus-operator-v0.85.0");

/** The CRDs of a directory (build.sh crds), created unless they exist, and awaited until served. */
async function installCrds(dir: string, what: string, kc: k8s.KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  // Read into the client's model (loadYaml): it names fields apart from the YAML (xKubernetesIntOrString
  // for x-kubernetes-int-or-string) and would drop them from a plain parsed object.
  const crds = fs
    .readdirSync(dir)
    .sort()
    .map((file) => k8s.loadYaml<k8s.V1CustomResourceDefinition>(fs.readFileSync(path.join(dir, file), "utf8")));
  for (const crd of crds) {
    await ext.createCustomResourceDefinition({ body: crd }).catch((e) => {
      if ((e as { code?: number }).code !== 409) throw e;
    });
  }
  await eventually(`${what}'s CRDs established`, 60, async () => {
    for (const crd of crds) {
      const served = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
      if (!served.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return undefined;
    }
    return true;
  });
}

/**
 * cert-manager's CRDs (build.sh crds) and the README's platform CA (tools/cert-manager), and the
 * Prometheus Operator's PodMonitor and PrometheusRule CRDs, as a cluster admin installs them before a
 * stack with TLS and the Operator's objects: the API server checks the Certificates, PodMonitors and
 * PrometheusRules against the real schemas. No cert-manager or Operator controller runs here, so no
 * certificate is issued and nothing is scraped.
 */
export async function installCertManager(kubeconfig = KUBECONFIG): Promise<void> {
  const kc = kubeConfigFor({ kubeconfig });
  await installCrds(CERT_MANAGER_CRDS, "cert-manager", kc);
  await installCrds(PROMETHEUS_OPERATOR_CRDS, "the Prometheus Operator", kc);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: "cert-manager" } } }).catch((e) => {
    if ((e as { code?: number }).code !== 409) throw e;
  });
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, "tools", "cert-manager", "platform-ca.yaml"), "utf8"))) {
    await objects.create(doc.toJSON()).catch((e) => {
      if ((e as { code?: number }).code !== 409) throw e;
    });
  }
}

/** A work directory with the project file (state in it) and the stack file, and the stack in it. */
export async function openStack(name: string, namespace: string, kubeconfig = KUBECONFIG): Promise<E2eStack> {
  await installCertManager(kubeconfig);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `dp-e2e-${name}-`));
  const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
  delete project.main; // the inline program stands in for the entry point
  project.backend = { url: `file://${path.join(workDir, "state")}` };
  fs.mkdirSync(path.join(workDir, "state"));
  fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), YAML.stringify(project));
  const stackFile = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${name}.yaml`), "utf8"));
  const config = { ...stackFile.config, ...testConfig(namespace, kubeconfig) };
  const starburst = { ...(config["dataplatform:starburst"] ?? {}), chart: { path: TRINO_CHART } };
  config["dataplatform:starburst"] = starburst;
  fs.writeFileSync(path.join(workDir, `Pulumi.${name}.yaml`), YAML.stringify({ config }));
  const stack = await selectStack(name, workDir);
  return { stack, workDir };
}

/** The Pulumi CLI's environment for a work directory's stacks (the tools a test runs get it too). */
export function pulumiEnv(workDir: string): Record<string, string> {
  return {
    PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_HOME: path.join(workDir, "pulumi-home"),
  };
}

/** The stack of a work directory `openStack` made (possibly by an earlier commit's harness), running this program. */
export function selectStack(name: string, workDir: string): Promise<Stack> {
  return LocalWorkspace.createOrSelectStack(
    { stackName: name, projectName: "dataplatform", program },
    {
      workDir,
      envVars: pulumiEnv(workDir),
      secretsProvider: "passphrase",
    },
  );
}

/** The toolchain's binaries first on PATH: the CLI and the provider it finds there. */
export function useToolchain(): void {
  process.env.PATH = `${path.join(TOOLCHAIN, "bin")}${path.delimiter}${process.env.PATH}`;
}

/** API clients for a cluster of the toolchain. */
export function clients(kubeconfig = KUBECONFIG) {
  const kc = kubeConfigFor({ kubeconfig });
  return {
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    storage: kc.makeApiClient(k8s.StorageV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  };
}

/** The clients' users: MinIO's (access keys are user names, secret keys random) and Trino's logins with their password file. */
export function clientUserSecrets(): Record<string, Record<string, string>> {
  const random = () => randomBytes(18).toString("hex");
  const trino = Object.fromEntries(TRINO_USERS.map((u) => [u, random()]));
  return {
    [LAKE_USER_CREDENTIALS.secret]: Object.fromEntries(
      LAKE_USER_CREDENTIALS.keys.map((k) => [k, k.endsWith("-access-key") ? `lake-${k.replace(/-access-key$/, "")}` : random()]),
    ),
    [TRINO_USER_CREDENTIALS.secret]: { ...trino, "password.db": passwordFile(trino) },
  };
}

/** Secrets a platform team would sync from its vault before the first `up`; returns what it wrote. */
export async function createExistingSecrets(core: k8s.CoreV1Api, namespace: string, values?: Record<string, Record<string, string>>) {
  const random = () => randomBytes(18).toString("hex");
  const data = values ?? {
    [VAULT_MINIO.secret]: { "access-key": `user${random().slice(0, 8)}`, "secret-key": random() },
    "mysql-credentials": { password: random(), "root-password": random() },
    "trino-internal": { "shared-secret": random() },
    [HADOOP_KEYSTORE_CREDENTIALS.secret]: { password: random() },
    ...clientUserSecrets(),
  };
  for (const [name, stringData] of Object.entries(data)) await core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData } });
  return data;
}

export { eventually };

/**
 * What a storage provisioner does: one retained volume per claim, bound to it; a CSI volume of
 * `csiDriver` when given (the snapshot drill's), else a host path.
 */
export async function provisionVolumes(core: k8s.CoreV1Api, namespace: string, only?: (claim: string) => boolean, csiDriver?: string): Promise<void> {
  for (const pvc of (await core.listNamespacedPersistentVolumeClaim({ namespace })).items) {
    if (pvc.spec!.volumeName || (only && !only(pvc.metadata!.name!))) continue;
    const source = csiDriver
      ? { csi: { driver: csiDriver, volumeHandle: `vol-${pvc.metadata!.uid}` } }
      : { hostPath: { path: `/var/lib/dataplatform-e2e/${pvc.metadata!.uid}` } };
    await core.createPersistentVolume({
      body: {
        metadata: { name: `pvc-${pvc.metadata!.uid}` },
        spec: {
          capacity: { storage: pvc.spec!.resources!.requests!.storage },
          accessModes: pvc.spec!.accessModes,
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: pvc.spec!.storageClassName ?? "",
          ...source,
          claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name: pvc.metadata!.name!, uid: pvc.metadata!.uid },
        },
      },
    });
  }
}

/** claim -> volume, once every expected claim is Bound. */
export async function boundClaims(core: k8s.CoreV1Api, namespace: string, expected: string[]): Promise<Map<string, string>> {
  return eventually(`claims ${expected.join(", ")} bound`, 60, async () => {
    const pvcs = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items;
    const bound = new Map(pvcs.filter((c) => c.status?.phase === "Bound").map((c) => [c.metadata!.name!, c.spec!.volumeName!]));
    return expected.every((c) => bound.has(c)) ? bound : undefined;
  });
}

/** Seconds per labelled step, for the suites' closing timing line. */
export function stopwatch() {
  const timings: Record<string, number> = {};
  const timed = async <T>(label: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      timings[label] = (Date.now() - t0) / 1000;
    }
  };
  return { timings, timed };
}
