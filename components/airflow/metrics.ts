/**
 * Airflow's metrics. Airflow reports through StatsD (UDP), which Prometheus cannot scrape: the
 * platform runs statsd_exporter beside it (the role the official chart's statsd Deployment plays),
 * with mappings that keep DAG, task and pool as labels, and scrapes that. Settings, arguments and
 * metric names are in statsd-metrics.json, which test/airflow runs with a real Airflow and exporter.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { container, containerPorts, type Manifest, type Port, podSpec, type Workload } from "../kit";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { alert, type AlertGroup, type Dashboard, type LogFormat, type MetricsEndpoint, METRICS_PORT_NAME, type MonitoringConfig, panel } from "../kit/metrics";
import { statelessRoleObjects } from "../kit/role";
import type { AirflowConfig } from "./config";

const SPEC_FILE = path.join(__dirname, "statsd-metrics.json");
const MAPPINGS_FILE = "statsd-mappings.yaml";

const spec = JSON.parse(fs.readFileSync(SPEC_FILE, "utf8")) as {
  config: Record<string, string>;
  exporter: { statsdPort: number; metricsPort: number; mappingsDir: string; args: string[] };
  metrics: Record<
    | "taskFailed"
    | "tryFailures"
    | "taskSuccesses"
    | "schedulerHeartbeat"
    | "importErrors"
    | "poolOpenSlots"
    | "poolQueuedSlots"
    | "poolRunningSlots"
    | "dagRunDuration"
    | "dagRunsSucceeded"
    | "dagRunsFailed"
    | "taskDuration"
    | "fileParsedAgo",
    string
  >;
};

/** A metric the alerts and dashboard read: test/airflow scrapes a real exporter fed by a real Airflow for each. */
export const AIRFLOW_METRICS = spec.metrics;
export const STATSD: Workload = { name: "airflow", component: "statsd" };
export const STATSD_NAME = "airflow-statsd";
export const STATSD_PORT = spec.exporter.statsdPort;
export const STATSD_METRICS_PORT = spec.exporter.metricsPort;
/** The exporter image's user (nobody). */
const NOBODY = 65534;
const STATSD_UDP: Port = { name: "statsd", port: STATSD_PORT, protocol: "UDP" };

/** The mappings the exporter runs with (statsd-mappings.yaml). */
export function statsdMappings(): string {
  return fs.readFileSync(path.join(__dirname, MAPPINGS_FILE), "utf8");
}

/** Airflow's [metrics] section: StatsD to the exporter's Service, tags as labels. */
export function statsdConfig(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): Record<string, string> {
  return { ...spec.config, statsd_host: `${STATSD_NAME}.${ns}.svc.${domain}`, statsd_port: String(STATSD_PORT) };
}

export function airflowMetrics(monitoring?: MonitoringConfig): MetricsEndpoint[] {
  return monitoring ? [{ workload: STATSD, port: STATSD_METRICS_PORT, path: "/metrics" }] : [];
}

/** The exporter: one pod (each keeps its own counters, so two would split them), its mappings, its Service. */
export function statsdExporterManifests(cfg: AirflowConfig, ns: string, logFormat: LogFormat = "text"): Manifest[] {
  const files = { [MAPPINGS_FILE]: statsdMappings() };
  const probe = (p: string) => ({ httpGet: { path: p, port: STATSD_METRICS_PORT }, periodSeconds: 10 });
  return statelessRoleObjects({
    name: STATSD_NAME,
    namespace: ns,
    workload: STATSD,
    image: cfg.statsdExporter.image,
    replicas: 1,
    // One pod by design: a budget would protect nothing.
    budgetWhenReplicated: true,
    serviceAccount: STATSD_NAME,
    files,
    pod: podSpec(
      STATSD,
      NOBODY,
      {
        containers: [
          container({
            name: "statsd-exporter",
            image: cfg.statsdExporter.image,
            args: [...spec.exporter.args, ...(logFormat === "json" ? ["--log.format=json"] : [])],
            ports: containerPorts([STATSD_UDP, { name: METRICS_PORT_NAME, port: STATSD_METRICS_PORT }]),
            readinessProbe: probe("/-/ready"),
            livenessProbe: { ...probe("/-/healthy"), failureThreshold: 6 },
            resources: cfg.statsdExporter.resources,
            volumeMounts: [{ name: "mappings", mountPath: spec.exporter.mappingsDir, readOnly: true }],
          }),
        ],
        volumes: [{ name: "mappings", configMap: { name: STATSD_NAME } }],
      },
      STATSD_NAME,
    ),
    client: { name: STATSD_NAME, ports: [STATSD_UDP] },
  });
}

