/**
 * HDFS: a NameNode (or an HA pair with JournalNodes and ZKFC), DataNodes, the client configuration
 * other engines mount, and an idempotent Job that creates the platform's directories.
 */
import {
  clientService,
  configMap,
  container,
  containerPorts,
  digest,
  type Flow,
  headlessService,
  imageVersion,
  job,
  type Manifest,
  podDisruptionBudget,
  type Port,
  podSpec,
  scratchVolume,
  serviceAccount,
  statefulSet,
  type Workload,
} from "../kit";
import type { ZooKeeperEnsemble } from "../kit/contracts";
import { HADOOP_CONF_DIR, HADOOP_UID, hadoopConfigMounts, hadoopDaemon } from "../kit/hadoop";
import { siteXml, type SiteProperties } from "../kit/hadoop-xml";
import type { HdfsConfig } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

export const NAMENODE: Workload = { name: "hdfs", component: "namenode" };
export const JOURNALNODE: Workload = { name: "hdfs", component: "journalnode" };
export const DATANODE: Workload = { name: "hdfs", component: "datanode" };
export const DIRS: Workload = { name: "hdfs", component: "directories" };

export const NAMENODE_NAME = "hdfs-namenode";
const NAMENODE_HEADLESS = "hdfs-namenode-headless";
export const JOURNALNODE_NAME = "hdfs-journalnode";
const JOURNALNODE_HEADLESS = "hdfs-journalnode-headless";
export const DATANODE_NAME = "hdfs-datanode";
const DATANODE_HEADLESS = "hdfs-datanode-headless";
/** The seed's address: clients of a single NameNode use namenode:9000. */
export const NAMENODE_SERVICE = "namenode";
export const CONFIG_MAP = "hdfs-config";
/** The logical name clients use for the HA pair. */
export const NAMESERVICE = "dataplatform";

export const RPC_PORT = 9000;
export const HTTP_PORT = 9870;
export const DATA_PORT = 9866;
const DATANODE_HTTP_PORT = 9864;
const DATANODE_IPC_PORT = 9867;
const JOURNAL_RPC_PORT = 8485;
const JOURNAL_HTTP_PORT = 8480;
const ZKFC_PORT = 8019;
const NAMENODE_PORTS: Port[] = [
  { name: "rpc", port: RPC_PORT },
  { name: "http", port: HTTP_PORT },
];
const JOURNALNODE_PORTS: Port[] = [
  { name: "rpc", port: JOURNAL_RPC_PORT },
  { name: "http", port: JOURNAL_HTTP_PORT },
];
const DATANODE_PORTS: Port[] = [
  { name: "data", port: DATA_PORT },
  { name: "http", port: DATANODE_HTTP_PORT },
  { name: "ipc", port: DATANODE_IPC_PORT },
];
/** The image's hadoop user starts the NameNode, so it is the HDFS superuser. */
const UID = HADOOP_UID;
export const SUPERUSER = "hadoop";
const DATA = "/var/lib/hadoop";
const CONF_DIR = HADOOP_CONF_DIR;
/** The discovery ConfigMap: every HDFS client's core-site and hdfs-site, which clients mount. */
export const CLIENT_CONFIG_MAP = "hdfs-client";

/** The platform's directories: owner, mode. Spark writes the streams and checkpoints. */
export const DIRECTORIES: Record<string, { owner: string; mode: string }> = {
  "/data/streaming": { owner: "spark:supergroup", mode: "775" },
  "/data/processed": { owner: "spark:supergroup", mode: "775" },
  "/data/checkpoint": { owner: "spark:supergroup", mode: "770" },
  // Spark's home: YARN staging (.sparkStaging) and the session catalog's warehouse.
  "/user/spark": { owner: "spark:supergroup", mode: "755" },
};

const fqdn = (pod: string, ordinal: number, headless: string, ns: string, domain = DEFAULT_CLUSTER_DOMAIN) =>
  `${pod}-${ordinal}.${headless}.${ns}.svc.${domain}`;

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

function haProperties(cfg: HdfsConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): SiteProperties {
  const nns = [0, 1];
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
        [`dfs.namenode.http-address.${NAMESERVICE}.nn${i}`, `${fqdn(NAMENODE_NAME, i, NAMENODE_HEADLESS, ns, domain)}:${HTTP_PORT}`],
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
    "dfs.journalnode.http-address": `0.0.0.0:${JOURNAL_HTTP_PORT}`,
  };
}

