/** The official chart's values for the platform's Airflow, and everything only they use (task env, init containers, git-sync). */
import * as fs from "node:fs";
import * as path from "node:path";
import { containerResources, filesVolume, MANAGED_BY, parseImage, PART_OF, scratchVolume, type Workload, workloadLabels } from "../kit";
import { memoryMiB } from "../kit/quantity";
import { restrictedContainerSecurity, restrictedPodSecurity } from "../kit/security";
import type { Resources } from "../kit/sizing";
import { lakeUserEnv, loginCaVolume, type ObjectStore } from "../kit/contracts";
import { CA_DIR, CA_FILE, caVolume } from "../kit/trust";
import { secretEnv } from "../kit/secret-ref";
import { AIRFLOW_VERSION, type AirflowConfig, type AirflowCredentials, SCHEDULER_BASE_MIB, TASK_MIB } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import type { MonitoringConfig } from "../kit/metrics";
import { statsdConfig } from "./metrics";
import {
  AIRFLOW_DIR,
  type AirflowBackends,
  type AirflowFiles,
  airflowFiles,
  API_SERVER,
  apiCallers,
  apiServerUrl,
  chartName,
  CREATE_USER,
  DAG_PROCESSOR,
  DAGS_CONFIG_MAP,
  MIGRATIONS,
  PLUGINS_CONFIG_MAP,
  REQUIREMENTS_CONFIG_MAP,
  SCHEDULER,
  taskRunner,
  TRIGGERER,
  WORKER,
  WORKER_ACCOUNT,
} from "./names";

const AIRFLOW_HOME = "/opt/airflow";
const PACKAGES_DIR = "/opt/platform/python";
/** Where the create-user Job mounts the admin password (create-admin.sh reads it there). */
const ADMIN_DIR = "/opt/platform/admin";
export const logsFolder = (lake: Pick<ObjectStore, "bucket" | "prefixes">) => `s3://${lake.bucket}/${lake.prefixes.airflowLogs}`;
export const LOGS_CONNECTION = "minio_logs";
/** The image's airflow user. Its own group instead of the image's default root group (policy: no gid 0). */
const UID = 50000;

/** Runs in the api-server: the UI and the API log in against Airflow's own user table (FAB). */
export const API_SERVER_CONFIG = [
  "from flask_appbuilder.const import AUTH_DB",
  "",
  "AUTH_TYPE = AUTH_DB",
  "AUTH_USER_REGISTRATION = False",
  "WTF_CSRF_ENABLED = True",
  "",
].join("\n");

/** Where Airflow's pods find their Kafka client certificate (the airflow principal's). */
const KAFKA_TLS_DIR = "/etc/kafka-client";

/** What the DAG and the operators read from their environment. */
function taskEnvironment(cfg: AirflowConfig, b: AirflowBackends): { name: string; value: string }[] {
  return [
    { name: "KAFKA_BOOTSTRAP_SERVERS", value: b.kafka.bootstrapServers },
    ...(b.kafka.clientTls
      ? [
          { name: "KAFKA_SECURITY_PROTOCOL", value: "SSL" },
          { name: "KAFKA_TLS_DIR", value: KAFKA_TLS_DIR },
        ]
      : []),
    { name: "TRINO_HOST", value: b.sql.host },
    { name: "TRINO_PORT", value: String(b.sql.port) },
    ...(b.sql.login
      ? [
          { name: "TRINO_USER", value: b.sql.login("airflow").user },
          { name: "TRINO_CA_FILE", value: `${TRINO_CA_DIR}/ca.crt` },
        ]
      : []),
    { name: "ICEBERG_SNAPSHOT_RETENTION", value: b.sql.icebergSnapshotRetention },
    { name: "DBT_TARGET", value: b.dbt.target },
    {
      name: `AIRFLOW_CONN_${LOGS_CONNECTION.toUpperCase()}`,
      // TLS lake: the log uploads check MinIO's certificate against its CA alone (the connection's
      // verify, so no other boto3 client of a task is held to it).
      value: JSON.stringify({
        conn_type: "aws",
        extra: { endpoint_url: b.lake.endpoint, region_name: "us-east-1", ...(b.lake.ca ? { verify: CA_FILE } : {}) },
      }),
    },
    ...(cfg.dependencies === "pip" ? [{ name: "PYTHONPATH", value: PACKAGES_DIR }] : []),
  ];
}

