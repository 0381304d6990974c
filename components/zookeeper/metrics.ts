import { alert, type AlertGroup } from "../kit/metrics";

/**
 * The metrics ZooKeeper's own Prometheus provider serves that the platform's alerts read: the engine
 * suite scrapes a real server for each, standalone and in an ensemble (a standalone server has no
 * quorum_size, so no alert reads it).
 */
export const ZOOKEEPER_METRICS = {
  outstandingRequests: "outstanding_requests",
  aliveConnections: "num_alive_connections",
  znodes: "znode_count",
  averageLatency: "avg_latency",
} as const;

/** ZooKeeper falling behind: the HA NameNodes' failover and YARN's state store wait on it. */
export function zookeeperAlerts(ns: string): AlertGroup {
  const sel = `namespace="${ns}"`;
  return {
    name: "data-platform.zookeeper",
    rules: [
      alert(
        "ZooKeeperOutstandingRequests",
        `max(${ZOOKEEPER_METRICS.outstandingRequests}{${sel}}) > 10`,
        "10m",
        "warning",
        "ZooKeeper is not keeping up with its requests",
        "A server has {{ $value }} requests queued: HDFS failover and YARN's state store wait on it.",
      ),
      alert(
        "ZooKeeperSlowRequests",
        `max(${ZOOKEEPER_METRICS.averageLatency}{${sel}}) > 100`,
        "10m",
        "warning",
        "ZooKeeper answers slowly",
        "A server's average request latency is {{ $value }} ms: its disk or the network is slow.",
      ),
    ],
  };
}