export function hdfsSite(cfg: HdfsConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): SiteProperties {
  return {
    "dfs.replication": cfg.replication,
    "dfs.blocksize": cfg.blockSizeMb * 1024 * 1024,
    "dfs.namenode.name.dir": `${DATA}/namenode`,
    "dfs.datanode.data.dir": `${DATA}/datanode`,
    "dfs.namenode.rpc-bind-host": "0.0.0.0",
    "dfs.namenode.servicerpc-bind-host": "0.0.0.0",
    "dfs.namenode.http-bind-host": "0.0.0.0",
    "dfs.datanode.address": `0.0.0.0:${DATA_PORT}`,
    "dfs.datanode.http.address": `0.0.0.0:${DATANODE_HTTP_PORT}`,
    "dfs.datanode.ipc.address": `0.0.0.0:${DATANODE_IPC_PORT}`,
    // DataNodes register and are reached by their per-pod DNS names, not by IPs that change.
    "dfs.namenode.datanode.registration.ip-hostname-check": false,
    "dfs.client.use.datanode.hostname": true,
    "dfs.datanode.use.datanode.hostname": true,
    "dfs.permissions.superusergroup": "supergroup",
    "dfs.webhdfs.enabled": true,
    ...(cfg.highAvailability
      ? haProperties(cfg, ns, domain)
      : {
          "dfs.namenode.rpc-address": `${NAMENODE_SERVICE}.${ns}.svc.${domain}:${RPC_PORT}`,
          "dfs.namenode.http-address": `${NAMENODE_SERVICE}.${ns}.svc.${domain}:${HTTP_PORT}`,
        }),
  };
}

/**
 * The DataNodes the NameNodes exclude (decommission, then keep out), one host name a line: on the
 * NameNode's volume, so a restarted NameNode keeps them out. Only infra/datanode-decommission writes it.
 */
export const EXCLUDE_FILE = `${DATA}/excluded-datanodes`;
/** The NameNodes' own hdfs-site: the clients' plus the exclude file (clients never read it). */
const NAMENODE_SITE_KEY = "namenode-hdfs-site.xml";

/** A DataNode's host name, as it registers with the NameNode. */
export const dataNodeHost = (ordinal: number, ns: string, domain = DEFAULT_CLUSTER_DOMAIN) => fqdn(DATANODE_NAME, ordinal, DATANODE_HEADLESS, ns, domain);

/** The files every HDFS client mounts into its Hadoop configuration directory. */
export function clientConfigFiles(cfg: HdfsConfig, ns: string, zookeeperConnect: string, domain = DEFAULT_CLUSTER_DOMAIN): Record<string, string> {
  return { "core-site.xml": siteXml(coreSite(cfg, ns, zookeeperConnect, domain)), "hdfs-site.xml": siteXml(hdfsSite(cfg, ns, domain)) };
}

/** The NameNodes write to every JournalNode of dfs.namenode.shared.edits.dir; a new one holds no edits. */
export const JOURNALNODES_FIXED_SIZE =
  "the NameNodes write their edits to the JournalNodes listed in dfs.namenode.shared.edits.dir, and a new JournalNode " +
  "holds none of them. Keep hdfs.journalNodes.replicas as deployed (README: Resizing a quorum).";

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

const ZKFC_START = [
  "set -eu",
  "# Creates the failover znode once; later starts find it and go on.",
  "hdfs zkfc -formatZK -nonInteractive || true",
  "exec hdfs zkfc",
].join("\n");

function dataNodeStart(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return ["set -eu", `exec hdfs datanode -Ddfs.datanode.hostname="\${HOSTNAME}.${DATANODE_HEADLESS}.${ns}.svc.${domain}"`].join("\n");
}

const tcp = (port: number, initialDelaySeconds = 10) => ({ tcpSocket: { port }, initialDelaySeconds, periodSeconds: 10 });
const live = (port: number) => ({ tcpSocket: { port }, initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 });
const SITE_FILES = ["core-site.xml", "hdfs-site.xml"];
const hadoopVolumes = () => [{ name: "config", configMap: { name: CONFIG_MAP } }, scratchVolume("tmp", "2Gi")];

