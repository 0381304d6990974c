/**
 * Airflow from the official chart, wired to the platform: values for helm.v4.Chart, and the objects the
 * chart does not make (the MySQL database, DAGs and plugins, the task Jobs' RBAC, budgets, egress).
 * Pure: the component turns these into resources.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  configMap,
  container,
  containerResources,
  filesConfigMap,
  filesVolume,
  type Flow,
  httpsEgress,
  job,
  MANAGED_BY,
  type Manifest,
  parseImage,
  PART_OF,
  podDisruptionBudget,
  readTree,
  scratchVolume,
  serviceAccount,
  type Workload,
  workloadLabels,
} from "../kit";
import { memoryMiB } from "../kit/quantity";
import { restrictedContainerSecurity, restrictedPodSecurity } from "../kit/security";
import type { Resources } from "../kit/sizing";
import type { DatabaseServer, DbtTemplate, JobTemplate, KafkaCluster, ObjectStore, SqlService } from "../kit/contracts";
import { secretEnv } from "../kit/secret-ref";
import { AIRFLOW_VERSION, type AirflowConfig, type AirflowCredentials, SCHEDULER_BASE_MIB, TASK_MIB } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

/** Release name; the chart names its objects "<release>-<part>" (airflow-scheduler, airflow-api-server). */
export const RELEASE = "airflow";
export const SCHEDULER: Workload = { name: "airflow", component: "scheduler" };
export const API_SERVER: Workload = { name: "airflow", component: "api-server" };
export const DAG_PROCESSOR: Workload = { name: "airflow", component: "dag-processor" };
export const TRIGGERER: Workload = { name: "airflow", component: "triggerer" };
/** Task pods under KubernetesExecutor. */
export const WORKER: Workload = { name: "airflow", component: "worker" };
/** The Job that gives Airflow its own MinIO user, limited to the logs prefix. */
export const LOGS_USER: Workload = { name: "airflow", component: "logs-user" };
export const MIGRATIONS: Workload = { name: "airflow", component: "migrations" };
export const CREATE_USER: Workload = { name: "airflow", component: "create-user" };
export const DATABASE_SETUP: Workload = { name: "airflow", component: "database" };

export const API_PORT = 8080;
export const SCHEDULER_LOG_PORT = 8793;
export const TRIGGERER_LOG_PORT = 8794;

/**
 * What Airflow stands on and what the pipeline's tasks use: its database server (the setup Job logs
 * in as root), the lake (remote logs; the setup Job creates Airflow's own user as root), the topics,
 * the SQL engine, and the Job templates the operators copy (Spark's batch, dbt).
 */
export interface AirflowBackends {
  database: DatabaseServer;
  lake: ObjectStore;
  kafka: KafkaCluster;
  sql: SqlService;
  spark: JobTemplate;
  dbt: DbtTemplate;
}
export const DATABASE = "airflow";
export const DATABASE_USER = "airflow";
export const SCHEDULER_ACCOUNT = "airflow-scheduler";
export const WORKER_ACCOUNT = "airflow-worker";
export const TASK_JOBS_ROLE = "airflow-task-jobs";
/** The suspended CronJobs the operators copy into Jobs (Spark's batch, dbt). */
export const jobTemplates = (b: Pick<AirflowBackends, "spark" | "dbt">) => [b.spark.template, b.dbt.template];

export const DAGS_CONFIG_MAP = "airflow-dags";
export const PLUGINS_CONFIG_MAP = "airflow-plugins";
export const REQUIREMENTS_CONFIG_MAP = "airflow-requirements";
const AIRFLOW_HOME = "/opt/airflow";
const PACKAGES_DIR = "/opt/platform/python";
/** Where the create-user Job mounts the admin password (create-admin.sh reads it there). */
const ADMIN_DIR = "/opt/platform/admin";
export const logsFolder = (lake: Pick<ObjectStore, "bucket">) => `s3://${lake.bucket}/airflow-logs`;
export const LOGS_CONNECTION = "minio_logs";
/** The image's airflow user. Its own group instead of the image's default root group (policy: no gid 0). */
const UID = 50000;

const AIRFLOW_DIR = __dirname;
export const REQUIREMENTS_FILE = path.join(AIRFLOW_DIR, "requirements.txt");

/** Python files under a folder, by path relative to it; caches excluded. */
export function pythonFiles(dir: string): Record<string, string> {
  return readTree(dir, (name) => name.endsWith(".py"), ["__pycache__"]);
}

