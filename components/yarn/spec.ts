/** YARN: a ResourceManager that keeps its state in ZooKeeper, and NodeManagers sized per environment. */
import { container } from "../kit";
import { javaToolOptions, jvmTrust } from "../kit/trust";
import { lakeUserEnv, type HadoopClientConfig, type HdfsCluster, type KafkaCluster, type ObjectStore, type ZooKeeperEnsemble } from "../kit/contracts";
import { clientConfigMounts, clientConfigVolume, HADOOP_UID as UID, hadoopAgents, hadoopConfigMounts, hadoopDaemon } from "../kit/hadoop";
import { configMap, containerPorts, cpuCores, type Flow, initContainers, type Manifest, podSpec, scratchVolume, serviceAccount, type Workload } from "../kit";
import { type MetricsEndpoint, type MonitoringConfig, jmxEndpoints } from "../kit/metrics";
import { yarnExporterRules } from "./metrics";
import { siteXml, type SiteProperties } from "../kit/hadoop-xml";
import type { YarnConfig } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { statefulRoleObjects } from "../kit/role";
import { podHost, serviceNames } from "../kit/dns";
import { hadoopCertificate, type HadoopTls, hadoopTlsMount, hadoopTlsVolume, keystorePasswordEnv, sslFiles, webScheme } from "../kit/hadoop-tls";

export const RESOURCE_MANAGER: Workload = { name: "yarn", component: "resourcemanager" };
export const NODE_MANAGER: Workload = { name: "yarn", component: "nodemanager" };

export const RM_NAME = "yarn-resourcemanager";
const RM_HEADLESS = "yarn-resourcemanager-headless";
/** The seed's address: resourcemanager:8088. */
export const RM_SERVICE = "resourcemanager";
export const NM_NAME = "yarn-nodemanager";
const NM_HEADLESS = "yarn-nodemanager-headless";
export const CONFIG_MAP = "yarn-config";
/** The ConfigMap holding YARN's JMX exporter rules (monitoring on). */
export const METRICS_CONFIG_MAP = "yarn-metrics";

export const RM_SCHEDULER_PORT = 8030;
export const RM_TRACKER_PORT = 8031;
export const RM_CLIENT_PORT = 8032;
export const RM_WEB_PORT = 8088;
/** tls mode (yarn.http.policy HTTPS_ONLY): Hadoop's default HTTPS ports. */
export const RM_HTTPS_PORT = 8090;
const NM_HTTPS_PORT = 8044;
/** The certificate the daemons serve, its Secret holding the JKS stores. */
export const TLS_SECRET = "yarn-tls";
export const NM_PORT = 8041;
const NM_LOCALIZER_PORT = 8040;
/** Spark 4 needs Java 17; the Hadoop image has an older one, so NodeManagers get Spark's runtime here. */
export const CONTAINER_JAVA_HOME = "/opt/java17";
const NM_WEB_PORT = 8042;

/** The daemons' web ports and their name: plain HTTP, or HTTPS only in tls mode. */
export function webPorts(cfg: Pick<YarnConfig, "security">) {
  const web = webScheme(cfg.security, "web");
  return {
    ...web,
    resourceManager: web.tls ? RM_HTTPS_PORT : RM_WEB_PORT,
    nodeManager: web.tls ? NM_HTTPS_PORT : NM_WEB_PORT,
  } as const;
}
/** Spark executors in YARN containers reach each other and their driver on these ports. */
export const CONTAINER_PORTS: [number, number] = [7078, 7094];
/** The smallest container YARN hands out; the largest is all of a NodeManager's memory. */
export const MIN_ALLOCATION_MB = 256;

/** Cores offered to containers: the CPU limit if set, else the request, at least one. */
export function vcores(cfg: YarnConfig): number {
  const r = cfg.nodeManagers.resources;
  return Math.max(1, Math.floor(cpuCores(r.limits.cpu ?? r.requests.cpu)));
}

