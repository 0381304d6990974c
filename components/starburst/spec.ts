/**
 * Values for the vendor's chart (Trino's community chart, or Starburst Enterprise's), and the
 * catalogs for the pinned engine version. Pure: the component passes these to helm.v4.Chart.
 */
import { digest, heapMiB, type Workload } from "../kit";
import { trinoExporterRules } from "./metrics";
import { lakeUserEnv, type MetastoreService, type ObjectStore } from "../kit/contracts";
import { jvmTrust } from "../kit/trust";
import { restrictedContainerSecurity, restrictedPodSecurity } from "../kit/security";
import { defaultRef, secretEnv } from "../kit/secret-ref";
import {
  FLAVORS,
  HEAP_HEADROOM_PERCENT,
  queryMemoryMiB,
  type StarburstConfig,
  TRINO_CREDENTIALS,
  TRINO_USER_CREDENTIALS,
  type TrinoCredentials,
  type TrinoUserCredentials,
} from "./config";
import { HTTPS_PORT, tlsChartValues } from "./security";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { AGENT_CONFIG_FILE, engineAgent, type MetricsEndpoint, type MonitoringConfig, jmxEndpoints } from "../kit/metrics";

export const COORDINATOR: Workload = { name: "trino", component: "coordinator" };
export const WORKER: Workload = { name: "trino", component: "worker" };
export const TABLES_JOB: Workload = { name: "trino", component: "tables" };
const PART_OF_LABEL = { "app.kubernetes.io/part-of": "data-platform" };

/** Release name: the chart names its Service after it (trino:8080). */
export const RELEASE = "trino";
export const HTTP_PORT = 8080;
/** Trino 481 renamed fs.native-s3.enabled to fs.s3.enabled (trinodb/trino #29070). */
export const S3_PROPERTY_RENAMED_IN = 481;

export function engineVersion(cfg: StarburstConfig): number {
  return cfg.version ?? FLAVORS[cfg.flavor].version;
}

/** The engine image's tag: Trino releases are plain numbers, Starburst Enterprise's end in -e. */
export function imageTag(cfg: StarburstConfig): string {
  return cfg.flavor === "starburst" ? `${engineVersion(cfg)}-e` : String(engineVersion(cfg));
}

/**
 * What the charts do not set on their pods but the policy pack requires: no service-account token
 * (Trino does not call the Kubernetes API) and no service-link variables. Applied as a transform to
 * every Deployment the chart renders.
 */
export function hardenChartObject(type: string, props: Record<string, any>): Record<string, any> | undefined {
  if (type !== "kubernetes:apps/v1:Deployment") return undefined;
  const spec = props.spec?.template?.spec;
  if (!spec) return undefined;
  return {
    ...props,
    spec: { ...props.spec, template: { ...props.spec.template, spec: { ...spec, automountServiceAccountToken: false, enableServiceLinks: false } } },
  };
}

export function coordinatorHost(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `${RELEASE}.${ns}.svc.${domain}`;
}

/** The clients' port: HTTPS in tls mode (the HTTP port then serves only the cluster's own, signed requests). */
export function clientPort(cfg: Pick<StarburstConfig, "security">): number {
  return cfg.security === "tls" ? HTTPS_PORT : HTTP_PORT;
}

export function coordinatorUrl(ns: string, domain = DEFAULT_CLUSTER_DOMAIN, security: StarburstConfig["security"] = "plaintext"): string {
  return `${security === "tls" ? "https" : "http"}://${coordinatorHost(ns, domain)}:${clientPort({ security })}`;
}

/** What the engine's catalogs read: the metastore's tables, the lake's files. */
export interface LakeBackends {
  metastore: Pick<MetastoreService, "uri">;
  lake: Pick<ObjectStore, "endpoint" | "user" | "ca">;
  /** Where the internal shared secret is (the generated Secret unless an existing one is named). */
  internal?: TrinoCredentials;
  /** tls mode: where the clients' passwords and the password file are. */
  users?: TrinoUserCredentials;
  /** Monitoring on: every node runs the JMX exporter agent with the rules in METRICS_CONFIG_MAP. */
  monitoring?: MonitoringConfig;
}