/** Failed tasks, a scheduler that stopped, DAG files that no longer import, and a pool with no free slot. */
export function airflowAlerts(ns: string): AlertGroup {
  const sel = `namespace="${ns}"`;
  const m = AIRFLOW_METRICS;
  // The final state: a try that fails and is retried finishes up_for_retry.
  const failed = `${m.taskFailed}{${sel}, state="failed"}`;
  const heartbeat = `${m.schedulerHeartbeat}{${sel}}`;
  // Scraped without a gap for the whole window, so a series missing 15 minutes ago is really new.
  const exporterSteady = `on () (min_over_time(up{${sel}, pod=~"${STATSD_NAME}-.*"}[16m]) == 1)`;
  return {
    name: "data-platform.airflow",
    rules: [
      alert(
        "AirflowTaskFailed",
        // A task's first failure starts its series at 1, which increase() cannot see: the second clause finds it.
        `sum by (dag_id, task_id) (round(increase(${failed}[15m])) > 0 or (${failed} unless ${failed} offset 15m) and ${exporterSteady})`,
        "0m",
        "warning",
        "An Airflow task failed",
        "{{ $labels.dag_id }}.{{ $labels.task_id }} failed (after its retries) {{ $value }} times in 15 minutes: its log is in the lake (Airflow's remote logs).",
      ),
      alert(
        "AirflowSchedulerHeartbeatMissing",
        `sum(rate(${heartbeat}[3m])) == 0 or absent(${heartbeat})`,
        "5m",
        "critical",
        "No heartbeat of Airflow's scheduler reaches Prometheus",
        "No scheduler heartbeat for about 8 minutes: no task is being scheduled, or the airflow-statsd exporter is down or not scraped. Look at the airflow-scheduler and airflow-statsd pods.",
      ),
      alert(
        "AirflowDagImportErrors",
        `max(${m.importErrors}{${sel}}) > 0`,
        "10m",
        "warning",
        "A DAG file does not import",
        "{{ $value }} DAG files fail to import: their DAGs are gone from Airflow until fixed (the UI lists the errors).",
      ),
      alert(
        "AirflowPoolFull",
        // Counted from the database by each scheduler alike, unlike the executor's slots, which each scheduler reports for itself.
        `max by (pool_name) (${m.poolOpenSlots}{${sel}}) == 0 and max by (pool_name) (${m.poolQueuedSlots}{${sel}}) > 0`,
        "30m",
        "warning",
        "An Airflow pool has no free slot",
        "Tasks have waited 30 minutes for a slot of pool {{ $labels.pool_name }}: raise its slots, or the scheduler's parallelism (LocalExecutor: its memory).",
      ),
    ],
  };
}

/** Tasks and DAG runs, the scheduler's heartbeat, the pools' slots, DAG files. */
export function airflowDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  const m = AIRFLOW_METRICS;
  const perDag = (metric: string) => `sum by (dag_id) (increase(${metric}{${sel}}[1h]))`;
  const perPool = (metric: string) => `max by (pool_name) (${metric}{${sel}})`;
  return {
    uid: "data-platform-airflow",
    title: "Data platform / Airflow",
    panels: [
      panel("Tasks failed per hour", `sum by (dag_id, task_id) (increase(${m.taskFailed}{${sel}, state="failed"}[1h]))`, "short", "{{dag_id}}.{{task_id}}"),
      panel("Tries failed per hour (retried ones too)", `sum by (dag_id, task_id) (increase(${m.tryFailures}{${sel}}[1h]))`, "short", "{{dag_id}}.{{task_id}}"),
      panel("Task successes per hour", perDag(m.taskSuccesses), "short", "{{dag_id}}"),
      panel("DAG runs per hour", { "{{dag_id}} succeeded": perDag(m.dagRunsSucceeded), "{{dag_id}} failed": perDag(m.dagRunsFailed) }),
      panel("DAG run duration (p90)", `max by (dag_id) (${m.dagRunDuration}{${sel}, quantile="0.9"})`, "s", "{{dag_id}}"),
      panel("Task duration (p90)", `max by (dag_id, task_id) (${m.taskDuration}{${sel}, quantile="0.9"})`, "s", "{{dag_id}}.{{task_id}}"),
      panel("Scheduler heartbeats per minute", `sum(rate(${m.schedulerHeartbeat}{${sel}}[5m])) * 60`),
      panel("Pool slots", {
        "{{pool_name}} open": perPool(m.poolOpenSlots),
        "{{pool_name}} queued": perPool(m.poolQueuedSlots),
        "{{pool_name}} running": perPool(m.poolRunningSlots),
      }),
      panel("DAG files: import errors", `max(${m.importErrors}{${sel}})`),
      panel("DAG files: seconds since parsed", `max by (file) (${m.fileParsedAgo}{${sel}})`, "s", "{{file}}"),
    ],
  };
}