export function yarnSite(cfg: YarnConfig, ns: string, zookeeperConnect: string, domain = DEFAULT_CLUSTER_DOMAIN): SiteProperties {
  const cores = vcores(cfg);
  return {
    "yarn.resourcemanager.hostname": `${RM_SERVICE}.${ns}.svc.${domain}`,
    "yarn.resourcemanager.bind-host": "0.0.0.0",
    "yarn.resourcemanager.recovery.enabled": true,
    "yarn.resourcemanager.store.class": "org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore",
    "hadoop.zk.address": zookeeperConnect,
    "yarn.nodemanager.bind-host": "0.0.0.0",
    "yarn.nodemanager.address": `0.0.0.0:${NM_PORT}`,
    "yarn.nodemanager.resource.memory-mb": cfg.nodeManagers.memoryMb,
    "yarn.nodemanager.resource.cpu-vcores": cores,
    "yarn.scheduler.minimum-allocation-mb": Math.min(MIN_ALLOCATION_MB, cfg.nodeManagers.memoryMb),
    "yarn.scheduler.maximum-allocation-mb": cfg.nodeManagers.memoryMb,
    "yarn.scheduler.minimum-allocation-vcores": 1,
    "yarn.scheduler.maximum-allocation-vcores": cores,
    // The container's memory limit is the real bound; YARN's own process-tree checks kill JVMs early.
    "yarn.nodemanager.vmem-check-enabled": false,
    "yarn.nodemanager.pmem-check-enabled": false,
    "yarn.nodemanager.local-dirs": "/tmp/yarn/local",
    "yarn.nodemanager.log-dirs": "/tmp/yarn/logs",
    "yarn.nodemanager.aux-services": "mapreduce_shuffle",
    "yarn.nodemanager.localizer.address": `0.0.0.0:${NM_LOCALIZER_PORT}`,
    // Clients read the policy too: Spark's driver builds its proxy links and executor log links from it.
    ...(cfg.security === "tls"
      ? {
          "yarn.http.policy": "HTTPS_ONLY",
          "yarn.resourcemanager.webapp.https.address": `${RM_SERVICE}.${ns}.svc.${domain}:${RM_HTTPS_PORT}`,
          "yarn.nodemanager.webapp.https.address": `0.0.0.0:${NM_HTTPS_PORT}`,
        }
      : {}),
    // Containers inherit these from the NodeManager: object-store credentials come from its Secret,
    // and with a TLS lake, the JVM options naming the trust store its init container wrote.
    "yarn.nodemanager.env-whitelist":
      "JAVA_HOME,HADOOP_COMMON_HOME,HADOOP_HDFS_HOME,HADOOP_CONF_DIR,CLASSPATH_PREPEND_DISTCACHE,HADOOP_YARN_HOME,HADOOP_HOME,PATH,LANG,TZ,AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY,JAVA_TOOL_OPTIONS",
  };
}

/** YARN's own files: the daemons' and, as its discovery ConfigMap, every YARN client's. */
export function yarnConfigFiles(cfg: YarnConfig, ns: string, zookeeperConnect: string, domain = DEFAULT_CLUSTER_DOMAIN): Record<string, string> {
  return { "yarn-site.xml": siteXml(yarnSite(cfg, ns, zookeeperConnect, domain)) };
}

export function yarnClientConfig(cfg: YarnConfig, ns: string, zookeeperConnect: string, domain = DEFAULT_CLUSTER_DOMAIN): HadoopClientConfig {
  return {
    configMap: CONFIG_MAP,
    files: yarnConfigFiles(cfg, ns, zookeeperConnect, domain),
    properties: { "yarn-site.xml": yarnSite(cfg, ns, zookeeperConnect, domain) },
  };
}

/** What YARN stands on: ZooKeeper for its state, HDFS, and what its containers read (topics, the lake). */
export interface YarnBackends {
  zookeeper: ZooKeeperEnsemble;
  hdfs: HdfsCluster;
  /** Off when the platform runs no Kafka: containers then read only the lake. */
  kafka?: KafkaCluster;
  lake: ObjectStore;
}

const HDFS_VOLUME = "hdfs-client";
const tcp = (port: number) => ({ tcpSocket: { port }, initialDelaySeconds: 15, periodSeconds: 10 });
const live = (port: number) => ({ tcpSocket: { port }, initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 });
const volumes = (hdfs: HdfsCluster) => [
  { name: "config", configMap: { name: CONFIG_MAP } },
  clientConfigVolume(HDFS_VOLUME, hdfs.clientConfig),
  scratchVolume("tmp", "20Gi"),
];
const configMounts = (hdfs: HdfsCluster, files: Record<string, string>) => [
  ...clientConfigMounts(HDFS_VOLUME, hdfs.clientConfig),
  ...hadoopConfigMounts("config", Object.keys(files)),
];

