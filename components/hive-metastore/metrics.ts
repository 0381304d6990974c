/**
 * The metastore's JMX exporter rules: Hive's own metrics (metastore.metrics.enabled, reported as JMX
 * beans in the "metrics" domain): its API calls and open connections. Its total_count_* gauges are
 * left out: a real metastore reported 0 databases beside its default one (they are counted once, at
 * start).
 */
import { stringify } from "yaml";
import { alert, type AlertGroup, type Dashboard, panel } from "../kit/metrics";

/** A metric the alerts and dashboard read: the engine suite scrapes a real metastore for each. */
export const METASTORE_METRICS = {
  /** Calls per API (label api: get_table, create_table...), and their time by quantile. */
  apiCalls: "hive_metastore_api_calls_total",
  apiTime: "hive_metastore_api_seconds",
  openConnections: "hive_metastore_open_connections",
} as const;

/** The properties that turn Hive's metrics on, reported as JMX beans only (no JSON file). */
export const METRICS_PROPERTIES = { "metastore.metrics.enabled": true, "metastore.metrics.reporters": "jmx" } as const;

const QUANTILES = { "50thPercentile": "0.5", "99thPercentile": "0.99" } as const;

/** The rules file (jmx-exporter.yaml). Dropwizard timers are in milliseconds; Prometheus's convention is seconds. */
export function metastoreExporterRules(): string {
  return stringify({
    lowercaseOutputName: true,
    lowercaseOutputLabelNames: true,
    rules: [
      { pattern: "metrics<name=api_(\\w+)(?:, type=timers)?><>Count", name: "hive_metastore_api_calls_total", type: "COUNTER", labels: { api: "$1" } },
      ...Object.entries(QUANTILES).map(([attribute, quantile]) => ({
        pattern: `metrics<name=api_(\\w+)(?:, type=timers)?><>${attribute}`,
        name: "hive_metastore_api_seconds",
        type: "GAUGE",
        valueFactor: 0.001,
        labels: { api: "$1", quantile },
      })),
      { pattern: "metrics<name=open_connections(?:, type=\\w+)?><>Count", name: "hive_metastore_open_connections", type: "GAUGE" },
    ],
  });
}

/** The metastore answering slowly: every engine's planning waits on it. */
export function metastoreAlerts(ns: string): AlertGroup {
  const sel = `namespace="${ns}"`;
  return {
    name: "data-platform.hive-metastore",
    rules: [
      alert(
        "HiveMetastoreSlowCalls",
        `max by (api) (${METASTORE_METRICS.apiTime}{${sel},quantile="0.99",api=~"get_table.*|get_partitions.*"}) > 5`,
        "15m",
        "warning",
        "The Hive Metastore takes more than 5 s to answer table lookups",
        "The 99th percentile of {{ $labels.api }} is {{ $value | humanizeDuration }}: its database is slow or overloaded; Trino, Spark and Impala plan slowly.",
      ),
    ],
  };
}

/** Calls per API, their time and the open connections. */
export function metastoreDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  return {
    uid: "data-platform-hive-metastore",
    title: "Data platform / Hive Metastore",
    panels: [
      panel("Calls per second by API", `sum by (api) (rate(${METASTORE_METRICS.apiCalls}{${sel}}[5m]))`, "reqps", "{{api}}"),
      panel("Call time, 99th percentile, by API", `max by (api) (${METASTORE_METRICS.apiTime}{${sel},quantile="0.99"})`, "s", "{{api}}"),
      panel("Open connections", `sum(${METASTORE_METRICS.openConnections}{${sel}})`),
    ],
  };
}