/** Installs components/airflow/requirements.txt into a shared volume (install-task-packages.sh). */
export const INSTALL_SCRIPT = path.join(AIRFLOW_DIR, "install-task-packages.sh");
export function pipInitContainer(cfg: AirflowConfig): Record<string, unknown> {
  return {
    name: "install-task-packages",
    image: cfg.image,
    command: ["bash", "-c", fs.readFileSync(INSTALL_SCRIPT, "utf8"), "--", PACKAGES_DIR, "/opt/platform/requirements/requirements.txt"],
    env: [
      { name: "HOME", value: "/tmp" },
      { name: "TMPDIR", value: "/tmp" },
    ],
    resources: containerResources({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } }),
    securityContext: restrictedContainerSecurity(),
    volumeMounts: [
      { name: "task-packages", mountPath: PACKAGES_DIR },
      { name: "requirements", mountPath: "/opt/platform/requirements" },
      { name: "tmp", mountPath: "/tmp" },
    ],
  };
}

/** Waits for the chart's migration Job: the user table must exist before the admin is created. */
function waitForMigrations(cfg: AirflowConfig, own: AirflowCredentials): Record<string, unknown> {
  return {
    name: "wait-for-migrations",
    image: cfg.image,
    command: ["bash", "-c", "exec airflow db check-migrations --migration-wait-timeout=900"],
    env: [secretEnv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", own, "connection"), { name: "HOME", value: "/tmp" }],
    resources: containerResources({ requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "512Mi" } }),
    securityContext: restrictedContainerSecurity(),
    // The CLI writes a default airflow.cfg when none exists, which fails on a read-only root: mount the
    // chart's (the Job's "config" volume).
    volumeMounts: [
      { name: "tmp", mountPath: "/tmp" },
      { name: "config", mountPath: `${AIRFLOW_HOME}/airflow.cfg`, subPath: "airflow.cfg", readOnly: true },
    ],
  };
}

/** `airflow users create` with the password from the mounted Secret (create-admin.sh), never from a value. */
export const CREATE_ADMIN_SCRIPT = path.join(AIRFLOW_DIR, "create-admin.sh");
export function createAdminArgs(cfg: AirflowConfig): string[] {
  return ["bash", "-c", fs.readFileSync(CREATE_ADMIN_SCRIPT, "utf8"), "--", cfg.admin.username, cfg.admin.email];
}

const sidecarResources = containerResources({ requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } });
/**
 * No log-groomer sidecars (a sleep loop with nothing to probe): task logs are shipped to MinIO and
 * deleted locally, and the logs emptyDir has a size limit.
 */
const noGroomer = { logGroomerSidecar: { enabled: false } };

/** Labels on every object the chart makes; each part's objects and pods add their own instance. */
const CHART_LABELS = {
  "app.kubernetes.io/name": "airflow",
  "app.kubernetes.io/instance": "airflow",
  "app.kubernetes.io/part-of": PART_OF,
  "app.kubernetes.io/managed-by": MANAGED_BY,
};

/** A part's size, labels and own account (named as the chart names the part). */
function role(r: { replicas: number; resources: Resources }, w: Workload, token: boolean, extra: Record<string, unknown> = {}) {
  return {
    replicas: r.replicas,
    resources: containerResources(r.resources),
    labels: workloadLabels(w),
    serviceAccount: { create: true, name: chartName(w), automountServiceAccountToken: token },
    ...extra,
  };
}

/**
 * Secret-backed variables: the logs' S3 keys (MinIO's airflow-logs user, not MinIO's root) and, with
 * Trino in tls mode, Airflow's Trino password; as env entries (the chart's `secret` list would add
 * literal reference variables).
 */
function secretEnvironment(lake: AirflowBackends["lake"], sql: AirflowBackends["sql"]): string {
  const trino = sql.login?.("airflow");
  return [...lakeUserEnv(lake, "airflow-logs"), ...(trino ? [{ name: "TRINO_PASSWORD", valueFrom: { secretKeyRef: trino.password } }] : [])]
    .map((e) => `- ${JSON.stringify(e)}`)
    .join("\n");
}

/** Where Airflow's pods find the CA of Trino's certificate (tls mode). */
const TRINO_CA_DIR = "/etc/trino-ca";