/** The ResourceManager's and NodeManagers' JMX exporter endpoints (monitoring on). */
export function yarnMetrics(monitoring?: MonitoringConfig): MetricsEndpoint[] {
  if (!monitoring) return [];
  return jmxEndpoints(monitoring, RESOURCE_MANAGER, NODE_MANAGER);
}

/**
 * `javaImage`: an image with a Java 17 runtime in /opt/java/openjdk (the Spark image), which
 * NodeManagers give the containers they run. `monitoring`: while set, both daemons serve metrics.
 */
export function yarnManifests(
  cfg: YarnConfig,
  ns: string,
  b: YarnBackends,
  javaImage: string,
  domain = DEFAULT_CLUSTER_DOMAIN,
  monitoring?: MonitoringConfig,
): Manifest[] {
  const tls = cfg.security === "tls" ? b.hdfs.webTls : undefined;
  if (cfg.security === "tls" && !tls) throw new Error("yarn.security tls needs hdfs.security tls (checked by the config)");
  // The daemons' files: yarn-site (also the clients') and, in tls mode, the ssl-*.xml.
  const files = { ...yarnConfigFiles(cfg, ns, b.zookeeper.connectString, domain), ...(tls ? sslFiles() : {}) };
  const agents = hadoopAgents(monitoring, "YARN", METRICS_CONFIG_MAP, yarnExporterRules);
  // The HDFS client files too: a change there rolls the daemons; so do the metrics rules.
  const checksumOf = { ...b.hdfs.clientConfig.files, ...files, ...agents.rules };
  const web = webPorts(cfg);
  const tlsVolumes = tls ? [hadoopTlsVolume("tls", TLS_SECRET)] : [];
  const tlsMounts = tls ? [hadoopTlsMount("tls")] : [];
  const tlsEnv = tls ? [keystorePasswordEnv(tls.keystorePassword)] : [];
  // Containers (Spark's executors on YARN) read the lake: the NodeManager's pod holds their trust store.
  const trust = jvmTrust(b.lake.ca, cfg.image);
  const rmPorts = [
    { name: "scheduler", port: RM_SCHEDULER_PORT },
    { name: "tracker", port: RM_TRACKER_PORT },
    { name: "client", port: RM_CLIENT_PORT },
    { name: web.name, port: web.resourceManager },
  ];
  // The daemons' ConfigMap is also YARN's discovery ConfigMap for clients: it is the engine's, not a role's.
  return [
    serviceAccount("yarn", ns, RESOURCE_MANAGER),
    configMap(CONFIG_MAP, ns, RESOURCE_MANAGER, files),
    ...(tls ? [yarnCertificate(tls, ns, domain)] : []),
    ...agents.configMaps(ns, RESOURCE_MANAGER),
    ...statefulRoleObjects({
      name: RM_NAME,
      namespace: ns,
      workload: RESOURCE_MANAGER,
      image: cfg.image,
      replicas: 1,
      pod: podSpec(
        RESOURCE_MANAGER,
        UID,
        {
          terminationGracePeriodSeconds: 60,
          ...initContainers(agents.initContainers),
          containers: [
            hadoopDaemon({
              name: "resourcemanager",
              image: cfg.image,
              script: "exec yarn resourcemanager",
              sizing: cfg.resourceManager,
              ports: containerPorts(rmPorts),
              readiness: {
                httpGet: { path: "/ws/v1/cluster/info", port: web.resourceManager, ...web.probeScheme },
                initialDelaySeconds: 15,
                periodSeconds: 10,
              },
              liveness: live(RM_CLIENT_PORT),
              env: tlsEnv,
              configMounts: [...configMounts(b.hdfs, files), ...tlsMounts],
              agent: agents.of("RESOURCEMANAGER"),
            }),
          ],
          volumes: [...volumes(b.hdfs), ...tlsVolumes, ...agents.volumes],
        },
        "yarn",
      ),
      headless: { name: RM_HEADLESS, ports: rmPorts },
      client: { name: RM_SERVICE, ports: rmPorts },
      checksumOf,
      // State lives in ZooKeeper; the ResourceManager keeps nothing on disk.
      volumeClaims: [],
    }),
    ...statefulRoleObjects({
      name: NM_NAME,
      namespace: ns,
      workload: NODE_MANAGER,
      image: cfg.image,
      replicas: cfg.nodeManagers.replicas,
      pod: podSpec(
        NODE_MANAGER,
        UID,
        {
          terminationGracePeriodSeconds: 60,
          initContainers: [
            ...trust.initContainers,
            ...agents.initContainers,
            container({
              name: "java-runtime",
              image: javaImage,
              command: ["/bin/sh", "-c", `cp -a /opt/java/openjdk/. ${CONTAINER_JAVA_HOME}/`],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
              volumeMounts: [{ name: "java", mountPath: CONTAINER_JAVA_HOME }],
            }),
          ],
          containers: [
            hadoopDaemon({
              name: "nodemanager",
              image: cfg.image,
              script: "exec yarn nodemanager",
              sizing: cfg.nodeManagers,
              ports: [
                { name: "rpc", containerPort: NM_PORT },
                { name: web.name, containerPort: web.nodeManager },
              ],
              readiness: tcp(NM_PORT),
              liveness: live(NM_PORT),
              env: [...lakeUserEnv(b.lake, "yarn"), ...javaToolOptions(trust.javaOptions), ...tlsEnv],
              configMounts: [...configMounts(b.hdfs, files), ...tlsMounts],
              // YARN's containers run the JDK copied from Spark's image and trust the lake's CA.
              mounts: [{ name: "java", mountPath: CONTAINER_JAVA_HOME, readOnly: true }, ...trust.mounts],
              agent: agents.of("NODEMANAGER"),
            }),
          ],
          volumes: [...volumes(b.hdfs), scratchVolume("java", "1Gi"), ...trust.volumes, ...tlsVolumes, ...agents.volumes],
        },
        "yarn",
      ),
      headless: {
        name: NM_HEADLESS,
        ports: [
          { name: "rpc", port: NM_PORT },
          { name: web.name, port: web.nodeManager },
        ],
      },
      checksumOf,
      volumeClaims: [],
    }),
  ];
}

