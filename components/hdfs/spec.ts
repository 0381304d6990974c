/**
 * HDFS: a NameNode (or an HA pair with JournalNodes and ZKFC), DataNodes, the client configuration
 * other engines mount, and an idempotent Job that creates the platform's directories.
 */
import {
  configMap,
  container,
  containerPorts,
  initContainers,
  type Flow,
  job,
  type Manifest,
  podSpec,
  scratchVolume,
  serviceAccount,
  type Workload,
} from "../kit";
import type { ZooKeeperEnsemble } from "../kit/contracts";
import { hadoopAgents, hadoopConfigMounts, hadoopDaemon } from "../kit/hadoop";
import { type MetricsEndpoint, type MonitoringConfig, jmxEndpoints } from "../kit/metrics";
import { hdfsExporterRules } from "./metrics";
import { siteXml } from "../kit/hadoop-xml";
import type { HdfsConfig } from "./config";
import { DEFAULT_CLUSTER_DOMAIN, podHost, serviceNames } from "../kit/dns";
import { hadoopCertificate, type HadoopTls, hadoopTlsMount, hadoopTlsVolume, keystorePasswordEnv, sslFiles } from "../kit/hadoop-tls";
import {
  CLIENT_CONFIG_MAP,
  CONF_DIR,
  CONFIG_MAP,
  DATA,
  DATA_PORT,
  DATANODE,
  DATANODE_HEADLESS,
  DATANODE_IPC_PORT,
  DATANODE_NAME,
  dataNodePorts,
  DIRS,
  EXCLUDE_FILE,
  JOURNAL_RPC_PORT,
  JOURNALNODE,
  JOURNALNODE_HEADLESS,
  JOURNALNODE_NAME,
  journalNodePorts,
  JOURNALNODES_FIXED_SIZE,
  NAMENODE,
  NAMENODE_HEADLESS,
  NAMENODE_NAME,
  nameNodePorts,
  NAMENODE_SERVICE,
  NAMENODE_SITE_KEY,
  RPC_PORT,
  SUPERUSER,
  TLS_SECRET,
  UID,
  webPorts,
  ZKFC_PORT,
} from "./names";
import { clientConfigFiles, hdfsSite } from "./config-files";
import { dataNodeStart, directoriesScript, nameNodeStart, ZKFC_START } from "./scripts";
import { statefulRoleObjects } from "../kit/role";

export * from "./names";
export * from "./config-files";
export * from "./scripts";

const tcp = (port: number, initialDelaySeconds = 10) => ({ tcpSocket: { port }, initialDelaySeconds, periodSeconds: 10 });
const live = (port: number) => ({ tcpSocket: { port }, initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 });
const SITE_FILES = ["core-site.xml", "hdfs-site.xml"];
const TLS_VOLUME = "tls";
const hadoopVolumes = () => [{ name: "config", configMap: { name: CONFIG_MAP } }, scratchVolume("tmp", "2Gi")];

/** The certificate every daemon serves: the NameNode Service's names and each role's pods (peers dial those). */
function hdfsCertificate(tls: HadoopTls, ns: string, domain: string): Manifest {
  return hadoopCertificate(tls, {
    name: TLS_SECRET,
    namespace: ns,
    workload: NAMENODE,
    commonName: NAMENODE_SERVICE,
    dnsNames: [
      ...serviceNames(NAMENODE_SERVICE, ns, domain),
      ...[NAMENODE_HEADLESS, JOURNALNODE_HEADLESS, DATANODE_HEADLESS].map((h) => podHost("*", h, ns, domain)),
    ],
  });
}

/**
 * What a daemon adds in tls mode: the ssl-*.xml files beside its site files, the key stores, and the
 * key store's password in its environment. Nothing in plaintext mode.
 */
function daemonTls(tls: HadoopTls | undefined) {
  return {
    siteFiles: tls ? [...SITE_FILES, ...Object.keys(sslFiles())] : SITE_FILES,
    volumes: tls ? [hadoopTlsVolume(TLS_VOLUME, TLS_SECRET)] : [],
    mounts: tls ? [hadoopTlsMount(TLS_VOLUME)] : [],
    env: tls ? [keystorePasswordEnv(tls.keystorePassword)] : [],
  };
}