/** The ConfigMap holding Trino's JMX exporter rules (the chart's pods mount it). */
export const METRICS_CONFIG_MAP = "trino-metrics";
/** The agent of Trino's nodes and its rules' ConfigMap (the component makes it beside the chart). */
export const trinoAgent = (monitoring?: MonitoringConfig) => engineAgent(monitoring, METRICS_CONFIG_MAP, trinoExporterRules);

/** S3 settings for MinIO; the property that switches the S3 file system on changed name in 481. */
function s3Properties(version: number, lake: LakeBackends["lake"]): string[] {
  return [
    `${version >= S3_PROPERTY_RENAMED_IN ? "fs.s3.enabled" : "fs.native-s3.enabled"}=true`,
    `s3.endpoint=${lake.endpoint}`,
    "s3.region=us-east-1",
    "s3.path-style-access=true",
    // Resolved from the pod's environment (the MinIO Secret), never written into the catalog file.
    "s3.aws-access-key=${ENV:S3_ACCESS_KEY}",
    "s3.aws-secret-key=${ENV:S3_SECRET_KEY}",
  ];
}

export function catalogs(cfg: StarburstConfig, b: LakeBackends): Record<string, string> {
  const version = engineVersion(cfg);
  const common = [`hive.metastore.uri=${b.metastore.uri}`, ...s3Properties(version, b.lake)];
  return {
    iceberg: `${[
      "connector.name=iceberg",
      "iceberg.catalog.type=hive_metastore",
      "iceberg.file-format=PARQUET",
      `iceberg.expire-snapshots.min-retention=${cfg.icebergSnapshotRetention}`,
      `iceberg.remove-orphan-files.min-retention=${cfg.icebergSnapshotRetention}`,
      ...common,
    ].join("\n")}\n`,
    hive: `${["connector.name=hive", "hive.non-managed-table-writes-enabled=true", ...common].join("\n")}\n`,
  };
}

/** The seed's performance features: dynamic filtering and cost-based join distribution and order. */
export const ENGINE_PROPERTIES = ["enable-dynamic-filtering=true", "join-distribution-type=AUTOMATIC", "optimizer.join-reordering-strategy=AUTOMATIC"];

/**
 * Requests through the API server's proxy (npm run health) or an ingress carry X-Forwarded-*
 * headers, which Trino answers with HTTP 406 unless it processes them. Only the coordinator is
 * asked that way; workers keep refusing forwarded headers, so no client can claim another address
 * or scheme to them.
 */
export const COORDINATOR_PROPERTIES = ["http-server.process-forwarded=true"];

/**
 * The Trino chart's default catalogs (tpch, tpcds) merge into ours unless removed: a null value
 * deletes a default key when Helm merges values. Only the platform's catalogs are served.
 */
export function trinoCatalogValues(cfg: StarburstConfig, b: LakeBackends): Record<string, string | null> {
  return { tpch: null, tpcds: null, ...catalogs(cfg, b) };
}

const mib = (n: number) => `${n}MB`;

/** Workers wait this long for running queries, then twice as long in all before they are killed. */
export function terminationGraceSeconds(cfg: StarburstConfig): number {
  return 2 * cfg.gracePeriodSeconds + 30;
}

/** The internal secret's variable, which config.properties reads as ${ENV:...}: never a literal in a file or a value. */
export const INTERNAL_SECRET_ENV = "TRINO_INTERNAL_SHARED_SECRET";
export const INTERNAL_PROPERTIES = [`internal-communication.shared-secret=\${ENV:${INTERNAL_SECRET_ENV}}`];
const internalSecretEnv = (b: LakeBackends) => secretEnv(INTERNAL_SECRET_ENV, b.internal ?? defaultRef(TRINO_CREDENTIALS), "shared-secret");

const s3Env = (lake: LakeBackends["lake"]) => [...lakeUserEnv(lake, "trino", "S3_ACCESS_KEY", "S3_SECRET_KEY")];

/**
 * Monitoring's log format: Trino's console (the container's stdout; `log.format` is its log file's)
 * writes one JSON object per event with `logFormat: json`. Without monitoring, its usual lines.
 */
