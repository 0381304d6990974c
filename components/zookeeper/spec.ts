/** ZooKeeper ensemble: zoo.cfg and the Kubernetes objects, from validated config. */
import { heapMiB, type Manifest, type Workload } from "../kit";
import { container, type Flow, podSpec, scratchVolume } from "../kit";
import type { ZooKeeperConfig } from "./config";
import { DEFAULT_CLUSTER_DOMAIN, podHost, serviceHost } from "../kit/dns";
import { statefulRoleObjects } from "../kit/role";
import { type MetricsEndpoint, METRICS_PORT_NAME, type MonitoringConfig } from "../kit/metrics";

/** The servers' own metrics endpoint (monitoring on): no agent to fetch. */
export function zookeeperMetrics(monitoring?: MonitoringConfig): MetricsEndpoint[] {
  return monitoring ? [{ workload: ZOOKEEPER, port: ZOOKEEPER_METRICS_PORT, path: "/metrics" }] : [];
}

export const ZOOKEEPER: Workload = { name: "zookeeper", component: "server" };
export const NAME = "zookeeper";
export const HEADLESS = "zookeeper-headless";
export const CLIENT_PORT = 2181;
const PEER_PORT = 2888;
const ELECTION_PORT = 3888;
const ADMIN_PORT = 8080;
/** ZooKeeper's own Prometheus provider (in its lib since 3.6): /metrics, JVM metrics included. */
export const ZOOKEEPER_METRICS_PORT = 7000;
/** The official image's zookeeper user. */
const UID = 1000;
export const DATA_DIR = "/var/lib/zookeeper/data";

export function serverHost(ordinal: number, namespace: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return podHost(`${NAME}-${ordinal}`, HEADLESS, namespace, domain);
}

/** The client connect string other engines use (HDFS ZKFC, YARN RM HA). */
export function connectString(namespace: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `${serviceHost(NAME, namespace, domain)}:${CLIENT_PORT}`;
}

export function zooCfg(cfg: ZooKeeperConfig, namespace: string, domain = DEFAULT_CLUSTER_DOMAIN, monitoring?: MonitoringConfig): string {
  const lines = [
    "tickTime=2000",
    "initLimit=10",
    "syncLimit=5",
    `dataDir=${DATA_DIR}`,
    `clientPort=${CLIENT_PORT}`,
    "maxClientCnxns=120",
    "autopurge.snapRetainCount=5",
    "autopurge.purgeInterval=12",
    "4lw.commands.whitelist=ruok,srvr,mntr",
    "admin.enableServer=true",
    `admin.serverPort=${ADMIN_PORT}`,
    // Pods bind their own IP, which differs from the address peers resolve; listen on all.
    "quorumListenOnAllIPs=true",
    "reconfigEnabled=false",
    ...(monitoring
      ? [
          "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
          "metricsProvider.httpHost=0.0.0.0",
          `metricsProvider.httpPort=${ZOOKEEPER_METRICS_PORT}`,
          "metricsProvider.exportJvmInfo=true",
        ]
      : []),
  ];
  if (cfg.replicas > 1) {
    lines.push("standaloneEnabled=false");
    for (let i = 0; i < cfg.replicas; i++) {
      lines.push(`server.${i + 1}=${serverHost(i, namespace, domain)}:${PEER_PORT}:${ELECTION_PORT};${CLIENT_PORT}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The server id comes from the pod ordinal, so a pod keeps its identity across restarts. */
const START = [
  "set -eu",
  'ordinal="${HOSTNAME##*-}"',
  `mkdir -p ${DATA_DIR}`,
  `echo "$((ordinal + 1))" > ${DATA_DIR}/myid`,
  "exec zkServer.sh start-foreground /conf/zoo.cfg",
].join("\n");

export function zookeeperManifests(cfg: ZooKeeperConfig, namespace: string, domain = DEFAULT_CLUSTER_DOMAIN, monitoring?: MonitoringConfig): Manifest[] {
  const config = { "zoo.cfg": zooCfg(cfg, namespace, domain, monitoring) };
  const heap = heapMiB(cfg.resources.limits.memory, cfg.heapPercent);
  const pod = podSpec(
    ZOOKEEPER,
    UID,
    {
      terminationGracePeriodSeconds: 30,
      containers: [
        container({
          name: "zookeeper",
          image: cfg.image,
          command: ["/bin/bash", "-c", START],
          env: [
            { name: "ZK_SERVER_HEAP", value: String(heap) },
            { name: "ZOO_LOG_DIR", value: "/logs" },
            { name: "ZOOCFGDIR", value: "/conf" },
          ],
          ports: [
            { name: "client", containerPort: CLIENT_PORT },
            { name: "peer", containerPort: PEER_PORT },
            { name: "election", containerPort: ELECTION_PORT },
            { name: "admin", containerPort: ADMIN_PORT },
            ...(monitoring ? [{ name: METRICS_PORT_NAME, containerPort: ZOOKEEPER_METRICS_PORT }] : []),
          ],
          readinessProbe: { httpGet: { path: "/commands/ruok", port: ADMIN_PORT }, periodSeconds: 10, timeoutSeconds: 5 },
          livenessProbe: { tcpSocket: { port: CLIENT_PORT }, initialDelaySeconds: 30, periodSeconds: 15, failureThreshold: 6 },
          resources: cfg.resources,
          volumeMounts: [
            { name: "data", mountPath: "/var/lib/zookeeper" },
            // Only zoo.cfg: the image keeps logback.xml beside it in /conf.
            { name: "config", mountPath: "/conf/zoo.cfg", subPath: "zoo.cfg" },
            { name: "logs", mountPath: "/logs" },
            { name: "tmp", mountPath: "/tmp" },
          ],
        }),
      ],
      volumes: [{ name: "config", configMap: { name: NAME } }, scratchVolume("logs", "1Gi"), scratchVolume("tmp")],
    },
    NAME,
  );
  return statefulRoleObjects({
    name: NAME,
    namespace,
    workload: ZOOKEEPER,
    image: cfg.image,
    replicas: cfg.replicas,
    pod,
    serviceAccount: NAME,
    files: config,
    headless: {
      name: HEADLESS,
      ports: [
        { name: "client", port: CLIENT_PORT },
        { name: "peer", port: PEER_PORT },
        { name: "election", port: ELECTION_PORT },
      ],
    },
    client: { name: NAME, ports: [{ name: "client", port: CLIENT_PORT }] },
    volumeClaims: [{ name: "data", storage: cfg.storage }],
    fixedSize: FIXED_SIZE,
  });
}

/** Every server's zoo.cfg lists the whole ensemble; new members would elect beside the old ones. */
export const FIXED_SIZE =
  "a ZooKeeper ensemble is fixed in every server's zoo.cfg: servers started with a new list can form a second " +
  "majority beside the old one. Keep zookeeper.replicas as deployed (README: Resizing a quorum).";

export function zookeeperFlows(): Flow[] {
  return [{ from: ZOOKEEPER, to: ZOOKEEPER, ports: [CLIENT_PORT, PEER_PORT, ELECTION_PORT] }];
}
