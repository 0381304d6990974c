/** The site files every HDFS client mounts (core-site, hdfs-site) and fs.defaultFS. */
import { siteXml, type SiteProperties } from "../kit/hadoop-xml";
import type { HdfsConfig } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import {
  DATA,
  DATA_PORT,
  DATANODE_IPC_PORT,
  fqdn,
  JOURNAL_RPC_PORT,
  JOURNALNODE_HEADLESS,
  JOURNALNODE_NAME,
  NAMENODE_HEADLESS,
  NAMENODE_NAME,
  NAMENODE_SERVICE,
  NAMESERVICE,
  RPC_PORT,
  webPorts,
  ZKFC_PORT,
} from "./names";

/** fs.defaultFS: the HA nameservice, or the seed's namenode:9000. */
export function defaultFs(cfg: HdfsConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return cfg.highAvailability ? `hdfs://${NAMESERVICE}` : `hdfs://${NAMENODE_SERVICE}.${ns}.svc.${domain}:${RPC_PORT}`;
}

export function coreSite(cfg: HdfsConfig, ns: string, zookeeperConnect: string, domain = DEFAULT_CLUSTER_DOMAIN): SiteProperties {
  return {
    "fs.defaultFS": defaultFs(cfg, ns, domain),
    "hadoop.tmp.dir": "/tmp/hadoop",
    ...(cfg.highAvailability ? { "ha.zookeeper.quorum": zookeeperConnect } : {}),
  };
}

/** The web endpoints' keys: http-address and the like, or https-address in tls mode (HTTPS only). */
function webAddresses(cfg: HdfsConfig) {
  const ports = webPorts(cfg);
  const tls = cfg.security === "tls";
  return { ...ports, key: tls ? "https-address" : "http-address", dataNodeKey: tls ? "dfs.datanode.https.address" : "dfs.datanode.http.address" };
}

/**
 * tls: HTTPS only, so the edits the NameNodes and JournalNodes fetch from each other, a standby's
 * image uploads and bootstraps all go over TLS (they take the scheme from this policy).
 */
function webPolicy(cfg: HdfsConfig): SiteProperties {
  return cfg.security === "tls" ? { "dfs.http.policy": "HTTPS_ONLY", "dfs.namenode.https-bind-host": "0.0.0.0" } : { "dfs.namenode.http-bind-host": "0.0.0.0" };
}

function haProperties(cfg: HdfsConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): SiteProperties {
  const nns = [0, 1];
  const web = webAddresses(cfg);
  const journals = Array.from(
    { length: cfg.journalNodes!.replicas },
    (_, i) => `${fqdn(JOURNALNODE_NAME, i, JOURNALNODE_HEADLESS, ns, domain)}:${JOURNAL_RPC_PORT}`,
  );
  return {
    "dfs.nameservices": NAMESERVICE,
    [`dfs.ha.namenodes.${NAMESERVICE}`]: nns.map((i) => `nn${i}`).join(","),
    ...Object.fromEntries(
      nns.flatMap((i) => [
        [`dfs.namenode.rpc-address.${NAMESERVICE}.nn${i}`, `${fqdn(NAMENODE_NAME, i, NAMENODE_HEADLESS, ns, domain)}:${RPC_PORT}`],
        [`dfs.namenode.${web.key}.${NAMESERVICE}.nn${i}`, `${fqdn(NAMENODE_NAME, i, NAMENODE_HEADLESS, ns, domain)}:${web.namenode}`],
      ]),
    ),
    "dfs.namenode.shared.edits.dir": `qjournal://${journals.join(";")}/${NAMESERVICE}`,
    [`dfs.client.failover.proxy.provider.${NAMESERVICE}`]: "org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider",
    // The quorum journal already allows one writer only; there is no old active to shoot.
    "dfs.ha.fencing.methods": "shell(/bin/true)",
    "dfs.ha.automatic-failover.enabled": true,
    "dfs.ha.zkfc.port": ZKFC_PORT,
    "dfs.journalnode.edits.dir": `${DATA}/journal`,
    "dfs.journalnode.rpc-address": `0.0.0.0:${JOURNAL_RPC_PORT}`,
    [`dfs.journalnode.${web.key}`]: `0.0.0.0:${web.journalnode}`,
  };
}

export function hdfsSite(cfg: HdfsConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): SiteProperties {
  const web = webAddresses(cfg);
  return {
    "dfs.replication": cfg.replication,
    "dfs.blocksize": cfg.blockSizeMb * 1024 * 1024,
    "dfs.namenode.name.dir": `${DATA}/namenode`,
    "dfs.datanode.data.dir": `${DATA}/datanode`,
    "dfs.namenode.rpc-bind-host": "0.0.0.0",
    "dfs.namenode.servicerpc-bind-host": "0.0.0.0",
    ...webPolicy(cfg),
    "dfs.datanode.address": `0.0.0.0:${DATA_PORT}`,
    [web.dataNodeKey]: `0.0.0.0:${web.datanode}`,
    "dfs.datanode.ipc.address": `0.0.0.0:${DATANODE_IPC_PORT}`,
    // DataNodes register and are reached by their per-pod DNS names, not by IPs that change.
    "dfs.namenode.datanode.registration.ip-hostname-check": false,
    "dfs.client.use.datanode.hostname": true,
    "dfs.datanode.use.datanode.hostname": true,
    "dfs.permissions.superusergroup": "supergroup",
    // A DataNode serves or takes a block only with a token the NameNode signed for that block and
    // mode: reading by block id, around the NameNode's permission check, is refused. Needs no Kerberos.
    "dfs.block.access.token.enable": true,
    "dfs.webhdfs.enabled": true,
    ...(cfg.highAvailability
      ? haProperties(cfg, ns, domain)
      : {
          "dfs.namenode.rpc-address": `${NAMENODE_SERVICE}.${ns}.svc.${domain}:${RPC_PORT}`,
          [`dfs.namenode.${web.key}`]: `${NAMENODE_SERVICE}.${ns}.svc.${domain}:${web.namenode}`,
        }),
  };
}

/** The files every HDFS client mounts into its Hadoop configuration directory. */
export function clientConfigFiles(cfg: HdfsConfig, ns: string, zookeeperConnect: string, domain = DEFAULT_CLUSTER_DOMAIN): Record<string, string> {
  return { "core-site.xml": siteXml(coreSite(cfg, ns, zookeeperConnect, domain)), "hdfs-site.xml": siteXml(hdfsSite(cfg, ns, domain)) };
}