export const dagFiles = () => pythonFiles(path.join(AIRFLOW_DIR, "dags"));
export const pluginFiles = () => pythonFiles(path.join(AIRFLOW_DIR, "plugins"));
/** The DAG folder and the plugins, read once: the values mount them, the ConfigMaps hold them. */
export interface AirflowFiles {
  dags: Record<string, string>;
  plugins: Record<string, string>;
}
export const airflowFiles = (): AirflowFiles => ({ dags: dagFiles(), plugins: pluginFiles() });

/** The chart's name for a part's objects and account: "<release>-<part>" (airflow-scheduler). */
const chartName = (w: Workload) => `${RELEASE}-${w.component}`;

/** The workload that runs task code: the scheduler (LocalExecutor) or a pod per task (KubernetesExecutor). */
export function taskRunner(cfg: AirflowConfig): Workload {
  return cfg.executor === "LocalExecutor" ? SCHEDULER : WORKER;
}
export function taskAccount(cfg: AirflowConfig): string {
  return chartName(taskRunner(cfg));
}

/** The parts that read DAG files and talk to the execution API (task pods too under KubernetesExecutor). */
function dagReaders(cfg: AirflowConfig): Workload[] {
  return [SCHEDULER, DAG_PROCESSOR, TRIGGERER, ...(taskRunner(cfg) === WORKER ? [WORKER] : [])];
}

export function metadataConnection(database: Pick<DatabaseServer, "host" | "port">, password: string): string {
  return `mysql+mysqldb://${DATABASE_USER}:${password}@${database.host}:${database.port}/${DATABASE}`;
}

/** Runs in the api-server: the UI and the API log in against Airflow's own user table (FAB). */
export const API_SERVER_CONFIG = [
  "from flask_appbuilder.const import AUTH_DB",
  "",
  "AUTH_TYPE = AUTH_DB",
  "AUTH_USER_REGISTRATION = False",
  "WTF_CSRF_ENABLED = True",
  "",
].join("\n");

export function apiServerUrl(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `http://${RELEASE}-api-server.${ns}.svc.${domain}:${API_PORT}`;
}

/** What the DAG and the operators read from their environment. */
function taskEnvironment(cfg: AirflowConfig, b: AirflowBackends): { name: string; value: string }[] {
  return [
    { name: "KAFKA_BOOTSTRAP_SERVERS", value: b.kafka.bootstrapServers },
    { name: "TRINO_HOST", value: b.sql.host },
    { name: "TRINO_PORT", value: String(b.sql.port) },
    { name: "DBT_TARGET", value: b.dbt.target },
    {
      name: `AIRFLOW_CONN_${LOGS_CONNECTION.toUpperCase()}`,
      value: JSON.stringify({ conn_type: "aws", extra: { endpoint_url: b.lake.endpoint, region_name: "us-east-1" } }),
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
 * Airflow's own MinIO user for remote logs (not MinIO's root): env from the Secret (the chart's `secret`
 * list would add literal reference variables).
 */
function s3CredentialsEnv(own: AirflowCredentials): string {
  return [secretEnv("AWS_ACCESS_KEY_ID", own, "logs-access-key"), secretEnv("AWS_SECRET_ACCESS_KEY", own, "logs-secret-key")]
    .map((e) => `- ${JSON.stringify(e)}`)
    .join("\n");
}

/** What Airflow's MinIO user may do: read, write and list under the logs prefix, nothing else. */
export const LOGS_PREFIX = "airflow-logs";
export function logsPolicy(lake: Pick<ObjectStore, "bucket">) {
  const bucket = lake.bucket;
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [`arn:aws:s3:::${bucket}/${LOGS_PREFIX}/*`] },
      {
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [`arn:aws:s3:::${bucket}`],
        Condition: { StringLike: { "s3:prefix": [LOGS_PREFIX, `${LOGS_PREFIX}/*`] } },
      },
      { Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [`arn:aws:s3:::${bucket}`] },
    ],
  };
}

