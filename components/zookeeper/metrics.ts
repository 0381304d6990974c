import { alert, type AlertGroup, type Dashboard, panel } from "../kit/metrics";

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

/** Each server's load and latency. */
export function zookeeperDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  const perPod = (m: string) => `max by (pod) (${m}{${sel}})`;
  return {
    uid: "data-platform-zookeeper",
    title: "Data platform / ZooKeeper",
    panels: [
      panel("Outstanding requests", perPod(ZOOKEEPER_METRICS.outstandingRequests), "short", "{{pod}}"),
      panel("Average latency", perPod(ZOOKEEPER_METRICS.averageLatency), "ms", "{{pod}}"),
      panel("Connections", perPod(ZOOKEEPER_METRICS.aliveConnections), "short", "{{pod}}"),
      panel("Znodes", perPod(ZOOKEEPER_METRICS.znodes), "short", "{{pod}}"),
    ],
  };
}
