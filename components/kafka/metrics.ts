/**
 * Kafka's JMX exporter rules: the broker and KRaft controller beans the platform's alerts and
 * dashboard read, named kafka_<domain>_<type>_<name> in lower case. Rates are exported as counters
 * (the beans' Count), so Prometheus computes rates itself.
 */
import { stringify } from "yaml";
import { alert, type AlertGroup, type Dashboard, panel } from "../kit/metrics";

/** A metric the alerts read: the engine suite scrapes a real broker or controller for each. */
export const KAFKA_METRICS = {
  underReplicated: "kafka_server_replicamanager_underreplicatedpartitions",
  offlinePartitions: "kafka_controller_kafkacontroller_offlinepartitionscount",
  activeControllers: "kafka_controller_kafkacontroller_activecontrollercount",
  messagesIn: "kafka_server_brokertopicmetrics_messagesin_total",
  bytesIn: "kafka_server_brokertopicmetrics_bytesin_total",
  bytesOut: "kafka_server_brokertopicmetrics_bytesout_total",
  failedProduce: "kafka_server_brokertopicmetrics_failedproducerequests_total",
  failedFetch: "kafka_server_brokertopicmetrics_failedfetchrequests_total",
  requestTime: "kafka_network_requestmetrics_totaltimems",
  isrShrinks: "kafka_server_replicamanager_isrshrinks_total",
  logSize: "kafka_log_log_size",
} as const;

const rule = (pattern: string, name: string, type: "GAUGE" | "COUNTER", labels?: Record<string, string>) => ({
  pattern,
  name,
  type,
  ...(labels ? { labels } : {}),
});

/** The rules file (jmx-exporter.yaml). Unmatched beans are not exported: the output stays small. */
export function kafkaExporterRules(): string {
  return stringify({
    lowercaseOutputName: true,
    lowercaseOutputLabelNames: true,
    rules: [
      // Per-topic counters first (the first matching rule wins), then the broker's totals.
      // Per topic under their own names: a sum over the broker's totals never counts a topic twice.
      rule("kafka.server<type=BrokerTopicMetrics, name=(\\w+)PerSec, topic=(.+)><>Count", "kafka_server_brokertopicmetrics_topic_$1_total", "COUNTER", {
        topic: "$2",
      }),
      rule("kafka.server<type=BrokerTopicMetrics, name=(\\w+)PerSec><>Count", "kafka_server_brokertopicmetrics_$1_total", "COUNTER"),
      rule("kafka.server<type=ReplicaManager, name=(\\w+)PerSec><>Count", "kafka_server_replicamanager_$1_total", "COUNTER"),
      rule("kafka.server<type=ReplicaManager, name=(\\w+)><>Value", "kafka_server_replicamanager_$1", "GAUGE"),
      rule("kafka.controller<type=KafkaController, name=(\\w+)><>Value", "kafka_controller_kafkacontroller_$1", "GAUGE"),
      rule("kafka.network<type=RequestMetrics, name=TotalTimeMs, request=(\\w+)><>(\\d+)thPercentile", "kafka_network_requestmetrics_totaltimems", "GAUGE", {
        request: "$1",
        quantile: "0.$2",
      }),
      rule(
        "kafka.network<type=RequestMetrics, name=RequestsPerSec, request=(\\w+), version=(\\d+)><>Count",
        "kafka_network_requestmetrics_requests_total",
        "COUNTER",
        {
          request: "$1",
        },
      ),
      rule("kafka.log<type=Log, name=Size, topic=(.+), partition=(\\d+)><>Value", "kafka_log_log_size", "GAUGE", { topic: "$1", partition: "$2" }),
      rule("kafka.server<type=raft-metrics><>(current-leader|high-watermark|commit-latency-avg)", "kafka_server_raft_$1", "GAUGE"),
    ],
  });
}

/** What breaks Kafka for its clients: replication falling behind, partitions without a leader, the quorum without its active controller. */
export function kafkaAlerts(ns: string): AlertGroup {
  const sel = `namespace="${ns}"`;
  return {
    name: "data-platform.kafka",
    rules: [
      alert(
        "KafkaUnderReplicatedPartitions",
        `sum(${KAFKA_METRICS.underReplicated}{${sel}}) > 0`,
        "10m",
        "warning",
        "Kafka partitions are under-replicated",
        "{{ $value }} partitions have fewer in-sync replicas than replicas: a broker is down or behind.",
      ),
      alert(
        "KafkaOfflinePartitions",
        `max(${KAFKA_METRICS.offlinePartitions}{${sel}}) > 0`,
        "1m",
        "critical",
        "Kafka partitions have no leader",
        "{{ $value }} partitions are offline: producers and consumers of them are stopped.",
      ),
      alert(
        "KafkaNoActiveController",
        `sum(${KAFKA_METRICS.activeControllers}{${sel}}) != 1 or absent(${KAFKA_METRICS.activeControllers}{${sel}})`,
        "5m",
        "critical",
        "The KRaft quorum has no single active controller",
        "{{ $value }} controllers report themselves active (or none reports at all).",
      ),
    ],
  };
}

/** Throughput, errors and replication, summed over the brokers. */
export function kafkaDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  const rate = (m: string) => `sum(rate(${m}{${sel}}[5m]))`;
  return {
    uid: "data-platform-kafka",
    title: "Data platform / Kafka",
    panels: [
      panel("Messages in per second", rate(KAFKA_METRICS.messagesIn)),
      panel("Bytes in and out per second", { in: rate(KAFKA_METRICS.bytesIn), out: rate(KAFKA_METRICS.bytesOut) }, "Bps"),
      panel("Failed requests per second", { produce: rate(KAFKA_METRICS.failedProduce), fetch: rate(KAFKA_METRICS.failedFetch) }, "reqps"),
      panel("Produce request time, 99th percentile", `max(${KAFKA_METRICS.requestTime}{${sel},request="Produce",quantile="0.99"})`, "ms"),
      panel("Under-replicated partitions", `sum(${KAFKA_METRICS.underReplicated}{${sel}})`),
      panel("Offline partitions", `max(${KAFKA_METRICS.offlinePartitions}{${sel}})`),
      panel("In-sync replica shrinks per second", rate(KAFKA_METRICS.isrShrinks)),
      panel("Log size per topic", `sum by (topic) (${KAFKA_METRICS.logSize}{${sel}})`, "bytes", "{{topic}}"),
    ],
  };
}