export function hdfsManifests(cfg: HdfsConfig, ns: string, zookeeperConnect: string, domain = DEFAULT_CLUSTER_DOMAIN): Manifest[] {
  const files = clientConfigFiles(cfg, ns, zookeeperConnect, domain);
  const checksum = digest(files);
  const nameNodeFiles = { ...files, [NAMENODE_SITE_KEY]: siteXml({ ...hdfsSite(cfg, ns, domain), "dfs.hosts.exclude": EXCLUDE_FILE }) };
  const nameNodeSite = { "hdfs-site.xml": NAMENODE_SITE_KEY };
  const version = imageVersion(cfg.image);
  const clusterEnv = [{ name: "HDFS_CLUSTER_ID", value: cfg.clusterId }];

  const nameNodeContainers = [
    hadoopDaemon({
      name: "namenode",
      image: cfg.image,
      script: nameNodeStart(cfg),
      sizing: cfg.nameNode,
      env: clusterEnv,
      dataDir: DATA,
      configMounts: hadoopConfigMounts("config", SITE_FILES, CONF_DIR, nameNodeSite),
      ports: containerPorts(NAMENODE_PORTS),
      // Ready once RPC serves: the web server starts before the namespace loads (engine tests found
      // the directories Job refused while "/" on the web port already answered).
      readiness: tcp(RPC_PORT, 10),
      liveness: live(RPC_PORT),
      // Up to 30 minutes for a first format, a standby bootstrap or a large image to load.
      startup: { tcpSocket: { port: RPC_PORT }, periodSeconds: 10, failureThreshold: 180 },
    }),
    ...(cfg.highAvailability
      ? [
          hadoopDaemon({
            name: "zkfc",
            image: cfg.image,
            script: ZKFC_START,
            sizing: { heapPercent: 25, resources: { requests: { cpu: "50m", memory: "512Mi" }, limits: { memory: "512Mi" } } },
            ports: [{ name: "zkfc", containerPort: ZKFC_PORT }],
            readiness: tcp(ZKFC_PORT, 20),
            liveness: live(ZKFC_PORT),
            configMounts: hadoopConfigMounts("config", SITE_FILES, CONF_DIR, nameNodeSite),
          }),
        ]
      : []),
  ];

  const manifests: Manifest[] = [
    serviceAccount("hdfs", ns, NAMENODE),
    configMap(CONFIG_MAP, ns, NAMENODE, nameNodeFiles),
    configMap(CLIENT_CONFIG_MAP, ns, NAMENODE, files),
    headlessService(NAMENODE_HEADLESS, ns, NAMENODE, NAMENODE_PORTS),
    podDisruptionBudget(NAMENODE_NAME, ns, NAMENODE),
    statefulSet({
      name: NAMENODE_NAME,
      namespace: ns,
      workload: NAMENODE,
      version,
      replicas: cfg.highAvailability ? 2 : 1,
      serviceName: NAMENODE_HEADLESS,
      configChecksum: digest(nameNodeFiles),
      pod: podSpec(NAMENODE, UID, { terminationGracePeriodSeconds: 60, containers: nameNodeContainers, volumes: hadoopVolumes() }, "hdfs"),
      volumeClaims: [{ name: "data", storage: cfg.nameNode.storage }],
    }),
  ];

  if (cfg.highAvailability && cfg.journalNodes) {
    manifests.push(
      headlessService(JOURNALNODE_HEADLESS, ns, JOURNALNODE, JOURNALNODE_PORTS),
      podDisruptionBudget(JOURNALNODE_NAME, ns, JOURNALNODE),
      statefulSet({
        name: JOURNALNODE_NAME,
        namespace: ns,
        workload: JOURNALNODE,
        version,
        replicas: cfg.journalNodes.replicas,
        serviceName: JOURNALNODE_HEADLESS,
        configChecksum: checksum,
        fixedSize: JOURNALNODES_FIXED_SIZE,
        pod: podSpec(
          JOURNALNODE,
          UID,
          {
            terminationGracePeriodSeconds: 30,
            containers: [
              hadoopDaemon({
                name: "journalnode",
                image: cfg.image,
                script: "exec hdfs journalnode",
                sizing: cfg.journalNodes,
                dataDir: DATA,
                configMounts: hadoopConfigMounts("config", SITE_FILES),
                ports: containerPorts(JOURNALNODE_PORTS),
                readiness: tcp(JOURNAL_RPC_PORT),
                liveness: live(JOURNAL_RPC_PORT),
              }),
            ],
            volumes: hadoopVolumes(),
          },
          "hdfs",
        ),
        volumeClaims: [{ name: "data", storage: cfg.journalNodes.storage }],
      }),
    );
  } else {
    manifests.push(clientService(NAMENODE_SERVICE, ns, NAMENODE, NAMENODE_PORTS));
  }

  manifests.push(
    headlessService(DATANODE_HEADLESS, ns, DATANODE, DATANODE_PORTS),
    podDisruptionBudget(DATANODE_NAME, ns, DATANODE),
    statefulSet({
      name: DATANODE_NAME,
      namespace: ns,
      workload: DATANODE,
      version,
      replicas: cfg.dataNodes.replicas,
      serviceName: DATANODE_HEADLESS,
      configChecksum: checksum,
      pod: podSpec(
        DATANODE,
        UID,
        {
          terminationGracePeriodSeconds: 60,
          containers: [
            hadoopDaemon({
              name: "datanode",
              image: cfg.image,
              script: dataNodeStart(ns, domain),
              sizing: cfg.dataNodes,
              dataDir: DATA,
              configMounts: hadoopConfigMounts("config", SITE_FILES),
              ports: containerPorts(DATANODE_PORTS),
              readiness: { httpGet: { path: "/", port: DATANODE_HTTP_PORT }, initialDelaySeconds: 10, periodSeconds: 10 },
              liveness: live(DATA_PORT),
            }),
          ],
          volumes: hadoopVolumes(),
        },
        "hdfs",
      ),
      volumeClaims: [{ name: "data", storage: cfg.dataNodes.storage }],
    }),
    directoriesJob(cfg, ns),
  );
  return manifests;
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

function directoriesJob(cfg: HdfsConfig, ns: string): Manifest {
  return job({
    prefix: "hdfs-directories",
    namespace: ns,
    workload: DIRS,
    uid: UID,
    serviceAccountName: "hdfs",
    container: container({
      name: "directories",
      image: cfg.image,
      command: ["/bin/bash", "-c", directoriesScript()],
      env: [
        { name: "HADOOP_USER_NAME", value: SUPERUSER },
        { name: "HADOOP_HEAPSIZE_MAX", value: "256m" },
        { name: "HADOOP_LOG_DIR", value: "/tmp/logs" },
      ],
      resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } },
      volumeMounts: [...hadoopConfigMounts("config", SITE_FILES), { name: "tmp", mountPath: "/tmp" }],
    }),
    volumes: hadoopVolumes(),
  });
}