/** Values for the official chart. No literal secret: every secret value is a reference to Airflow's Secret. */
export function chartValues(
  cfg: AirflowConfig,
  ns: string,
  b: AirflowBackends,
  own: AirflowCredentials,
  files: AirflowFiles = airflowFiles(),
  domain = DEFAULT_CLUSTER_DOMAIN,
  monitoring?: MonitoringConfig,
): Record<string, unknown> {
  // The config schema admits only a valid reference pinned by tag.
  const { name: repository, tag } = parseImage(cfg.image)!;
  const pip = cfg.dependencies === "pip";
  const git = cfg.dags.source === "git" ? cfg.dags.git : undefined;
  const runner = taskRunner(cfg);
  const pipInit = pip ? { extraInitContainers: [pipInitContainer(cfg)] } : {};
  const tokens = serviceAccountTokens(cfg);
  const trinoCa = b.sql.login?.("airflow").ca;
  return {
    defaultAirflowRepository: repository,
    defaultAirflowTag: tag,
    airflowVersion: AIRFLOW_VERSION,
    // The pods' wait-for-migrations init containers give up after 60 s by default, shorter than a first
    // migration of an empty MySQL database can take; they then crash-loop until it is done.
    images: { airflow: { repository, tag, pullPolicy: "IfNotPresent" }, migrationsWaitTimeout: 900 },
    executor: cfg.executor,
    // The scheduler starts task pods under KubernetesExecutor (the chart's pod-launcher Role).
    allowPodLaunching: cfg.executor === "KubernetesExecutor",
    allowJobLaunching: false,
    uid: UID,
    gid: UID,
    securityContexts: { pod: restrictedPodSecurity(UID), containers: restrictedContainerSecurity() },

    // Every secret the chart would otherwise generate (or take as a literal) comes from our Secret.
    fernetKeySecretName: own.name,
    apiSecretKeySecretName: own.name,
    jwtSecretName: own.name,
    data: { metadataSecretName: own.name },
    postgresql: { enabled: false },
    redis: { enabled: false },
    pgbouncer: { enabled: false },
    statsd: { enabled: false },
    flower: { enabled: false },
    networkPolicies: { enabled: false },
    // The chart keys its pod-log-reader Role on this one.
    webserver: { allowPodLogReading: tokens.apiServer },
    labels: CHART_LABELS,

    env: taskEnvironment(cfg, b),
    extraEnv: secretEnvironment(b.lake, b.sql),
    volumes: [
      scratchVolume("tmp", "1Gi"),
      filesVolume("platform-plugins", PLUGINS_CONFIG_MAP, files.plugins),
      ...(git ? [] : [filesVolume("platform-dags", DAGS_CONFIG_MAP, files.dags)]),
      ...(pip ? [scratchVolume("task-packages", "1Gi"), { name: "requirements", configMap: { name: REQUIREMENTS_CONFIG_MAP } }] : []),
      ...(b.kafka.clientTls ? [{ name: "kafka-client-tls", secret: { secretName: b.kafka.clientTls("airflow"), defaultMode: 0o440 } }] : []),
      ...(trinoCa ? [loginCaVolume(trinoCa)] : []),
      ...(b.lake.ca ? [caVolume(b.lake.ca, "lake-ca")] : []),
    ],
    volumeMounts: [
      { name: "tmp", mountPath: "/tmp" },
      { name: "platform-plugins", mountPath: `${AIRFLOW_HOME}/plugins`, readOnly: true },
      ...(git ? [] : [{ name: "platform-dags", mountPath: `${AIRFLOW_HOME}/dags`, readOnly: true }]),
      ...(pip ? [{ name: "task-packages", mountPath: PACKAGES_DIR, readOnly: true }] : []),
      ...(b.kafka.clientTls ? [{ name: "kafka-client-tls", mountPath: KAFKA_TLS_DIR, readOnly: true }] : []),
      ...(trinoCa ? [{ name: "trino-ca", mountPath: TRINO_CA_DIR, readOnly: true }] : []),
      ...(b.lake.ca ? [{ name: "lake-ca", mountPath: CA_DIR, readOnly: true }] : []),
    ],
    dags: {
      persistence: { enabled: false },
      gitSync: git ? gitSyncValues(git) : { enabled: false },
    },
    logs: { persistence: { enabled: false }, emptyDirConfig: { sizeLimit: "5Gi" } },

    config: {
      core: {
        load_examples: "False",
        execution_api_server_url: `${apiServerUrl(ns, domain)}/execution/`,
        // Running tasks' logs are fetched from the host a task reports: its pod IP, which resolves, not
        // the pod's name, which does not.
        hostname_callable: "airflow.utils.net.get_host_ip_address",
        ...(cfg.executor === "LocalExecutor" ? { parallelism: String(localParallelism(cfg)) } : {}),
      },
      logging: {
        remote_logging: "True",
        remote_base_log_folder: logsFolder(b.lake),
        remote_log_conn_id: LOGS_CONNECTION,
        delete_local_logs: "True",
      },
      fab: { auth_backends: "airflow.providers.fab.auth_manager.api.auth.backend.basic_auth" },
      api: { expose_config: "False" },
      kubernetes_executor: { delete_worker_pods: "True", delete_worker_pods_on_failure: "False" },
      // The platform's exporter, not the chart's (statsd.enabled stays false): see metrics.ts.
      ...(monitoring ? { metrics: statsdConfig(ns, domain) } : {}),
    },

    scheduler: role(cfg.scheduler, SCHEDULER, tokens.scheduler, {
      ...noGroomer,
      ...(runner === SCHEDULER ? pipInit : {}),
    }),
    apiServer: {
      ...role(cfg.apiServer, API_SERVER, tokens.apiServer),
      // Task logs of running KubernetesExecutor pods are read from the Kubernetes API.
      allowPodLogReading: tokens.apiServer,
      apiServerConfig: API_SERVER_CONFIG,
    },
    dagProcessor: { enabled: true, ...role(cfg.dagProcessor, DAG_PROCESSOR, false, noGroomer) },
    triggerer: { ...role(cfg.triggerer, TRIGGERER, false, noGroomer), persistence: { enabled: false } },
    workers: {
      labels: workloadLabels(WORKER),
      // The chart (1.20) reads workers.celery.persistence, whose default (true) would turn the
      // LocalExecutor scheduler into a StatefulSet with a 100Gi log volume; the older key is still read too.
      persistence: { enabled: false },
      celery: { persistence: { enabled: false } },
      // Task pods (KubernetesExecutor) create the Spark and dbt Jobs: they need the token.
      serviceAccount: { create: true, name: WORKER_ACCOUNT, automountServiceAccountToken: tokens.worker },
      ...(cfg.workers ? { resources: containerResources(cfg.workers.resources) } : {}),
      ...noGroomer,
      ...(runner === WORKER ? pipInit : {}),
    },
    // Hooks off: helm.v4.Chart renders without hooks (the provider disables them), so hook-annotated Jobs
    // would never be created. Without the annotations they are plain Jobs that Pulumi creates and awaits.
    migrateDatabaseJob: {
      enabled: true,
      useHelmHooks: false,
      ttlSecondsAfterFinished: null,
      labels: workloadLabels(MIGRATIONS),
      resources: containerResources({ requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } }),
      serviceAccount: { create: true, name: "airflow-migrate-database-job", automountServiceAccountToken: false },
    },
    createUserJob: {
      enabled: true,
      useHelmHooks: false,
      ttlSecondsAfterFinished: null,
      labels: workloadLabels(CREATE_USER),
      args: createAdminArgs(cfg),
      extraInitContainers: [waitForMigrations(cfg, own)],
      extraVolumes: [{ name: "admin-password", secret: { secretName: own.name, items: [{ key: own.keys["admin-password"], path: "password" }] } }],
      extraVolumeMounts: [{ name: "admin-password", mountPath: ADMIN_DIR, readOnly: true }],
      resources: containerResources({ requests: { cpu: "50m", memory: "512Mi" }, limits: { memory: "1Gi" } }),
      serviceAccount: { create: true, name: "airflow-create-user-job", automountServiceAccountToken: false },
    },
    cleanup: { enabled: false },
  };
}