export function logProperties(monitoring?: MonitoringConfig): string[] {
  return monitoring?.logFormat === "json" ? ["log.console-format=JSON"] : [];
}

/** Values for trinodb/charts' `trino` chart. */
export function trinoValues(cfg: StarburstConfig, b: LakeBackends): Record<string, unknown> {
  const flavor = FLAVORS.trino;
  const tls = cfg.security === "tls" ? tlsChartValues(b.users ?? defaultRef(TRINO_USER_CREDENTIALS)) : undefined;
  // Every node reads the lake: with a TLS lake, its JVM trusts the lake's CA (kit/trust).
  const trust = jvmTrust(b.lake.ca, `${cfg.repository ?? flavor.image}:${imageTag(cfg)}`);
  const { jmx: agent, rules } = trinoAgent(b.monitoring);
  // The rules' ConfigMap is not the chart's, so its checksums miss it: this one rolls the pods when the rules change.
  const rulesChecksum = agent ? { annotations: { "checksum/jmx-exporter": digest(rules[AGENT_CONFIG_FILE]) } } : {};
  const jvmOptions = [...(trust.javaOptions ? trust.javaOptions.split(" ") : []), ...(agent ? [agent.javaOption] : [])];
  const initContainers = [...trust.initContainers, ...(agent?.initContainers ?? [])];
  const role = (r: StarburstConfig["coordinator"], extra?: { volumes: object[]; mounts: object[] }) => ({
    ...rulesChecksum,
    jvm: { maxHeapSize: `${heapMiB(r.resources.limits.memory, r.heapPercent)}M` },
    ...(jvmOptions.length ? { additionalJVMConfig: jvmOptions } : {}),
    // The chart also adds it to the role's Service; only Prometheus's namespace is admitted to it.
    ...(agent
      ? {
          additionalExposedPorts: {
            metrics: { name: agent.port.name, port: agent.port.containerPort, servicePort: agent.port.containerPort, protocol: "TCP" },
          },
        }
      : {}),
    config: {
      query: { maxMemoryPerNode: mib(queryMemoryMiB(r)) },
      memory: { heapHeadroomPerNode: mib(Math.floor((heapMiB(r.resources.limits.memory, r.heapPercent) * HEAP_HEADROOM_PERCENT) / 100)) },
    },
    resources: { requests: r.resources.requests, limits: r.resources.limits },
    readinessProbe: { initialDelaySeconds: 20, periodSeconds: 10 },
    livenessProbe: { initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 },
    additionalVolumes: [
      { name: "tmp", emptyDir: { sizeLimit: "10Gi" } },
      { name: "data", emptyDir: { sizeLimit: "20Gi" } },
      ...(extra?.volumes ?? []),
      ...trust.volumes,
      ...(agent?.volumes ?? []),
    ],
    additionalVolumeMounts: [
      { name: "tmp", mountPath: "/tmp" },
      { name: "data", mountPath: "/data/trino" },
      ...(extra?.mounts ?? []),
      ...trust.mounts,
      ...(agent?.mounts ?? []),
    ],
  });
  return {
    image: { repository: cfg.repository ?? flavor.image, tag: imageTag(cfg) },
    server: {
      workers: cfg.workers.replicas,
      node: { environment: "dataplatform" },
      config: { query: { maxMemory: cfg.queryMaxMemory }, ...tls?.server.config },
      coordinatorExtraConfig: COORDINATOR_PROPERTIES.join("\n"),
    },
    ...(tls ? { auth: tls.auth, accessControl: tls.accessControl } : {}),
    // shutdown.grace-period comes from worker.gracefulShutdown: the chart writes it into both roles' files.
    additionalConfigProperties: [...ENGINE_PROPERTIES, ...INTERNAL_PROPERTIES, ...logProperties(b.monitoring)],
    catalogs: trinoCatalogValues(cfg, b),
    env: [...s3Env(b.lake), internalSecretEnv(b)],
    ...(initContainers.length ? { initContainers: { coordinator: initContainers, worker: initContainers } } : {}),
    securityContext: restrictedPodSecurity(1000),
    containerSecurityContext: restrictedContainerSecurity(),
    serviceAccount: { create: true, name: RELEASE },
    // Only part-of: the chart sets name, instance, component and managed-by itself, and its selectors
    // rely on them; part-of is what the platform's NetworkPolicies and PDB add to select by.
    coordinator: { ...role(cfg.coordinator, tls && { volumes: tls.coordinatorVolumes, mounts: tls.coordinatorMounts }), labels: PART_OF_LABEL },
    worker: {
      ...role(cfg.workers),
      labels: PART_OF_LABEL,
      gracefulShutdown: { enabled: true, gracePeriodSeconds: cfg.gracePeriodSeconds },
      terminationGracePeriodSeconds: terminationGraceSeconds(cfg),
    },
  };
}

