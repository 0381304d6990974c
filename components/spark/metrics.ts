/**
 * The streaming driver's metrics: Spark's streaming gauges per query (batch latency, rows arriving
 * and rows processed per second), served by the JMX exporter agent. Structured Streaming keeps its
 * Kafka offsets in its checkpoint, not in a consumer group, so there is no group lag for a Kafka-side
 * exporter to read: a batch that takes longer than its trigger is the sign the backlog grows.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { alert, type AlertGroup, type Dashboard, panel } from "../kit/metrics";

const STREAMING_METRICS_FILE = path.join(__dirname, "streaming-metrics.json");
const RULES_FILE = path.join(__dirname, "jmx-exporter.yaml");
const DAEMON_METRICS_FILE = path.join(__dirname, "daemon-metrics.json");
const DAEMON_RULES_FILE = path.join(__dirname, "jmx-exporter-daemons.yaml");

const spec = JSON.parse(fs.readFileSync(STREAMING_METRICS_FILE, "utf8")) as {
  conf: Record<string, string>;
  metrics: { latency: string; inputRate: string; processedRate: string };
};

/** The driver's settings that turn the streaming gauges on and report them as JMX beans. */
export const STREAMING_METRICS_CONF: Record<string, string> = spec.conf;
/** A metric the alerts and dashboard read: test/python scrapes a real Spark driver for each. */
export const SPARK_METRICS = spec.metrics;

/** The rules file (jmx-exporter.yaml). */
export function sparkExporterRules(): string {
  return fs.readFileSync(RULES_FILE, "utf8");
}

const daemons = JSON.parse(fs.readFileSync(DAEMON_METRICS_FILE, "utf8")) as {
  conf: Record<string, string>;
  metrics: {
    workers: string;
    aliveWorkers: string;
    applications: string;
    waitingApplications: string;
    executors: string;
    coresUsed: string;
    coresFree: string;
    memoryUsed: string;
    memoryFree: string;
  };
};

/** The master's and workers' settings that report their sources as JMX beans (system properties of the daemon's JVM). */
export const DAEMON_METRICS_CONF: Record<string, string> = daemons.conf;
/** A metric of the master or a worker that the alerts and dashboard read: test/python scrapes a real master and worker for each. */
export const SPARK_DAEMON_METRICS = daemons.metrics;

/** The master's and workers' rules file (jmx-exporter-daemons.yaml). */
export function sparkDaemonExporterRules(): string {
  return fs.readFileSync(DAEMON_RULES_FILE, "utf8");
}

/**
 * Workers missing from the master, and applications waiting for cores. The workers deployed come
 * from kube-state-metrics, not from this program: scaling the workers changes their Deployment alone.
 */
function clusterAlerts(sel: string, workerDeployment: string) {
  const m = SPARK_DAEMON_METRICS;
  return [
    alert(
      "SparkWorkersMissing",
      `max(${m.aliveWorkers}{${sel}}) < max(kube_deployment_spec_replicas{${sel}, deployment="${workerDeployment}"})`,
      "10m",
      "warning",
      "Fewer Spark workers are alive at the master than are deployed",
      "Only {{ $value }} workers are alive at the master: applications get fewer cores. Look at the spark-worker pods and their logs.",
    ),
    alert(
      "SparkApplicationsWaiting",
      `max(${m.waitingApplications}{${sel}}) > 0`,
      "15m",
      "warning",
      "Spark applications wait for cores on the standalone cluster",
      "{{ $value }} applications have waited 15 minutes for an executor: the workers' cores are taken. Add workers (spark.workers.replicas) or lower spark.streamingCores.",
    ),
  ];
}

/**
 * The standalone cluster short of workers or cores (`workerDeployment`: the workers' Deployment);
 * the streaming job falling behind Kafka (`triggerSeconds`: its trigger; none without the job).
 */
export function sparkAlerts(ns: string, workerDeployment: string, triggerSeconds?: number): AlertGroup {
  const sel = `namespace="${ns}"`;
  return {
    name: "data-platform.spark",
    rules: [...clusterAlerts(sel, workerDeployment), ...(triggerSeconds !== undefined ? streamingAlerts(sel, triggerSeconds) : [])],
  };
}

/** The streaming job falling behind Kafka: each batch takes longer than its trigger. */
function streamingAlerts(sel: string, triggerSeconds: number) {
  return [
    alert(
      "SparkStreamingFallingBehind",
      `max by (query) (${SPARK_METRICS.latency}{${sel}}) > ${triggerSeconds * 1000}`,
      "15m",
      "warning",
      "The streaming job's batches take longer than their trigger",
      `{{ $labels.query }}'s batches take {{ $value | humanize }} ms against a ${triggerSeconds} s trigger: Kafka's unread backlog grows. Give it more cores (spark.streamingCores).`,
    ),
    alert(
      "SparkStreamingProcessingSlower",
      `sum by (query) (${SPARK_METRICS.processedRate}{${sel}}) < sum by (query) (${SPARK_METRICS.inputRate}{${sel}})`,
      "30m",
      "warning",
      "The streaming job processes fewer rows than arrive",
      "{{ $labels.query }} has processed fewer rows per second than arrived for 30 minutes.",
    ),
  ];
}

/** The standalone cluster: workers and applications at the master, each worker's cores and memory. */
export function sparkClusterDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  const m = SPARK_DAEMON_METRICS;
  return {
    uid: "data-platform-spark",
    title: "Data platform / Spark",
    panels: [
      // Registered includes dead workers until the master drops them.
      panel("Workers at the master", { alive: `max(${m.aliveWorkers}{${sel}})`, registered: `max(${m.workers}{${sel}})` }),
      // The master's application count includes those waiting.
      panel("Applications", {
        running: `max(${m.applications}{${sel}}) - max(${m.waitingApplications}{${sel}})`,
        waiting: `max(${m.waitingApplications}{${sel}})`,
      }),
      panel("Cores by worker", { "{{pod}} used": `sum by (pod) (${m.coresUsed}{${sel}})`, "{{pod}} free": `sum by (pod) (${m.coresFree}{${sel}})` }),
      panel(
        "Executor memory by worker",
        { "{{pod}} used": `sum by (pod) (${m.memoryUsed}{${sel}})`, "{{pod}} free": `sum by (pod) (${m.memoryFree}{${sel}})` },
        "bytes",
      ),
      panel("Executors by worker", `sum by (pod) (${m.executors}{${sel}})`, "short", "{{pod}}"),
    ],
  };
}

/** Each query's rows in and out and its batch time. */
export function sparkStreamingDashboard(ns: string, triggerSeconds: number): Dashboard {
  const sel = `namespace="${ns}"`;
  return {
    uid: "data-platform-spark-streaming",
    title: "Data platform / Spark streaming",
    panels: [
      panel(
        "Rows per second by query",
        {
          "{{query}} in": `sum by (query) (${SPARK_METRICS.inputRate}{${sel}})`,
          "{{query}} processed": `sum by (query) (${SPARK_METRICS.processedRate}{${sel}})`,
        },
        "rowsps",
      ),
      panel(`Batch time by query (trigger ${triggerSeconds} s)`, `max by (query) (${SPARK_METRICS.latency}{${sel}})`, "ms", "{{query}}"),
    ],
  };
}