/** git-sync's HTTP endpoint. */
const GIT_SYNC_HEALTH_PORT = 8082;
export const isSshRepo = (repo: string) => /^(git@|ssh:\/\/)/.test(repo);

/**
 * git-sync as a sidecar: its own user (65533, in its image's passwd, so it does not try to add itself
 * to the read-only /etc/passwd), a writable /tmp, and the Secret as https credentials or an ssh key.
 */
function gitSyncValues(git: NonNullable<AirflowConfig["dags"]["git"]>): Record<string, unknown> {
  const secret = git.credentialsSecret ? (isSshRepo(git.repo) ? { sshKeySecret: git.credentialsSecret } : { credentialsSecret: git.credentialsSecret }) : {};
  return {
    enabled: true,
    repo: git.repo,
    branch: git.ref,
    ref: git.ref,
    rev: "HEAD",
    subPath: git.subPath,
    depth: 1,
    period: `${git.periodSeconds}s`,
    ...secret,
    ...(git.knownHosts ? { knownHosts: git.knownHosts } : {}),
    resources: sidecarResources,
    securityContexts: { container: { ...restrictedContainerSecurity(), runAsUser: 65533 } },
    extraVolumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    // git-sync's HTTP endpoint answers 5xx until the first sync, 200 after: its health.
    env: [{ name: "GITSYNC_HTTP_BIND", value: `:${GIT_SYNC_HEALTH_PORT}` }],
    readinessProbe: { httpGet: { path: "/", port: GIT_SYNC_HEALTH_PORT }, periodSeconds: 10 },
    livenessProbe: { httpGet: { path: "/", port: GIT_SYNC_HEALTH_PORT }, initialDelaySeconds: 30, periodSeconds: 30, failureThreshold: 10 },
  };
}

/** LocalExecutor runs tasks inside the scheduler: as many at once as its memory limit holds. */
export function localParallelism(cfg: AirflowConfig): number {
  return Math.floor((memoryMiB(cfg.scheduler.resources.limits.memory) - SCHEDULER_BASE_MIB) / TASK_MIB);
}

/** Whether each of the chart's accounts mounts a token. */
function serviceAccountTokens(cfg: AirflowConfig) {
  const callers = apiCallers(cfg);
  return { scheduler: callers.includes(SCHEDULER), apiServer: callers.includes(API_SERVER), worker: callers.includes(WORKER) };
}
