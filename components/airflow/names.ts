/** Airflow's names: workloads, ports, ConfigMaps, accounts, the backends it stands on, and its DAG and plugin files. */
import * as fs from "node:fs";
import * as path from "node:path";
import { readTree, type Workload } from "../kit";
import type { DatabaseServer, DbtTemplate, JobTemplate, KafkaCluster, ObjectStore, SqlService } from "../kit/contracts";
import type { AirflowConfig } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

/** Release name; the chart names its objects "<release>-<part>" (airflow-scheduler, airflow-api-server). */
export const RELEASE = "airflow";
export const SCHEDULER: Workload = { name: "airflow", component: "scheduler" };
export const API_SERVER: Workload = { name: "airflow", component: "api-server" };
export const DAG_PROCESSOR: Workload = { name: "airflow", component: "dag-processor" };
export const TRIGGERER: Workload = { name: "airflow", component: "triggerer" };
/** Task pods under KubernetesExecutor. */
export const WORKER: Workload = { name: "airflow", component: "worker" };
export const MIGRATIONS: Workload = { name: "airflow", component: "migrations" };
export const CREATE_USER: Workload = { name: "airflow", component: "create-user" };
export const DATABASE_SETUP: Workload = { name: "airflow", component: "database" };

/** The chart's container in the API server's pods (what `npm run health` execs into). */
export const API_SERVER_CONTAINER = "api-server";

/** The script `npm run health` runs in the API server's pod: each DAG's newest run and its failed tasks (health/dag_runs.py). */
export function dagRunsScript(): string {
  return fs.readFileSync(path.join(__dirname, "health", "dag_runs.py"), "utf8");
}

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

export const AIRFLOW_DIR = __dirname;
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
export const chartName = (w: Workload) => `${RELEASE}-${w.component}`;

/** The workload that runs task code: the scheduler (LocalExecutor) or a pod per task (KubernetesExecutor). */
export function taskRunner(cfg: AirflowConfig): Workload {
  return cfg.executor === "LocalExecutor" ? SCHEDULER : WORKER;
}
export function taskAccount(cfg: AirflowConfig): string {
  return chartName(taskRunner(cfg));
}

/**
 * Pods that call the Kubernetes API, and so keep a token: the task runner (Spark and dbt Jobs); under
 * KubernetesExecutor also the scheduler (task pods) and the api-server (running tasks' logs).
 */
export function apiCallers(cfg: AirflowConfig): Workload[] {
  return taskRunner(cfg) === WORKER ? [SCHEDULER, API_SERVER, WORKER] : [SCHEDULER];
}

export function metadataConnection(database: Pick<DatabaseServer, "host" | "port">, password: string): string {
  return `mysql+mysqldb://${DATABASE_USER}:${password}@${database.host}:${database.port}/${DATABASE}`;
}

export function apiServerUrl(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `http://${RELEASE}-api-server.${ns}.svc.${domain}:${API_PORT}`;
}
