/**
 * The objects the platform makes beside the chart (the MySQL database, DAGs and plugins, the task Jobs' RBAC,
 * budgets, egress) and Airflow's flows. Pure: the component turns these into resources.
 */
import * as fs from "node:fs";
import {
  configMap,
  container,
  filesConfigMap,
  type Flow,
  httpsEgress,
  job,
  type Manifest,
  PART_OF,
  podDisruptionBudget,
  scratchVolume,
  serviceAccount,
  type Workload,
  workloadLabels,
} from "../kit";
import type { DatabaseServer } from "../kit/contracts";
import { secretEnv } from "../kit/secret-ref";
import type { MonitoringConfig } from "../kit/metrics";
import type { AirflowConfig, AirflowCredentials } from "./config";
import { STATSD, STATSD_PORT, statsdExporterManifests } from "./metrics";
import {
  API_PORT,
  API_SERVER,
  type AirflowBackends,
  type AirflowFiles,
  airflowFiles,
  apiCallers,
  CREATE_USER,
  DAG_PROCESSOR,
  DAGS_CONFIG_MAP,
  DATABASE,
  DATABASE_SETUP,
  DATABASE_USER,
  jobTemplates,
  MIGRATIONS,
  PLUGINS_CONFIG_MAP,
  REQUIREMENTS_CONFIG_MAP,
  REQUIREMENTS_FILE,
  SCHEDULER,
  SCHEDULER_LOG_PORT,
  TASK_JOBS_ROLE,
  taskAccount,
  taskRunner,
  TRIGGERER,
  TRIGGERER_LOG_PORT,
  WORKER,
} from "./names";

export * from "./names";
export * from "./values";
export * from "./hardening";

/** The parts that read DAG files and talk to the execution API (task pods too under KubernetesExecutor). */
function dagReaders(cfg: AirflowConfig): Workload[] {
  return [SCHEDULER, DAG_PROCESSOR, TRIGGERER, ...(taskRunner(cfg) === WORKER ? [WORKER] : [])];
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
  monitoring?: MonitoringConfig,
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
    ...[
      [SCHEDULER, cfg.scheduler.replicas],
      [API_SERVER, cfg.apiServer.replicas],
      [DAG_PROCESSOR, cfg.dagProcessor.replicas],
      [TRIGGERER, cfg.triggerer.replicas],
    ]
      .filter(([, replicas]) => (replicas as number) > 1)
      .map(([w]) => podDisruptionBudget(`airflow-${(w as Workload).component}`, ns, w as Workload)),
    ...egressPolicies(cfg, ns),
    ...(monitoring ? statsdExporterManifests(cfg, ns, monitoring.logFormat) : []),
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

export function airflowFlows(cfg: AirflowConfig, b: AirflowBackends, monitoring?: MonitoringConfig): Flow[] {
  const runner = taskRunner(cfg);
  const components = [SCHEDULER, API_SERVER, DAG_PROCESSOR, TRIGGERER];
  const airflowProcesses = [...new Set([...components, runner])];
  return [
    ...[...components, MIGRATIONS, CREATE_USER, DATABASE_SETUP].flatMap((w) => b.database.access(w)),
    ...dagReaders(cfg).map((w) => ({ from: w, to: API_SERVER, ports: [API_PORT] })),
    // Logs of running tasks: the scheduler's and triggerer's log servers.
    ...(cfg.executor === "LocalExecutor" ? [{ from: API_SERVER, to: SCHEDULER, ports: [SCHEDULER_LOG_PORT] }] : []),
    { from: API_SERVER, to: TRIGGERER, ports: [TRIGGERER_LOG_PORT] },
    // Remote task logs in MinIO.
    ...airflowProcesses.flatMap((w) => b.lake.access(w)),
    // Metrics, over StatsD's UDP (task pods report their own failures under KubernetesExecutor).
    ...(monitoring ? airflowProcesses.map((w) => ({ from: w, to: STATSD, ports: [STATSD_PORT], protocol: "UDP" as const })) : []),
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