/** Creates (or updates) the policy and the user and attaches one to the other; safe to run again. */
export function logsUserScript(lake: Pick<ObjectStore, "endpoint" | "bucket">): string {
  return [
    "set -eu",
    `until mc alias set lake ${lake.endpoint} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"; do echo "waiting for MinIO"; sleep 5; done`,
    `cat > /tmp/policy.json <<'JSON'\n${JSON.stringify(logsPolicy(lake))}\nJSON`,
    `mc admin policy create lake ${LOGS_PREFIX} /tmp/policy.json`,
    'mc admin user add lake "$LOGS_ACCESS_KEY" "$LOGS_SECRET_KEY"',
    // Attaching an attached policy is an error; the user's info shows whether it is there.
    `mc admin policy attach lake ${LOGS_PREFIX} --user "$LOGS_ACCESS_KEY" || mc admin user info lake "$LOGS_ACCESS_KEY" | grep -q "${LOGS_PREFIX}"`,
  ].join("\n");
}

/** Values for the official chart. No literal secret: every secret value is a reference to Airflow's Secret. */
export function chartValues(
  cfg: AirflowConfig,
  ns: string,
  b: AirflowBackends,
  own: AirflowCredentials,
  files: AirflowFiles = airflowFiles(),
  domain = DEFAULT_CLUSTER_DOMAIN,
): Record<string, unknown> {
  // The config schema admits only a valid reference pinned by tag.
  const { name: repository, tag } = parseImage(cfg.image)!;
  const pip = cfg.dependencies === "pip";
  const git = cfg.dags.source === "git" ? cfg.dags.git : undefined;
  const runner = taskRunner(cfg);
  const pipInit = pip ? { extraInitContainers: [pipInitContainer(cfg)] } : {};
  const tokens = serviceAccountTokens(cfg);
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
    extraEnv: s3CredentialsEnv(own),
    volumes: [
      scratchVolume("tmp", "1Gi"),
      filesVolume("platform-plugins", PLUGINS_CONFIG_MAP, files.plugins),
      ...(git ? [] : [filesVolume("platform-dags", DAGS_CONFIG_MAP, files.dags)]),
      ...(pip ? [scratchVolume("task-packages", "1Gi"), { name: "requirements", configMap: { name: REQUIREMENTS_CONFIG_MAP } }] : []),
    ],
    volumeMounts: [
      { name: "tmp", mountPath: "/tmp" },
      { name: "platform-plugins", mountPath: `${AIRFLOW_HOME}/plugins`, readOnly: true },
      ...(git ? [] : [{ name: "platform-dags", mountPath: `${AIRFLOW_HOME}/dags`, readOnly: true }]),
      ...(pip ? [{ name: "task-packages", mountPath: PACKAGES_DIR, readOnly: true }] : []),
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

/** Repository and tag; the config refuses digests for Airflow (see airflow.image). */
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

/**
 * Pods that call the Kubernetes API, and so keep a token: the task runner (Spark and dbt Jobs); under
 * KubernetesExecutor also the scheduler (task pods) and the api-server (running tasks' logs).
 */
export function apiCallers(cfg: AirflowConfig): Workload[] {
  return taskRunner(cfg) === WORKER ? [SCHEDULER, API_SERVER, WORKER] : [SCHEDULER];
}

/** Whether each of the chart's accounts mounts a token. */
function serviceAccountTokens(cfg: AirflowConfig) {
  const callers = apiCallers(cfg);
  return { scheduler: callers.includes(SCHEDULER), apiServer: callers.includes(API_SERVER), worker: callers.includes(WORKER) };
}

/**
 * What the chart does not set on its pods but the policy pack requires: no service-account token where
 * a pod never calls the Kubernetes API, no service-link variables, and a readiness probe on the
 * scheduler, dag-processor and triggerer, which have only a liveness check: their job's heartbeat
 * (`airflow jobs check`), which is also what "ready" means for them. Applied to the chart's objects.
 */
export function hardenChartObject(cfg: AirflowConfig, type: string, props: Record<string, any>): Record<string, any> | undefined {
  if (type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding") return onlySchedulerLaunchesPods(props);
  if (!["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job"].includes(type)) return undefined;
  const spec = props.spec?.template?.spec;
  if (!spec) return undefined;
  const token = apiCallers(cfg).some((w) => chartName(w) === props.metadata?.name);
  const longRunning = type !== "kubernetes:batch/v1:Job";
  const containers = (spec.containers ?? []).map((c: any) =>
    longRunning && c.livenessProbe && !c.readinessProbe ? { ...c, readinessProbe: c.livenessProbe } : c,
  );
  return {
    ...props,
    spec: {
      ...props.spec,
      template: { ...props.spec.template, spec: { ...spec, containers, automountServiceAccountToken: token, enableServiceLinks: false } },
    },
  };
}

/**
 * The chart binds its pod-launcher Role (pods create/delete/patch and pods/exec) to the scheduler, the
 * triggerer and the task pods' account. Only the scheduler starts task pods: a task able to exec into
 * any pod of the namespace could read every engine's credentials.
 */
export const POD_LAUNCHER_BINDING = `${RELEASE}-pod-launcher-rolebinding`;
function onlySchedulerLaunchesPods(props: Record<string, any>): Record<string, any> | undefined {
  if (props.metadata?.name !== POD_LAUNCHER_BINDING) return undefined;
  return { ...props, subjects: (props.subjects ?? []).filter((s: any) => s.kind === "ServiceAccount" && s.name === SCHEDULER_ACCOUNT) };
}

/** Creates the database and its user, or resets the password; safe to run again. */
export function databaseScript(database: Pick<DatabaseServer, "host">): string {
  const host = database.host;
  return [
    "set -eu",
    'export MYSQL_PWD="$MYSQL_ROOT_PASSWORD"',
    `until mysqladmin ping -h ${host} -uroot --silent; do echo 'waiting for MySQL'; sleep 5; done`,
    `mysql -h ${host} -uroot <<SQL`,
    `CREATE DATABASE IF NOT EXISTS ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
    `CREATE USER IF NOT EXISTS '${DATABASE_USER}'@'%' IDENTIFIED BY '\${AIRFLOW_DB_PASSWORD}';`,
    `ALTER USER '${DATABASE_USER}'@'%' IDENTIFIED BY '\${AIRFLOW_DB_PASSWORD}';`,
    `GRANT ALL PRIVILEGES ON ${DATABASE}.* TO '${DATABASE_USER}'@'%';`,
    "SQL",
  ].join("\n");
}

/** RBAC rules the platform's operators use, and nothing else (dataplatform_operators/spark.py). */
export function taskJobRules(b: Pick<AirflowBackends, "spark" | "dbt">) {
  return [
    { apiGroups: ["batch"], resources: ["cronjobs"], resourceNames: jobTemplates(b), verbs: ["get"] },
    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
    { apiGroups: ["batch"], resources: ["jobs/status"], verbs: ["get"] },
  ];
}

export function airflowManifests(
  cfg: AirflowConfig,
  ns: string,
  b: AirflowBackends,
  own: AirflowCredentials,
  files: AirflowFiles = airflowFiles(),
): Manifest[] {
  const manifests: Manifest[] = [
    filesConfigMap(PLUGINS_CONFIG_MAP, ns, SCHEDULER, files.plugins),
    ...(cfg.dags.source === "configmap" ? [filesConfigMap(DAGS_CONFIG_MAP, ns, SCHEDULER, files.dags)] : []),
    ...(cfg.dependencies === "pip"
      ? [configMap(REQUIREMENTS_CONFIG_MAP, ns, SCHEDULER, { "requirements.txt": fs.readFileSync(REQUIREMENTS_FILE, "utf8") })]
      : []),
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: TASK_JOBS_ROLE, namespace: ns, labels: workloadLabels(taskRunner(cfg)) },
      rules: taskJobRules(b),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: TASK_JOBS_ROLE, namespace: ns, labels: workloadLabels(taskRunner(cfg)) },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: TASK_JOBS_ROLE },
      subjects: [{ kind: "ServiceAccount", name: taskAccount(cfg), namespace: ns }],
    },
    ...setupJob({
      name: "airflow-database",
      ns,
      workload: DATABASE_SETUP,
      uid: 999,
      image: b.database.clientImage,
      shell: "/bin/bash",
      script: databaseScript(b.database),
      env: [
        secretEnv("MYSQL_ROOT_PASSWORD", b.database.credentials, "root-password"),
        secretEnv("AIRFLOW_DB_PASSWORD", own, "db-password"),
        { name: "HOME", value: "/tmp" },
      ],
      memory: "256Mi",
    }),
    ...setupJob({
      name: "airflow-logs-user",
      ns,
      workload: LOGS_USER,
      uid: 1000,
      image: b.lake.clientImage,
      shell: "/bin/sh",
      script: logsUserScript(b.lake),
      env: [
        secretEnv("MINIO_ROOT_USER", b.lake.credentials, "root-user"),
        secretEnv("MINIO_ROOT_PASSWORD", b.lake.credentials, "root-password"),
        secretEnv("LOGS_ACCESS_KEY", own, "logs-access-key"),
        secretEnv("LOGS_SECRET_KEY", own, "logs-secret-key"),
        { name: "MC_CONFIG_DIR", value: "/tmp/mc" },
      ],
      memory: "128Mi",
    }),
    ...[
      [SCHEDULER, cfg.scheduler.replicas],
      [API_SERVER, cfg.apiServer.replicas],
      [DAG_PROCESSOR, cfg.dagProcessor.replicas],
      [TRIGGERER, cfg.triggerer.replicas],
    ]
      .filter(([, replicas]) => (replicas as number) > 1)
      .map(([w]) => podDisruptionBudget(`airflow-${(w as Workload).component}`, ns, w as Workload)),
    ...egressPolicies(cfg, ns),
  ];
  return manifests;
}

/** A one-shot setup task run before the chart (a database, a storage user): its account and its Job. */
function setupJob(a: {
  name: string;
  ns: string;
  workload: Workload;
  uid: number;
  image: string;
  shell: string;
  script: string;
  env: Record<string, unknown>[];
  memory: string;
}): Manifest[] {
  return [
    serviceAccount(a.name, a.ns, a.workload),
    job({
      prefix: a.name,
      namespace: a.ns,
      workload: a.workload,
      uid: a.uid,
      serviceAccountName: a.name,
      container: container({
        name: a.workload.component,
        image: a.image,
        command: [a.shell, "-c", a.script],
        env: a.env as any,
        resources: { requests: { cpu: "50m", memory: a.memory }, limits: { memory: a.memory } },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      }),
      volumes: [scratchVolume("tmp", "64Mi")],
    }),
  ];
}

/** Pod selector for a set of Airflow workloads. */
function airflowPods(workloads: Workload[]): Record<string, unknown> {
  return {
    matchLabels: { "app.kubernetes.io/name": "airflow", "app.kubernetes.io/part-of": PART_OF },
    matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: workloads.map((w) => w.component) }],
  };
}

/** Egress outside the namespace: the Kubernetes API, PyPI for task packages, the DAG repository. */
export function egressPolicies(cfg: AirflowConfig, ns: string): Manifest[] {
  const policies: Manifest[] = [
    httpsEgress("allow-airflow-kubernetes-api", ns, SCHEDULER, airflowPods(apiCallers(cfg)), { to: cfg.kubernetesApiCidrs, ports: [443, 6443] }),
  ];
  if (cfg.dependencies === "pip") policies.push(httpsEgress("allow-airflow-pypi", ns, taskRunner(cfg), airflowPods([taskRunner(cfg)])));
  if (cfg.dags.source === "git") {
    // A server inside the network is named by its addresses, else any public address; ssh:// and git@
    // URLs clone over port 22.
    policies.push(httpsEgress("allow-airflow-git", ns, DAG_PROCESSOR, airflowPods(dagReaders(cfg)), { to: cfg.dags.git?.serverCidrs, ports: [443, 22] }));
  }
  return policies;
}

export function airflowFlows(cfg: AirflowConfig, b: AirflowBackends): Flow[] {
  const runner = taskRunner(cfg);
  const components = [SCHEDULER, API_SERVER, DAG_PROCESSOR, TRIGGERER];
  return [
    ...[...components, MIGRATIONS, CREATE_USER, DATABASE_SETUP].flatMap((w) => b.database.access(w)),
    ...b.lake.access(LOGS_USER),
    ...dagReaders(cfg).map((w) => ({ from: w, to: API_SERVER, ports: [API_PORT] })),
    // Logs of running tasks: the scheduler's and triggerer's log servers.
    ...(cfg.executor === "LocalExecutor" ? [{ from: API_SERVER, to: SCHEDULER, ports: [SCHEDULER_LOG_PORT] }] : []),
    { from: API_SERVER, to: TRIGGERER, ports: [TRIGGERER_LOG_PORT] },
    // Remote task logs in MinIO.
    ...[...new Set([...components, runner])].flatMap((w) => b.lake.access(w)),
    // What the DAG's tasks talk to: the generator and topic check to Kafka, StarburstOperator to Trino.
    ...b.kafka.access(runner),
    ...b.sql.access(runner),
  ];
}

/** A Fernet key (URL-safe base64 of 32 bytes) from 32 generated characters. */
export function fernetKey(seed: string): string {
  const bytes = Buffer.from(seed, "utf8");
  if (bytes.length !== 32) throw new Error(`a Fernet key needs 32 bytes, got ${bytes.length}`);
  return bytes.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}
