/** Impala daemons and their configuration: who finds whom, memory per daemon, the metastore and the lake. */
import {
  clientService,
  configMap,
  container,
  containerPorts,
  deployment,
  digest,
  type Flow,
  heapMiB,
  type Manifest,
  podDisruptionBudget,
  podSpec,
  scratchVolume,
  serviceAccount,
  type Workload,
} from "../kit";
import { lakeUserEnv, s3aProperties, type HdfsCluster, type MetastoreService, type ObjectStore } from "../kit/contracts";
import { javaToolOptions, jvmTrust, trustInit } from "../kit/trust";
import { clientConfigVolume, hadoopConfigMounts } from "../kit/hadoop";
import { siteXml } from "../kit/hadoop-xml";
import type { Resources } from "../kit/sizing";
import { type ImpalaConfig, memLimitMiB } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

export const STATESTORE: Workload = { name: "impala", component: "statestored" };
export const CATALOG: Workload = { name: "impala", component: "catalogd" };
export const COORDINATOR: Workload = { name: "impala", component: "coordinator" };
export const EXECUTOR: Workload = { name: "impala", component: "executor" };

export const PORTS = {
  statestore: 24000,
  statestoreWeb: 25010,
  subscriber: 23000,
  catalogSubscriber: 23020,
  catalog: 26000,
  catalogWeb: 25020,
  hs2: 21050,
  hs2Http: 28000,
  impaladWeb: 25000,
  krpc: 27000,
} as const;
export const SERVICES = { statestore: "impala-statestored", catalog: "impala-catalogd", coordinator: "impala" } as const;
export const CONFIG_MAP = "impala-config";
/** The apache/impala images' impala user. */
const UID = 1000;
const CONF = "/opt/impala/conf";

const host = (service: string, ns: string, domain = DEFAULT_CLUSTER_DOMAIN) => `${service}.${ns}.svc.${domain}`;

export function image(cfg: ImpalaConfig, daemon: string): string {
  return `${cfg.repository}:${cfg.version}-${daemon}`;
}

/** What Impala reads: the metastore's tables, their files in HDFS and in the lake. */
export interface ImpalaBackends {
  hdfs: HdfsCluster;
  metastore: MetastoreService;
  lake: ObjectStore;
}

/**
 * Impala's own files on the daemons' classpath: the metastore, and core-site as HDFS's plus S3A
 * (MinIO). hdfs-site comes from HDFS's discovery ConfigMap unchanged.
 */
export function configFiles(b: ImpalaBackends): Record<string, string> {
  return {
    "hive-site.xml": siteXml({ "hive.metastore.uris": b.metastore.uri, "hive.metastore.client.socket.timeout": "3600" }),
    "core-site.xml": siteXml({
      ...b.hdfs.clientConfig.properties["core-site.xml"],
      ...s3aProperties(b.lake),
    }),
  };
}

const HDFS_SITE = "hdfs-site.xml";