/** Values for Starburst Enterprise's chart (licence from a Secret, images from Starburst's registry). */
export function starburstValues(cfg: StarburstConfig, b: LakeBackends): Record<string, unknown> {
  const role = (r: StarburstConfig["coordinator"]) => ({
    resources: { requests: r.resources.requests, limits: r.resources.limits },
    heapSizePercentage: r.heapPercent,
    heapHeadroomPercentage: HEAP_HEADROOM_PERCENT,
  });
  return {
    image: { repository: cfg.repository ?? FLAVORS.starburst.image, tag: imageTag(cfg) },
    starburstPlatformLicense: cfg.licenseSecret,
    environment: "",
    envFrom: [],
    additionalEnv: [...s3Env(b.lake), internalSecretEnv(b)],
    catalogs: catalogs(cfg, b),
    additionalProperties: [...ENGINE_PROPERTIES, ...INTERNAL_PROPERTIES, `shutdown.grace-period=${cfg.gracePeriodSeconds}s`].join("\n"),
    coordinator: { ...role(cfg.coordinator), envFrom: [], additionalProperties: COORDINATOR_PROPERTIES.join("\n") },
    worker: {
      ...role(cfg.workers),
      replicas: cfg.workers.replicas,
      starburstWorkerShutdownGracePeriodSeconds: cfg.gracePeriodSeconds,
      deploymentTerminationGracePeriodSeconds: terminationGraceSeconds(cfg),
    },
    securityContext: restrictedPodSecurity(1000),
  };
}

/** The coordinator's and workers' JMX exporter endpoints (monitoring on; Trino's community chart only). */
export function trinoMetrics(cfg: Pick<StarburstConfig, "flavor">, monitoring?: MonitoringConfig): MetricsEndpoint[] {
  if (!monitoring || cfg.flavor !== "trino") return [];
  return jmxEndpoints(monitoring, COORDINATOR, WORKER);
}

export function chartValues(cfg: StarburstConfig, b: LakeBackends): Record<string, unknown> {
  return cfg.flavor === "trino" ? trinoValues(cfg, b) : starburstValues(cfg, b);
}

/** Where a client pod mounts the coordinator's CA (the ca.crt of its certificate's Secret). */
export const CLIENT_CA_DIR = "/etc/trino-ca";

/**
 * Creates the lake's tables once the coordinator answers; every statement is IF NOT EXISTS. In tls
 * mode the CLI logs in as lake-tables over HTTPS: --password reads TRINO_PASSWORD (from the Secret),
 * never an argument, and the coordinator's certificate is checked against the platform CA.
 */
export function tablesScript(ns: string, ddl: string[], domain = DEFAULT_CLUSTER_DOMAIN, security: StarburstConfig["security"] = "plaintext"): string {
  const login = security === "tls" ? ` --password --truststore-path ${CLIENT_CA_DIR}/ca.crt` : "";
  const trino = `trino --server ${coordinatorUrl(ns, domain, security)} --user lake-tables${login}`;
  return [
    "set -eu",
    // Bounded, and saying why: a refused login fails the Job with the CLI's answer instead of waiting forever.
    `tries=0; until answer=$(${trino} --execute 'SELECT 1' 2>&1); do tries=$((tries + 1)); [ "$tries" -lt 120 ] || { echo "the coordinator did not answer within 10 minutes: $answer" >&2; exit 1; }; echo 'waiting for the coordinator'; sleep 5; done`,
    ...ddl.map((statement) => `${trino} --execute "${statement.replace(/"/g, '\\"')}"`),
  ].join("\n");
}