/** The certificate the ResourceManager and NodeManagers serve: the ResourceManager's Service and each pod's name. */
function yarnCertificate(tls: HadoopTls, ns: string, domain: string): Manifest {
  return hadoopCertificate(tls, {
    name: TLS_SECRET,
    namespace: ns,
    workload: RESOURCE_MANAGER,
    commonName: RM_SERVICE,
    dnsNames: [...serviceNames(RM_SERVICE, ns, domain), podHost("*", RM_HEADLESS, ns, domain), podHost("*", NM_HEADLESS, ns, domain)],
  });
}

/** Ports a YARN client (spark-submit --master yarn) needs: submit, and its AM in a container. */
export function yarnAccess(client: Workload): Flow[] {
  return [
    { from: client, to: RESOURCE_MANAGER, ports: [RM_CLIENT_PORT] },
    { from: client, to: NODE_MANAGER, ports: [CONTAINER_PORTS] },
    { from: NODE_MANAGER, to: client, ports: [CONTAINER_PORTS] },
  ];
}

export function yarnFlows(b: YarnBackends): Flow[] {
  return [
    { from: NODE_MANAGER, to: RESOURCE_MANAGER, ports: [RM_TRACKER_PORT, RM_SCHEDULER_PORT] },
    { from: RESOURCE_MANAGER, to: NODE_MANAGER, ports: [NM_PORT] },
    { from: NODE_MANAGER, to: NODE_MANAGER, ports: [NM_LOCALIZER_PORT, NM_PORT, CONTAINER_PORTS] },
    // Executors in YARN containers read the topics and write the lake.
    ...(b.kafka?.access(NODE_MANAGER) ?? []),
    ...b.lake.access(NODE_MANAGER),
    ...b.zookeeper.access(RESOURCE_MANAGER),
    ...b.hdfs.access(RESOURCE_MANAGER),
    ...b.hdfs.access(NODE_MANAGER),
  ];
}