/** The ConfigMap holding HDFS's JMX exporter rules (monitoring on). */
export const METRICS_CONFIG_MAP = "hdfs-metrics";

/** The NameNodes', JournalNodes' (HA) and DataNodes' JMX exporter endpoints (monitoring on). */
export function hdfsMetrics(cfg: HdfsConfig, monitoring?: MonitoringConfig): MetricsEndpoint[] {
  if (!monitoring) return [];
  const roles = [NAMENODE, ...(cfg.highAvailability && cfg.journalNodes ? [JOURNALNODE] : []), DATANODE];
  return jmxEndpoints(monitoring, ...roles);
}

/**
 * `tls`: given when hdfs.security is tls (the certificate's issuer and the key store's password).
 * `monitoring`: given while the environment has a monitoring section (every daemon serves metrics).
 */
export function hdfsManifests(
  cfg: HdfsConfig,
  ns: string,
  zookeeperConnect: string,
  domain = DEFAULT_CLUSTER_DOMAIN,
  tls?: HadoopTls,
  monitoring?: MonitoringConfig,
): Manifest[] {
  if ((cfg.security === "tls") !== Boolean(tls))
    throw new Error("hdfs.security tls needs the environment's certificates section and key store password (checked by the config)");
  const files = clientConfigFiles(cfg, ns, zookeeperConnect, domain);
  const daemon = daemonTls(tls);
  const agents = hadoopAgents(monitoring, "HDFS", METRICS_CONFIG_MAP, hdfsExporterRules);
  const daemonVolumes = () => [...hadoopVolumes(), ...daemon.volumes, ...agents.volumes];
  // The daemons' files: the clients' and, in tls mode, the ssl-*.xml (a change rolls them).
  const daemonFiles = { ...files, ...(tls ? sslFiles() : {}) };
  // The metrics rules roll the daemons too, but live in their own ConfigMap (clients have no use for them).
  const checksumOf = (f: Record<string, string>) => ({ ...f, ...agents.rules });
  const nameNodeFiles = { ...daemonFiles, [NAMENODE_SITE_KEY]: siteXml({ ...hdfsSite(cfg, ns, domain), "dfs.hosts.exclude": EXCLUDE_FILE }) };
  const nameNodeSite = { "hdfs-site.xml": NAMENODE_SITE_KEY };
  const clusterEnv = [{ name: "HDFS_CLUSTER_ID", value: cfg.clusterId }, ...daemon.env];
  const web = webPorts(cfg);

  const nameNodeContainers = [
    hadoopDaemon({
      name: "namenode",
      image: cfg.image,
      script: nameNodeStart(cfg),
      sizing: cfg.nameNode,
      env: clusterEnv,
      dataDir: DATA,
      configMounts: [...hadoopConfigMounts("config", daemon.siteFiles, CONF_DIR, nameNodeSite), ...daemon.mounts],
      ports: containerPorts(nameNodePorts(cfg)),
      agent: agents.of("NAMENODE"),
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
    ...(tls ? [hdfsCertificate(tls, ns, domain)] : []),
    ...agents.configMaps(ns, NAMENODE),
    // The roles share one ConfigMap (the NameNodes' own hdfs-site under its key): none has its own.
    ...statefulRoleObjects({
      name: NAMENODE_NAME,
      namespace: ns,
      workload: NAMENODE,
      image: cfg.image,
      replicas: cfg.highAvailability ? 2 : 1,
      pod: podSpec(
        NAMENODE,
        UID,
        { terminationGracePeriodSeconds: 60, ...initContainers(agents.initContainers), containers: nameNodeContainers, volumes: daemonVolumes() },
        "hdfs",
      ),
      headless: { name: NAMENODE_HEADLESS, ports: nameNodePorts(cfg) },
      // An HA pair is reached through the nameservice, a single NameNode through its Service.
      client: cfg.highAvailability ? undefined : { name: NAMENODE_SERVICE, ports: nameNodePorts(cfg) },
      checksumOf: checksumOf(nameNodeFiles),
      volumeClaims: [{ name: "data", storage: cfg.nameNode.storage }],
    }),
  ];

  if (cfg.highAvailability && cfg.journalNodes) {
    manifests.push(
      ...statefulRoleObjects({
        name: JOURNALNODE_NAME,
        namespace: ns,
        workload: JOURNALNODE,
        image: cfg.image,
        replicas: cfg.journalNodes.replicas,
        pod: podSpec(
          JOURNALNODE,
          UID,
          {
            terminationGracePeriodSeconds: 30,
            ...initContainers(agents.initContainers),
            containers: [
              hadoopDaemon({
                name: "journalnode",
                image: cfg.image,
                script: "exec hdfs journalnode",
                sizing: cfg.journalNodes,
                dataDir: DATA,
                configMounts: [...hadoopConfigMounts("config", daemon.siteFiles), ...daemon.mounts],
                env: daemon.env,
                ports: containerPorts(journalNodePorts(cfg)),
                agent: agents.of("JOURNALNODE"),
                readiness: tcp(JOURNAL_RPC_PORT),
                liveness: live(JOURNAL_RPC_PORT),
              }),
            ],
            volumes: daemonVolumes(),
          },
          "hdfs",
        ),
        headless: { name: JOURNALNODE_HEADLESS, ports: journalNodePorts(cfg) },
        checksumOf: checksumOf(daemonFiles),
        volumeClaims: [{ name: "data", storage: cfg.journalNodes.storage }],
        fixedSize: JOURNALNODES_FIXED_SIZE,
      }),
    );
  }

  manifests.push(
    ...statefulRoleObjects({
      name: DATANODE_NAME,
      namespace: ns,
      workload: DATANODE,
      image: cfg.image,
      replicas: cfg.dataNodes.replicas,
      pod: podSpec(
        DATANODE,
        UID,
        {
          terminationGracePeriodSeconds: 60,
          ...initContainers(agents.initContainers),
          containers: [
            hadoopDaemon({
              name: "datanode",
              image: cfg.image,
              script: dataNodeStart(ns, domain),
              sizing: cfg.dataNodes,
              dataDir: DATA,
              configMounts: [...hadoopConfigMounts("config", daemon.siteFiles), ...daemon.mounts],
              env: daemon.env,
              ports: containerPorts(dataNodePorts(cfg)),
              agent: agents.of("DATANODE"),
              readiness: { httpGet: { path: "/", port: web.datanode, ...web.probeScheme }, initialDelaySeconds: 10, periodSeconds: 10 },
              liveness: live(DATA_PORT),
            }),
          ],
          volumes: daemonVolumes(),
        },
        "hdfs",
      ),
      headless: { name: DATANODE_HEADLESS, ports: dataNodePorts(cfg) },
      checksumOf: checksumOf(daemonFiles),
      volumeClaims: [{ name: "data", storage: cfg.dataNodes.storage }],
    }),
    directoriesJob(cfg, ns),
  );
  return manifests;
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
  const web = webPorts(cfg);
  return [
    { from: DATANODE, to: NAMENODE, ports: [RPC_PORT] },
    // Replication pipelines, and block recovery between DataNodes.
    { from: DATANODE, to: DATANODE, ports: [DATA_PORT, DATANODE_IPC_PORT] },
    ...clientFlows(DIRS),
    ...(cfg.highAvailability
      ? [
          { from: NAMENODE, to: NAMENODE, ports: [RPC_PORT, web.namenode, ZKFC_PORT] },
          { from: NAMENODE, to: JOURNALNODE, ports: [JOURNAL_RPC_PORT, web.journalnode] },
          { from: JOURNALNODE, to: JOURNALNODE, ports: [web.journalnode] },
          ...zookeeper.access(NAMENODE),
        ]
      : []),
  ];
}