/** Flags every daemon shares: where the statestore is, logs to stderr, scratch in /tmp. */
function commonFlags(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string[] {
  return [
    `--state_store_host=${host(SERVICES.statestore, ns, domain)}`,
    `--state_store_port=${PORTS.statestore}`,
    "--logtostderr=true",
    "--log_dir=/opt/impala/logs",
    '--hostname="$POD_IP"',
  ];
}

export function statestoreFlags(): string[] {
  return [`--state_store_port=${PORTS.statestore}`, `--webserver_port=${PORTS.statestoreWeb}`, "--logtostderr=true", "--log_dir=/opt/impala/logs"];
}

export function catalogFlags(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string[] {
  return [
    ...commonFlags(ns, domain),
    `--catalog_service_port=${PORTS.catalog}`,
    `--state_store_subscriber_port=${PORTS.catalogSubscriber}`,
    `--webserver_port=${PORTS.catalogWeb}`,
    // Pick up tables Spark and Trino create through the metastore within a second.
    "--hms_event_polling_interval_s=1",
    "--catalog_topic_mode=minimal",
  ];
}

export function impaladFlags(cfg: ImpalaConfig, ns: string, role: "coordinators" | "executors", domain = DEFAULT_CLUSTER_DOMAIN): string[] {
  const coordinator = role === "coordinators";
  return [
    ...commonFlags(ns, domain),
    `--catalog_service_host=${host(SERVICES.catalog, ns, domain)}`,
    `--catalog_service_port=${PORTS.catalog}`,
    `--state_store_subscriber_port=${PORTS.subscriber}`,
    `--is_coordinator=${coordinator}`,
    `--is_executor=${!coordinator}`,
    `--mem_limit=${memLimitMiB(cfg[role])}m`,
    `--krpc_port=${PORTS.krpc}`,
    `--hs2_port=${PORTS.hs2}`,
    `--hs2_http_port=${PORTS.hs2Http}`,
    `--webserver_port=${PORTS.impaladWeb}`,
    "--use_local_catalog=true",
    "--scratch_dirs=/tmp/impala-scratch",
  ];
}

interface Daemon {
  name: string;
  workload: Workload;
  image: string;
  replicas: number;
  flags: string[];
  binary: string;
  resources: Resources;
  heap?: number;
  ports: { name: string; port: number }[];
  probePort: number;
}

function daemonDeployment(d: Daemon, ns: string, checksum: string, b: ImpalaBackends): Manifest {
  // The embedded JVM reads the lake (S3A); the statestore has none.
  const trust = jvmTrust(d.heap ? b.lake.ca : undefined, d.image);
  const tcp = (failureThreshold: number) => ({ tcpSocket: { port: d.probePort }, periodSeconds: 10, failureThreshold });
  return deployment({
    name: d.name,
    namespace: ns,
    workload: d.workload,
    replicas: d.replicas,
    configChecksum: checksum,
    pod: podSpec(
      d.workload,
      UID,
      {
        terminationGracePeriodSeconds: 60,
        ...trustInit(trust),
        containers: [
          container({
            name: d.workload.component,
            image: d.image,
            command: ["/bin/bash", "-c", `exec /opt/impala/bin/daemon_entrypoint.sh /opt/impala/bin/${d.binary} ${d.flags.join(" ")}`],
            env: [
              { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
              // The statestore has no JVM; the others embed one, sized from their limit.
              ...javaToolOptions(d.heap ? `-Xms${d.heap}m -Xmx${d.heap}m` : undefined, trust.javaOptions),
              // Only a daemon with a JVM reads the lake: the statestore gets no keys.
              ...(d.heap ? lakeUserEnv(b.lake, "impala") : []),
            ],
            ports: containerPorts(d.ports),
            readinessProbe: tcp(3),
            livenessProbe: { ...tcp(6), initialDelaySeconds: 60 },
            startupProbe: tcp(60),
            resources: d.resources,
            volumeMounts: [
              ...hadoopConfigMounts("config", ["hive-site.xml", "core-site.xml"], CONF),
              ...hadoopConfigMounts("hdfs-client", [HDFS_SITE], CONF),
              { name: "tmp", mountPath: "/tmp" },
              // The image's entrypoint refuses to start unless its log directory is writable.
              { name: "logs", mountPath: "/opt/impala/logs" },
              ...trust.mounts,
            ],
          }),
        ],
        volumes: [
          { name: "config", configMap: { name: CONFIG_MAP } },
          clientConfigVolume("hdfs-client", b.hdfs.clientConfig),
          scratchVolume("tmp", "20Gi"),
          scratchVolume("logs", "1Gi"),
          ...trust.volumes,
        ],
      },
      "impala",
    ),
  });
}

export function impalaManifests(cfg: ImpalaConfig, ns: string, b: ImpalaBackends, domain = DEFAULT_CLUSTER_DOMAIN): Manifest[] {
  const files = configFiles(b);
  // HDFS's hdfs-site too: a change there rolls the daemons.
  const checksum = digest({ ...files, [HDFS_SITE]: b.hdfs.clientConfig.files[HDFS_SITE] });
  const heapOf = (r: { heapPercent: number; resources: Resources }) => heapMiB(r.resources.limits.memory, r.heapPercent);
  const impalad = (
    role: "coordinators" | "executors",
    workload: Workload,
    name: string,
    daemonImage: string,
    ports: { name: string; port: number }[],
  ): Daemon => ({
    name,
    workload,
    image: image(cfg, daemonImage),
    replicas: cfg[role].replicas,
    flags: impaladFlags(cfg, ns, role, domain),
    binary: "impalad",
    resources: cfg[role].resources,
    heap: heapOf(cfg[role]),
    ports,
    probePort: role === "coordinators" ? PORTS.hs2 : PORTS.krpc,
  });
  const daemons: Daemon[] = [
    {
      name: "impala-statestored",
      workload: STATESTORE,
      image: image(cfg, "statestored"),
      replicas: 1,
      flags: statestoreFlags(),
      binary: "statestored",
      resources: cfg.statestore.resources,
      ports: [
        { name: "statestore", port: PORTS.statestore },
        { name: "web", port: PORTS.statestoreWeb },
      ],
      probePort: PORTS.statestore,
    },
    {
      name: "impala-catalogd",
      workload: CATALOG,
      image: image(cfg, "catalogd"),
      replicas: 1,
      flags: catalogFlags(ns, domain),
      binary: "catalogd",
      resources: cfg.catalog.resources,
      heap: heapOf(cfg.catalog),
      ports: [
        { name: "catalog", port: PORTS.catalog },
        { name: "subscriber", port: PORTS.catalogSubscriber },
        { name: "web", port: PORTS.catalogWeb },
      ],
      probePort: PORTS.catalog,
    },
    impalad("coordinators", COORDINATOR, "impala-coordinator", "impalad_coordinator", [
      { name: "hs2", port: PORTS.hs2 },
      { name: "hs2-http", port: PORTS.hs2Http },
      { name: "web", port: PORTS.impaladWeb },
      { name: "krpc", port: PORTS.krpc },
      { name: "subscriber", port: PORTS.subscriber },
    ]),
    impalad("executors", EXECUTOR, "impala-executor", "impalad_executor", [
      { name: "krpc", port: PORTS.krpc },
      { name: "subscriber", port: PORTS.subscriber },
      { name: "web", port: PORTS.impaladWeb },
    ]),
  ];
  return [
    serviceAccount("impala", ns, COORDINATOR),
    configMap(CONFIG_MAP, ns, COORDINATOR, files),
    ...daemons.filter((d) => d.replicas > 1).map((d) => podDisruptionBudget(d.name, ns, d.workload)),
    ...daemons.map((d) => daemonDeployment(d, ns, checksum, b)),
    clientService(SERVICES.statestore, ns, STATESTORE, [{ name: "statestore", port: PORTS.statestore }]),
    clientService(SERVICES.catalog, ns, CATALOG, [{ name: "catalog", port: PORTS.catalog }]),
    clientService(SERVICES.coordinator, ns, COORDINATOR, [
      { name: "hs2", port: PORTS.hs2 },
      { name: "hs2-http", port: PORTS.hs2Http },
      { name: "web", port: PORTS.impaladWeb },
    ]),
  ];
}

/** Internal flows; the daemons' ways to HDFS and the lake; the catalog's and coordinators' to the metastore. */
export function impalaFlows(b: ImpalaBackends): Flow[] {
  const subscribers: [Workload, number][] = [
    [CATALOG, PORTS.catalogSubscriber],
    [COORDINATOR, PORTS.subscriber],
    [EXECUTOR, PORTS.subscriber],
  ];
  return [
    ...subscribers.flatMap(([w, port]) => [
      { from: w, to: STATESTORE, ports: [PORTS.statestore] },
      { from: STATESTORE, to: w, ports: [port] },
    ]),
    { from: COORDINATOR, to: CATALOG, ports: [PORTS.catalog] },
    { from: EXECUTOR, to: CATALOG, ports: [PORTS.catalog] },
    { from: COORDINATOR, to: EXECUTOR, ports: [PORTS.krpc] },
    { from: EXECUTOR, to: COORDINATOR, ports: [PORTS.krpc] },
    { from: EXECUTOR, to: EXECUTOR, ports: [PORTS.krpc] },
    ...[CATALOG, COORDINATOR, EXECUTOR].flatMap((w) => [...b.lake.access(w), ...b.hdfs.access(w)]),
    ...[CATALOG, COORDINATOR].flatMap((w) => b.metastore.access(w)),
  ];
}
