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

/** The streaming job falling behind Kafka: each batch takes longer than its trigger. */
export function sparkAlerts(ns: string, triggerSeconds: number): AlertGroup {
  const sel = `namespace="${ns}"`;
  return {
    name: "data-platform.spark",
    rules: [
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
    ],
  };
}

/** Each query's rows in and out and its batch time. */
export function sparkDashboard(ns: string, triggerSeconds: number): Dashboard {
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
