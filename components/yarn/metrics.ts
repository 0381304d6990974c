/**
 * YARN's JMX exporter rules: the ResourceManager's root queue (applications and containers waiting,
 * memory free) and its view of the NodeManagers, and each NodeManager's containers.
 */
import { stringify } from "yaml";
import { alert, type AlertGroup, type Dashboard, panel } from "../kit/metrics";

/** A metric the alerts and dashboard read: the engine suite scrapes a real ResourceManager and NodeManager for each. */
export const YARN_METRICS = {
  pendingContainers: "hadoop_resourcemanager_queue_root_pendingcontainers",
  allocatedContainers: "hadoop_resourcemanager_queue_root_allocatedcontainers",
  appsPending: "hadoop_resourcemanager_queue_root_appspending",
  appsRunning: "hadoop_resourcemanager_queue_root_appsrunning",
  appsFailed: "hadoop_resourcemanager_queue_root_appsfailed",
  availableMB: "hadoop_resourcemanager_queue_root_availablemb",
  activeNodeManagers: "hadoop_resourcemanager_clustermetrics_numactivenms",
  lostNodeManagers: "hadoop_resourcemanager_clustermetrics_numlostnms",
  unhealthyNodeManagers: "hadoop_resourcemanager_clustermetrics_numunhealthynms",
  containersFailed: "hadoop_nodemanager_nodemanagermetrics_containersfailed",
  containersLaunched: "hadoop_nodemanager_nodemanagermetrics_containerslaunched",
} as const;

/** The rules file (jmx-exporter.yaml) both daemons load: each matches only its own beans. */
export function yarnExporterRules(): string {
  return stringify({
    lowercaseOutputName: true,
    lowercaseOutputLabelNames: true,
    rules: [
      // The root queue only: a sub-queue's bean (q1=...) would be summed twice with it.
      { pattern: "Hadoop<service=ResourceManager, name=QueueMetrics, q0=root><>(\\w+)", name: "hadoop_resourcemanager_queue_root_$1", type: "GAUGE" },
      { pattern: "Hadoop<service=ResourceManager, name=ClusterMetrics><>(Num\\w+)", name: "hadoop_resourcemanager_clustermetrics_$1", type: "GAUGE" },
      { pattern: "Hadoop<service=NodeManager, name=NodeManagerMetrics><>(\\w+)", name: "hadoop_nodemanager_nodemanagermetrics_$1", type: "GAUGE" },
    ],
  });
}

/** Work that cannot run: containers waiting for room, NodeManagers lost. */
export function yarnAlerts(ns: string): AlertGroup {
  const sel = `namespace="${ns}"`;
  return {
    name: "data-platform.yarn",
    rules: [
      alert(
        "YarnPendingContainers",
        `max(${YARN_METRICS.pendingContainers}{${sel}}) > 0`,
        "15m",
        "warning",
        "YARN has containers waiting for room for 15 minutes",
        "{{ $value }} containers wait for memory or cores: add NodeManagers (yarn.nodeManagers.replicas).",
      ),
      alert(
        "YarnNodeManagersLost",
        `max(${YARN_METRICS.lostNodeManagers}{${sel}}) + max(${YARN_METRICS.unhealthyNodeManagers}{${sel}}) > 0`,
        "10m",
        "warning",
        "The ResourceManager has lost or unhealthy NodeManagers",
        "{{ $value }} NodeManagers are lost or unhealthy: their containers were failed and are retried elsewhere.",
      ),
    ],
  };
}

/** Applications and containers waiting or running, free memory, and the NodeManagers. */
export function yarnDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  const rm = (m: string) => `max(${m}{${sel}})`;
  return {
    uid: "data-platform-yarn",
    title: "Data platform / YARN",
    panels: [
      panel("Applications running and pending", { running: rm(YARN_METRICS.appsRunning), pending: rm(YARN_METRICS.appsPending) }),
      panel("Containers allocated and pending", { allocated: rm(YARN_METRICS.allocatedContainers), pending: rm(YARN_METRICS.pendingContainers) }),
      panel("Memory available", `${rm(YARN_METRICS.availableMB)} * 1024 * 1024`, "bytes"),
      panel("Applications failed", rm(YARN_METRICS.appsFailed)),
      panel("NodeManagers", {
        active: rm(YARN_METRICS.activeNodeManagers),
        lost: rm(YARN_METRICS.lostNodeManagers),
        unhealthy: rm(YARN_METRICS.unhealthyNodeManagers),
      }),
      panel("Containers launched and failed since each NodeManager started", {
        "{{pod}} launched": `max by (pod) (${YARN_METRICS.containersLaunched}{${sel}})`,
        "{{pod}} failed": `max by (pod) (${YARN_METRICS.containersFailed}{${sel}})`,
      }),
    ],
  };
}
