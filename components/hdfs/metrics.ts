/**
 * HDFS's JMX exporter rules: the NameNode's namespace and capacity, its HA state, the DataNodes'
 * volumes and traffic. Hadoop's metrics beans are named Hadoop:service=<daemon>,name=<source>.
 */
import { stringify } from "yaml";
import { alert, type AlertGroup, type Dashboard, panel } from "../kit/metrics";

/** A metric the alerts and dashboard read: the engine suite scrapes real NameNodes and DataNodes for each. */
export const HDFS_METRICS = {
  missingBlocks: "hadoop_namenode_fsnamesystem_missingblocks",
  corruptBlocks: "hadoop_namenode_fsnamesystem_corruptblocks",
  underReplicatedBlocks: "hadoop_namenode_fsnamesystem_underreplicatedblocks",
  capacityTotal: "hadoop_namenode_fsnamesystem_capacitytotal",
  capacityRemaining: "hadoop_namenode_fsnamesystem_capacityremaining",
  liveDataNodes: "hadoop_namenode_fsnamesystemstate_numlivedatanodes",
  deadDataNodes: "hadoop_namenode_fsnamesystemstate_numdeaddatanodes",
  /** 1 on the NameNode in that state (label state: active, standby). */
  haState: "hadoop_namenode_hastate",
  failedVolumes: "hadoop_datanode_fsdatasetstate_numfailedvolumes",
  bytesWritten: "hadoop_datanode_datanodeactivity_byteswritten_total",
  bytesRead: "hadoop_datanode_datanodeactivity_bytesread_total",
} as const;

/** A NameNode metric as the active NameNode reports it (a standby's counts lag behind it). */
function activeNameNode(metric: string, sel: string): string {
  return `max(${metric}{${sel}} * on(pod) group_left ${HDFS_METRICS.haState}{${sel},state="active"})`;
}

/** The rules file (jmx-exporter.yaml) every HDFS daemon loads: each matches only its own beans. */
export function hdfsExporterRules(): string {
  return stringify({
    lowercaseOutputName: true,
    lowercaseOutputLabelNames: true,
    rules: [
      {
        pattern: "Hadoop<service=NameNode, name=FSNamesystem><>tag.HAState: (\\w+)",
        name: "hadoop_namenode_hastate",
        type: "GAUGE",
        value: 1,
        labels: { state: "$1" },
      },
      { pattern: "Hadoop<service=NameNode, name=(FSNamesystem|FSNamesystemState)><>(\\w+)", name: "hadoop_namenode_$1_$2", type: "GAUGE" },
      { pattern: "Hadoop<service=DataNode, name=FSDatasetState(?:-[^>]*)?><>(\\w+)", name: "hadoop_datanode_fsdatasetstate_$1", type: "GAUGE" },
      {
        pattern: "Hadoop<service=DataNode, name=DataNodeActivity-[^>]*><>(BytesWritten|BytesRead|BlocksWritten|BlocksRead)",
        name: "hadoop_datanode_datanodeactivity_$1_total",
        type: "COUNTER",
      },
      { pattern: "Hadoop<service=JournalNode, name=Journal-[^>]*><>(\\w+)", name: "hadoop_journalnode_journal_$1", type: "GAUGE" },
    ],
  });
}

/** What loses or endangers data, or stops writes: missing blocks, the file system filling, DataNodes or disks lost. */
export function hdfsAlerts(ns: string): AlertGroup {
  const sel = `namespace="${ns}"`;
  const active = (metric: string) => activeNameNode(metric, sel);
  return {
    name: "data-platform.hdfs",
    rules: [
      alert(
        "HdfsMissingBlocks",
        `${active(HDFS_METRICS.missingBlocks)} > 0`,
        "5m",
        "critical",
        "HDFS has blocks with no replica left",
        "{{ $value }} blocks have no live replica: their files cannot be read until a DataNode holding them returns.",
      ),
      alert(
        "HdfsCapacityLow",
        `${active(HDFS_METRICS.capacityRemaining)} / ${active(HDFS_METRICS.capacityTotal)} < 0.15`,
        "15m",
        "warning",
        "HDFS has less than 15% of its capacity left",
        "{{ $value | humanizePercentage }} is free: add DataNodes (hdfs.dataNodes.replicas) or grow their volumes (hdfs.dataNodes.storage).",
      ),
      alert(
        "HdfsDeadDataNodes",
        `${active(HDFS_METRICS.deadDataNodes)} > 0`,
        "10m",
        "warning",
        "The NameNode counts DataNodes dead",
        "{{ $value }} DataNodes stopped sending heartbeats: their blocks are being copied elsewhere.",
      ),
      alert(
        "HdfsNoActiveNameNode",
        `sum(${HDFS_METRICS.haState}{${sel},state="active"}) != 1 or absent(${HDFS_METRICS.haState}{${sel},state="active"})`,
        "5m",
        "critical",
        "HDFS has no single active NameNode",
        "{{ $value }} NameNodes report themselves active: clients cannot write (or none reports at all).",
      ),
      alert(
        "HdfsFailedVolumes",
        `max by (pod) (${HDFS_METRICS.failedVolumes}{${sel}}) > 0`,
        "5m",
        "warning",
        "A DataNode has a failed volume",
        "{{ $labels.pod }} has {{ $value }} failed volumes.",
      ),
    ],
  };
}

/** Capacity, block health and DataNodes, as the active NameNode counts them, and the DataNodes' traffic. */
export function hdfsDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  const active = (metric: string) => activeNameNode(metric, sel);
  return {
    uid: "data-platform-hdfs",
    title: "Data platform / HDFS",
    panels: [
      panel("Capacity used", `1 - ${active(HDFS_METRICS.capacityRemaining)} / ${active(HDFS_METRICS.capacityTotal)}`, "percentunit"),
      panel("Capacity", active(HDFS_METRICS.capacityTotal), "bytes"),
      panel("Missing and corrupt blocks", { missing: active(HDFS_METRICS.missingBlocks), corrupt: active(HDFS_METRICS.corruptBlocks) }),
      panel("Under-replicated blocks", active(HDFS_METRICS.underReplicatedBlocks)),
      panel("Live and dead DataNodes", { live: active(HDFS_METRICS.liveDataNodes), dead: active(HDFS_METRICS.deadDataNodes) }),
      panel("Active NameNode", `max by (pod) (${HDFS_METRICS.haState}{${sel},state="active"})`, "short", "{{pod}}"),
      panel(
        "DataNode writes and reads per second",
        { written: `sum(rate(${HDFS_METRICS.bytesWritten}{${sel}}[5m]))`, read: `sum(rate(${HDFS_METRICS.bytesRead}{${sel}}[5m]))` },
        "Bps",
      ),
      panel("Failed volumes", `sum by (pod) (${HDFS_METRICS.failedVolumes}{${sel}})`, "short", "{{pod}}"),
    ],
  };
}
