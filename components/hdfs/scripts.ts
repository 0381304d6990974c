/** The shell scripts HDFS runs: the daemons' start-up, the directories Job, and the admin commands infra/ runs in a NameNode. */
import type { HdfsConfig } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { DATA, DATANODE_HEADLESS, DIRECTORIES, EXCLUDE_FILE, SUPERUSER } from "./names";

/** Written only after a format or bootstrap finished: a crash halfway leaves no marker behind. */
export const INITIALIZED_MARKER = `${DATA}/namenode/.initialized`;

/**
 * The NameNode formats exactly once, with the pinned cluster ID, when its volume has no marker of a
 * finished initialisation; a kept volume is never formatted again.
 * - Single NameNode: format (forced: without the marker there is no metadata worth keeping).
 * - HA, hdfs-namenode-0: format without force, which refuses when the JournalNodes already hold a
 *   namespace; then it copies the running peer's metadata instead (its volume was lost or replaced).
 *   Until the JournalNodes answer, both fail and it retries.
 * - HA, hdfs-namenode-1: copy the first NameNode's metadata.
 */
export function nameNodeStart(cfg: HdfsConfig): string {
  const bootstrap = "hdfs namenode -bootstrapStandby -force -nonInteractive";
  const firstStart = !cfg.highAvailability
    ? ['  hdfs namenode -format -force -nonInteractive -clusterId "$HDFS_CLUSTER_ID"']
    : [
        '  if [ "${HOSTNAME##*-}" = 0 ]; then',
        `    until hdfs namenode -format -nonInteractive -clusterId "$HDFS_CLUSTER_ID" || ${bootstrap}; do echo 'waiting for the JournalNodes or a running peer'; sleep 10; done`,
        "  else",
        `    until ${bootstrap}; do echo 'waiting for hdfs-namenode-0'; sleep 10; done`,
        "  fi",
      ];
  return [
    // dfs.hosts.exclude must name a file that exists, for the format's NameNode too.
    "set -eu",
    `touch ${EXCLUDE_FILE}`,
    `if [ ! -f ${INITIALIZED_MARKER} ]; then`,
    ...firstStart,
    `  touch ${INITIALIZED_MARKER}`,
    "fi",
    "exec hdfs namenode",
  ].join("\n");
}

export const ZKFC_START = [
  "set -eu",
  "# Creates the failover znode once; later starts find it and go on.",
  "hdfs zkfc -formatZK -nonInteractive || true",
  "exec hdfs zkfc",
].join("\n");

export function dataNodeStart(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return ["set -eu", `exec hdfs datanode -Ddfs.datanode.hostname="\${HOSTNAME}.${DATANODE_HEADLESS}.${ns}.svc.${domain}"`].join("\n");
}

/** An HDFS client run in a NameNode's container (kubectl exec): a small heap beside the NameNode's, as the superuser. */
const ADMIN_ENV = `export HADOOP_HEAPSIZE_MAX=256m HADOOP_HEAPSIZE_MIN=64m HADOOP_USER_NAME=${SUPERUSER}`;

/** Replaces the exclude file (in one rename: a NameNode never reads half of it). */
export function excludeScript(hosts: string[]): string {
  const write = hosts.length ? `printf '%s\\n' ${hosts.join(" ")} > ${EXCLUDE_FILE}.new` : `: > ${EXCLUDE_FILE}.new`;
  return ["set -eu", write, `mv ${EXCLUDE_FILE}.new ${EXCLUDE_FILE}`].join("\n");
}

/** What the exclude file lists (a NameNode without one has not restarted with this configuration yet). */
export function excludedScript(): string {
  return ["set -eu", `cat ${EXCLUDE_FILE}`].join("\n");
}

/** The NameNodes (both, in HA) read the exclude file again: excluded DataNodes start decommissioning, readmitted ones return. */
export function refreshNodesScript(): string {
  return ["set -eu", ADMIN_ENV, "hdfs dfsadmin -refreshNodes"].join("\n");
}

/** One line per DataNode the (active) NameNode knows, live or dead: `datanode <host> <decommission status>`. */
export function dataNodeStatesScript(): string {
  return [
    "set -euo pipefail",
    ADMIN_ENV,
    `hdfs dfsadmin -report | awk '/^Hostname: / { h = $2 } /^Decommission Status : / { s = $0; sub(/^Decommission Status : /, "", s); print "datanode " h " " s }'`,
  ].join("\n");
}

/** Creates the platform's directories with their owners and modes; safe to run any number of times. */
export function directoriesScript(): string {
  const dirs = Object.entries(DIRECTORIES);
  return [
    "set -eu",
    "hdfs dfsadmin -safemode wait",
    `hdfs dfs -mkdir -p ${dirs.map(([d]) => d).join(" ")}`,
    ...dirs.map(([d, { owner, mode }]) => `hdfs dfs -chown ${owner} ${d} && hdfs dfs -chmod ${mode} ${d}`),
  ].join("\n");
}