/** Ports an HDFS client needs: NameNode RPC, DataNode data transfer and IPC (files still being written). */
export function clientFlows(client: Workload): Flow[] {
  return [
    { from: client, to: NAMENODE, ports: [RPC_PORT] },
    { from: client, to: DATANODE, ports: [DATA_PORT, DATANODE_IPC_PORT] },
  ];
}

/** Internal flows, and the HA NameNodes' way to ZooKeeper (their failover controllers). */
export function hdfsFlows(cfg: HdfsConfig, zookeeper: Pick<ZooKeeperEnsemble, "access">): Flow[] {
  return [
    { from: DATANODE, to: NAMENODE, ports: [RPC_PORT] },
    // Replication pipelines, and block recovery between DataNodes.
    { from: DATANODE, to: DATANODE, ports: [DATA_PORT, DATANODE_IPC_PORT] },
    ...clientFlows(DIRS),
    ...(cfg.highAvailability
      ? [
          { from: NAMENODE, to: NAMENODE, ports: [RPC_PORT, HTTP_PORT, ZKFC_PORT] },
          { from: NAMENODE, to: JOURNALNODE, ports: [JOURNAL_RPC_PORT, JOURNAL_HTTP_PORT] },
          { from: JOURNALNODE, to: JOURNALNODE, ports: [JOURNAL_HTTP_PORT] },
          ...zookeeper.access(NAMENODE),
        ]
      : []),
  ];
}
