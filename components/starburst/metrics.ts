/**
 * Trino's JMX exporter rules: the query manager's counters and gauges, the cluster's memory and the
 * coordinator's view of its workers. Trino's own /metrics endpoint answers only an authenticated
 * user (a password over HTTPS in tls mode), so Prometheus scrapes the agent's plain port instead,
 * which only its namespace reaches.
 */
import { stringify } from "yaml";
import { alert, type AlertGroup, type Dashboard, panel } from "../kit/metrics";

/** A metric the alerts and dashboard read: the engine suite scrapes a real coordinator for each. */
export const TRINO_METRICS = {
  startedQueries: "trino_execution_querymanager_startedqueries_total",
  completedQueries: "trino_execution_querymanager_completedqueries_total",
  failedQueries: "trino_execution_querymanager_failedqueries_total",
  internalFailures: "trino_execution_querymanager_internalfailures_total",
  userErrorFailures: "trino_execution_querymanager_usererrorfailures_total",
  runningQueries: "trino_execution_querymanager_runningqueries",
  queuedQueries: "trino_execution_querymanager_queuedqueries",
  /** Seconds a query waited in its resource group before it ran, by quantile over the last five minutes. */
  queuedTime: "trino_execution_querymanager_queuedtime_seconds",
  executionTime: "trino_execution_querymanager_executiontime_seconds",
  activeWorkers: "trino_failuredetector_heartbeatfailuredetector_activecount",
  failedWorkers: "trino_failuredetector_heartbeatfailuredetector_failedcount",
  freeMemory: "trino_memory_clustermemorypool_freedistributedbytes",
  totalMemory: "trino_memory_clustermemorypool_totaldistributedbytes",
} as const;

const QUANTILES = { P50: "0.5", P90: "0.9", P99: "0.99" } as const;

/** The rules file (jmx-exporter.yaml). Unmatched beans are not exported: the output stays small. */
export function trinoExporterRules(): string {
  const qm = "trino.execution<name=QueryManager><>";
  return stringify({
    lowercaseOutputName: true,
    lowercaseOutputLabelNames: true,
    rules: [
      { pattern: `${qm}(\\w+)\\.TotalCount`, name: "trino_execution_querymanager_$1_total", type: "COUNTER" },
      { pattern: `${qm}(RunningQueries|QueuedQueries|BlockedQueries)`, name: "trino_execution_querymanager_$1", type: "GAUGE" },
      // Airlift's time stats are milliseconds; Prometheus's convention is seconds.
      ...Object.entries(QUANTILES).map(([p, q]) => ({
        pattern: `${qm}(QueuedTime|ExecutionTime)\\.FiveMinutes\\.${p}`,
        name: "trino_execution_querymanager_$1_seconds",
        type: "GAUGE",
        valueFactor: 0.001,
        labels: { quantile: q },
      })),
      {
        pattern: "trino.failuredetector<name=HeartbeatFailureDetector><>(ActiveCount|FailedCount)",
        name: "trino_failuredetector_heartbeatfailuredetector_$1",
        type: "GAUGE",
      },
      {
        pattern: "trino.memory<type=ClusterMemoryPool, name=(\\w+)><>(\\w+DistributedBytes)",
        name: "trino_memory_clustermemorypool_$2",
        type: "GAUGE",
        labels: { pool: "$1" },
      },
    ],
  });
}

/** What Trino's users feel: queries failing by the engine's fault, queries waiting to start, workers lost. */
export function trinoAlerts(ns: string): AlertGroup {
  const sel = `namespace="${ns}"`;
  return {
    name: "data-platform.trino",
    rules: [
      alert(
        "TrinoQueriesFailing",
        `sum(rate(${TRINO_METRICS.failedQueries}{${sel}}[10m])) - sum(rate(${TRINO_METRICS.userErrorFailures}{${sel}}[10m])) > 0.1 * sum(rate(${TRINO_METRICS.startedQueries}{${sel}}[10m]))`,
        "10m",
        "warning",
        "More than 10% of Trino's queries fail for reasons other than the user's SQL",
        "{{ $value | humanize }} queries per second failed inside the engine, a connector or for lack of resources.",
      ),
      alert(
        "TrinoQueriesQueued",
        `max(${TRINO_METRICS.queuedTime}{${sel},quantile="0.9"}) > 60`,
        "15m",
        "warning",
        "Trino's queries wait more than a minute to start",
        "The 90th percentile of queued time is {{ $value | humanizeDuration }}: the cluster is full; add workers (starburst.workers.replicas).",
      ),
      alert(
        "TrinoWorkersFailed",
        `max(${TRINO_METRICS.failedWorkers}{${sel}}) > 0`,
        "5m",
        "warning",
        "The Trino coordinator has lost contact with workers",
        "{{ $value }} workers fail the coordinator's heartbeat: their queries fail or wait.",
      ),
    ],
  };
}

/** Queries (running, waiting, failing), their waits, and the cluster's workers and memory. */
export function trinoDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  const rate = (m: string) => `sum(rate(${m}{${sel}}[5m]))`;
  return {
    uid: "data-platform-trino",
    title: "Data platform / Trino",
    panels: [
      panel("Running and queued queries", { running: `sum(${TRINO_METRICS.runningQueries}{${sel}})`, queued: `sum(${TRINO_METRICS.queuedQueries}{${sel}})` }),
      panel("Queries started and failed per second", { started: rate(TRINO_METRICS.startedQueries), failed: rate(TRINO_METRICS.failedQueries) }, "reqps"),
      panel("Failures by cause per second", { "user error": rate(TRINO_METRICS.userErrorFailures), internal: rate(TRINO_METRICS.internalFailures) }, "reqps"),
      panel("Queued time", `max by (quantile) (${TRINO_METRICS.queuedTime}{${sel}})`, "s", "p{{quantile}}"),
      panel("Execution time", `max by (quantile) (${TRINO_METRICS.executionTime}{${sel}})`, "s", "p{{quantile}}"),
      panel("Active and failed workers", { active: `max(${TRINO_METRICS.activeWorkers}{${sel}})`, failed: `max(${TRINO_METRICS.failedWorkers}{${sel}})` }),
      panel("Cluster memory free", `sum(${TRINO_METRICS.freeMemory}{${sel}}) / sum(${TRINO_METRICS.totalMemory}{${sel}})`, "percentunit"),
    ],
  };
}
