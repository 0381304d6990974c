/** HDFS's names: workloads, objects, ports, paths and the platform's directories, shared by the site files, scripts and objects. */
import type { Port, Workload } from "../kit";
import { HADOOP_CONF_DIR, HADOOP_UID } from "../kit/hadoop";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { webScheme } from "../kit/hadoop-tls";
import type { HdfsConfig } from "./config";

export const NAMENODE: Workload = { name: "hdfs", component: "namenode" };
export const JOURNALNODE: Workload = { name: "hdfs", component: "journalnode" };
export const DATANODE: Workload = { name: "hdfs", component: "datanode" };
export const DIRS: Workload = { name: "hdfs", component: "directories" };

export const NAMENODE_NAME = "hdfs-namenode";
export const NAMENODE_HEADLESS = "hdfs-namenode-headless";
export const JOURNALNODE_NAME = "hdfs-journalnode";
export const JOURNALNODE_HEADLESS = "hdfs-journalnode-headless";
export const DATANODE_NAME = "hdfs-datanode";
export const DATANODE_HEADLESS = "hdfs-datanode-headless";
/** The seed's address: clients of a single NameNode use namenode:9000. */
export const NAMENODE_SERVICE = "namenode";
export const CONFIG_MAP = "hdfs-config";
/** The logical name clients use for the HA pair. */
export const NAMESERVICE = "dataplatform";

export const RPC_PORT = 9000;
export const HTTP_PORT = 9870;
export const DATA_PORT = 9866;
export const DATANODE_HTTP_PORT = 9864;
export const DATANODE_IPC_PORT = 9867;
export const JOURNAL_RPC_PORT = 8485;
export const JOURNAL_HTTP_PORT = 8480;
export const ZKFC_PORT = 8019;
/** The web endpoints in tls mode (dfs.http.policy HTTPS_ONLY): Hadoop's default HTTPS ports. */
export const HTTPS_PORT = 9871;
export const DATANODE_HTTPS_PORT = 9865;
export const JOURNAL_HTTPS_PORT = 8481;

/** Each role's web port, and its port's name: plain HTTP, or HTTPS only in tls mode. */
export function webPorts(cfg: Pick<HdfsConfig, "security">) {
  const web = webScheme(cfg.security, "http");
  return {
    ...web,
    namenode: web.tls ? HTTPS_PORT : HTTP_PORT,
    journalnode: web.tls ? JOURNAL_HTTPS_PORT : JOURNAL_HTTP_PORT,
    datanode: web.tls ? DATANODE_HTTPS_PORT : DATANODE_HTTP_PORT,
  } as const;
}

export function nameNodePorts(cfg: Pick<HdfsConfig, "security">): Port[] {
  const web = webPorts(cfg);
  return [
    { name: "rpc", port: RPC_PORT },
    { name: web.name, port: web.namenode },
  ];
}
export function journalNodePorts(cfg: Pick<HdfsConfig, "security">): Port[] {
  const web = webPorts(cfg);
  return [
    { name: "rpc", port: JOURNAL_RPC_PORT },
    { name: web.name, port: web.journalnode },
  ];
}
export function dataNodePorts(cfg: Pick<HdfsConfig, "security">): Port[] {
  const web = webPorts(cfg);
  return [
    { name: "data", port: DATA_PORT },
    { name: web.name, port: web.datanode },
    { name: "ipc", port: DATANODE_IPC_PORT },
  ];
}
/** The image's hadoop user starts the NameNode, so it is the HDFS superuser. */
export const UID = HADOOP_UID;
export const SUPERUSER = "hadoop";
export const DATA = "/var/lib/hadoop";
export const CONF_DIR = HADOOP_CONF_DIR;
/** The discovery ConfigMap: every HDFS client's core-site and hdfs-site, which clients mount. */
export const CLIENT_CONFIG_MAP = "hdfs-client";
/** tls mode: the certificate every HDFS daemon serves, its Secret holding the JKS stores. */
export const TLS_SECRET = "hdfs-tls";

/** The platform's directories: owner, mode. Spark writes the streams and checkpoints. */
export const DIRECTORIES: Record<string, { owner: string; mode: string }> = {
  "/data/streaming": { owner: "spark:supergroup", mode: "775" },
  "/data/processed": { owner: "spark:supergroup", mode: "775" },
  "/data/checkpoint": { owner: "spark:supergroup", mode: "770" },
  // Spark's home: YARN staging (.sparkStaging) and the session catalog's warehouse.
  "/user/spark": { owner: "spark:supergroup", mode: "755" },
};

export const fqdn = (pod: string, ordinal: number, headless: string, ns: string, domain = DEFAULT_CLUSTER_DOMAIN) =>
  `${pod}-${ordinal}.${headless}.${ns}.svc.${domain}`;

/**
 * The DataNodes the NameNodes exclude (decommission, then keep out), one host name a line: on the
 * NameNode's volume, so a restarted NameNode keeps them out. Only infra/datanode-decommission writes it.
 */
export const EXCLUDE_FILE = `${DATA}/excluded-datanodes`;
/** The NameNodes' own hdfs-site: the clients' plus the exclude file (clients never read it). */
export const NAMENODE_SITE_KEY = "namenode-hdfs-site.xml";

/** A DataNode's host name, as it registers with the NameNode. */
export const dataNodeHost = (ordinal: number, ns: string, domain = DEFAULT_CLUSTER_DOMAIN) => fqdn(DATANODE_NAME, ordinal, DATANODE_HEADLESS, ns, domain);

/** The NameNodes write to every JournalNode of dfs.namenode.shared.edits.dir; a new one holds no edits. */
export const JOURNALNODES_FIXED_SIZE =
  "the NameNodes write their edits to the JournalNodes listed in dfs.namenode.shared.edits.dir, and a new JournalNode " +
  "holds none of them. Keep hdfs.journalNodes.replicas as deployed (README: Resizing a quorum).";
