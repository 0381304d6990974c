/**
 * Spark: a standalone master and workers, YARN client configuration for `--master yarn`, the
 * platform's applications (a long-lived streaming driver and an on-demand batch job).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as k8s from "@pulumi/kubernetes";
import {
  configMap,
  container,
  containerPorts,
  digest,
  type Flow,
  heapMiB,
  httpsEgress,
  imageVersion,
  initContainers,
  type Manifest,
  podSpec,
  scratchVolume,
  serviceAccount,
  workloadLabels,
  type Workload,
} from "../kit";
import { cpuCores } from "../kit/quantity";
import { javaToolOptions, jvmTrust, type JvmTrust, trustInit } from "../kit/trust";
import { lakeUserEnv, s3aProperties, type HdfsCluster, type KafkaCluster, type MetastoreService, type ObjectStore, type YarnCluster } from "../kit/contracts";
import { clientConfigMounts, clientConfigVolume } from "../kit/hadoop";
import { type SparkConfig, workerMemoryMiB, WORKER_DAEMON_HEAP_MIB } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { statefulRoleObjects, statelessRoleObjects } from "../kit/role";
import { engineAgent, type JmxAgent, type MetricsEndpoint, type MonitoringConfig, jmxEndpoints } from "../kit/metrics";
import { DAEMON_METRICS_CONF, sparkDaemonExporterRules, sparkExporterRules, STREAMING_METRICS_CONF } from "./metrics";

export const MASTER: Workload = { name: "spark", component: "master" };
export const WORKER: Workload = { name: "spark", component: "worker" };
export const STREAMING: Workload = { name: "spark", component: "streaming" };
export const BATCH: Workload = { name: "spark", component: "batch" };

export const MASTER_NAME = "spark-master";
const MASTER_HEADLESS = "spark-master-headless";
export const WORKER_NAME = "spark-worker";
export const STREAMING_NAME = "spark-streaming";
export const BATCH_NAME = "spark-batch";
export const CONFIG_MAP = "spark-config";
export const APPS_CONFIG_MAP = "spark-apps";
/** The ConfigMap holding the streaming driver's JMX exporter rules (monitoring on). */
export const METRICS_CONFIG_MAP = "spark-streaming-metrics";
/** How often the streaming job starts a batch (kafka_to_hdfs_streaming.py reads TRIGGER_SECONDS); its alert compares batch time with it. */
export const STREAMING_TRIGGER_SECONDS = 30;

/** The ConfigMap holding the master's and workers' JMX exporter rules (monitoring on). */
export const DAEMON_METRICS_CONFIG_MAP = "spark-daemon-metrics";

/** The JMX exporter endpoints: the master's and workers', and the streaming driver's (streaming on). */
export function sparkMetrics(spark: Pick<SparkConfig, "streaming">, monitoring?: MonitoringConfig): MetricsEndpoint[] {
  if (!monitoring) return [];
  return jmxEndpoints(monitoring, MASTER, WORKER, ...(spark.streaming ? [STREAMING] : []));
}

/**
 * The master's and workers' JVM options (spark-class reads SPARK_DAEMON_JAVA_OPTS for them alone:
 * executors a worker starts get their own command line): the agent, and their sources as JMX beans.
 */
export function daemonJavaOptions(agent: JmxAgent): string {
  return [agent.javaOption, ...Object.entries(DAEMON_METRICS_CONF).map(([k, v]) => `-D${k}=${v}`)].join(" ");
}

export const MASTER_PORT = 7077;
const MASTER_WEB_PORT = 8080;
const WORKER_PORT = 7078;
const WORKER_WEB_PORT = 8081;
export const DRIVER_PORT = 7078;
export const BLOCK_MANAGER_PORT = 7079;
/** Drivers, executors and block managers bind from these ports up, one per JVM. */
export const SPARK_PORTS: [number, number] = [7078, 7094];
/** The apache/spark image's spark user. */
const UID = 185;
const CONF = "/opt/spark/conf";
/** Spark's logging file in CONF, with logFormat json (log4j2-json.properties). */
const LOG_CONFIG = "log4j2.properties";
/** With JSON logs, Spark also adds its structured context (application, executor, query ids) to each event. */
const STRUCTURED_LOGGING = { "spark.log.structuredLogging.enabled": true };
export function sparkJsonLogging(): string {
  return fs.readFileSync(path.join(__dirname, "log4j2-json.properties"), "utf8");
}
const HADOOP_CONF = "/opt/spark/hadoop-conf";
const APPS = "/opt/platform/apps";
/** YARN adds this much to every executor: max(384 MiB, 10%). */
const YARN_OVERHEAD_MIN_MIB = 384;

/** Jars the applications need beyond the stock image: Kafka source, Iceberg runtime, S3A. */
export const SPARK_PACKAGES = [
  "org.apache.spark:spark-sql-kafka-0-10_2.13:4.0.1",
  "org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.0",
  "org.apache.hadoop:hadoop-aws:3.4.1",
];

/** What Spark's applications use: YARN and HDFS, the topics, the lake's tables and files. */
export interface SparkBackends {
  yarn: YarnCluster;
  hdfs: HdfsCluster;
  kafka: KafkaCluster;
  metastore: MetastoreService;
  lake: ObjectStore;
}

/** The sizes of YARN's containers that executors must fit. */
type YarnLimits = Pick<YarnCluster, "vcoresPerNode" | "maxContainerMb">;

export function masterUrl(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `spark://${MASTER_NAME}.${ns}.svc.${domain}:${MASTER_PORT}`;
}

/**
 * Task slots a worker offers: twice its cores, at least two. Executors take half a worker, and the
 * long-running streaming driver is capped (spark.streamingCores), so batch runs always find room.
 * Nothing here depends on the worker count: scaling workers changes only the worker Deployment.
 */
export function workerSlots(spark: SparkConfig): number {
  const r = spark.workers.resources;
  return Math.max(2, 2 * Math.floor(cpuCores(r.limits.cpu ?? r.requests.cpu)));
}

/** Executor cores: half a worker's slots, within YARN's largest container. */
export function executorCores(spark: SparkConfig, yarn: YarnLimits): number {
  return Math.max(1, Math.min(workerSlots(spark) / 2, yarn.vcoresPerNode));
}

/** Executor heap: half a standalone worker's executor memory, within a YARN container (with YARN's overhead). */
export function executorMemoryMiB(spark: SparkConfig, yarn: YarnLimits): number {
  const half = Math.floor(workerMemoryMiB(spark.workers.resources.limits.memory, spark.workers.heapPercent) / 2);
  const yarnMax = Math.floor(Math.min(yarn.maxContainerMb - YARN_OVERHEAD_MIN_MIB, yarn.maxContainerMb / 1.1));
  return Math.max(256, Math.min(half, yarnMax));
}

export function sparkDefaults(
  spark: SparkConfig,
  b: Pick<SparkBackends, "yarn" | "metastore" | "lake">,
  ns: string,
  domain = DEFAULT_CLUSTER_DOMAIN,
): Record<string, string | number | boolean> {
  const yarn = b.yarn;
  return {
    "spark.master": masterUrl(ns, domain),
    "spark.driver.port": DRIVER_PORT,
    "spark.blockManager.port": BLOCK_MANAGER_PORT,
    // Block managers retry upwards from 7079: stay inside the ports the NetworkPolicies open.
    "spark.port.maxRetries": SPARK_PORTS[1] - BLOCK_MANAGER_PORT,
    "spark.driver.bindAddress": "0.0.0.0",
    "spark.executor.memory": `${executorMemoryMiB(spark, yarn)}m`,
    "spark.executor.cores": executorCores(spark, yarn),
    "spark.sql.warehouse.dir": "hdfs:///user/spark/warehouse",
    // On YARN, containers run Spark's Java 17 (copied into every NodeManager), not the Hadoop image's.
    "spark.yarn.appMasterEnv.JAVA_HOME": yarn.containerJavaHome,
    "spark.executorEnv.JAVA_HOME": yarn.containerJavaHome,
    "spark.local.dir": "/tmp/spark-local",
    "spark.sql.adaptive.enabled": true,
    "spark.sql.adaptive.coalescePartitions.enabled": true,
    "spark.sql.adaptive.skewJoin.enabled": true,
    "spark.sql.optimizer.dynamicPartitionPruning.enabled": true,
    "spark.sql.parquet.compression.codec": "snappy",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    "spark.sql.catalog.iceberg": "org.apache.iceberg.spark.SparkCatalog",
    "spark.sql.catalog.iceberg.type": "hive",
    "spark.sql.catalog.iceberg.uri": b.metastore.uri,
    "spark.sql.catalog.iceberg.warehouse": b.metastore.warehouse,
    // Credentials come from AWS_* variables (the MinIO Secret), never from this file.
    ...Object.fromEntries(Object.entries(s3aProperties(b.lake)).map(([k, v]) => [`spark.hadoop.${k}`, v])),
    ...(spark.dependencies === "maven" ? { "spark.jars.packages": SPARK_PACKAGES.join(","), "spark.jars.ivy": "/tmp/ivy" } : {}),
  };
}

export function renderDefaults(props: Record<string, string | number | boolean>): string {
  return `${Object.keys(props)
    .sort()
    .map((k) => `${k} ${props[k]}`)
    .join("\n")}\n`;
}

const s3Env = (lake: ObjectStore) => lakeUserEnv(lake, "spark");
const baseEnv = [
  { name: "SPARK_CONF_DIR", value: CONF },
  { name: "HADOOP_CONF_DIR", value: HADOOP_CONF },
  { name: "YARN_CONF_DIR", value: HADOOP_CONF },
  { name: "SPARK_LOG_DIR", value: "/tmp/logs" },
  { name: "HOME", value: "/tmp" },
  { name: "PYTHONPATH", value: APPS },
];
/** Spark's own files (spark-defaults.conf, and log4j2.properties for JSON logs), and the HDFS and YARN clients' files from their discovery ConfigMaps. */
const configMounts = (b: SparkBackends, files: Record<string, string>) => [
  ...Object.keys(files).map((f) => ({ name: "config", mountPath: `${CONF}/${f}`, subPath: f })),
  ...clientConfigMounts("hdfs-client", b.hdfs.clientConfig, HADOOP_CONF),
  ...clientConfigMounts("yarn-client", b.yarn.clientConfig, HADOOP_CONF),
  { name: "tmp", mountPath: "/tmp" },
];
const volumes = (b: SparkBackends, apps = false) => [
  { name: "config", configMap: { name: CONFIG_MAP } },
  clientConfigVolume("hdfs-client", b.hdfs.clientConfig),
  clientConfigVolume("yarn-client", b.yarn.clientConfig),
  ...(apps ? [{ name: "apps", configMap: { name: APPS_CONFIG_MAP } }] : []),
  scratchVolume("tmp", "20Gi"),
];

function podIpEnv() {
  return { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } };
}

/**
 * spark-submit in client mode: the driver runs in this pod, reachable by executors at its IP.
 * `metrics`: the driver loads the JMX exporter agent (its JVM alone: executors are other JVMs) and
 * reports Spark's streaming gauges as JMX beans.
 */
export function submitScript(app: string, maxCores?: number, metrics?: JmxAgent): string {
  const cap = maxCores ? ` --conf spark.cores.max=${maxCores}` : "";
  const agent = metrics
    ? ` --driver-java-options '${metrics.javaOption}'${Object.entries(STREAMING_METRICS_CONF)
        .map(([k, v]) => ` --conf ${k}=${v}`)
        .join("")}`
    : "";
  return ["set -eu", `exec /opt/spark/bin/spark-submit --deploy-mode client --conf spark.driver.host="$POD_IP"${cap}${agent} ${APPS}/${app}`].join("\n");
}

/** Cores the streaming application may hold: the configured cap, else one executor. */
export function streamingCores(spark: SparkConfig, yarn: YarnLimits): number {
  return spark.streamingCores ?? executorCores(spark, yarn);
}

export function sparkManifests(
  spark: SparkConfig,
  ns: string,
  b: SparkBackends,
  apps: Record<string, string>,
  domain = DEFAULT_CLUSTER_DOMAIN,
  monitoring?: MonitoringConfig,
): Manifest[] {
  const yarn = b.yarn;
  const json = monitoring?.logFormat === "json";
  const files = {
    "spark-defaults.conf": renderDefaults({ ...sparkDefaults(spark, b, ns, domain), ...(json ? STRUCTURED_LOGGING : {}) }),
    ...(json ? { [LOG_CONFIG]: sparkJsonLogging() } : {}),
  };
  // The HDFS and YARN client files too: a change there rolls the pods.
  const checksumOf = { ...b.hdfs.clientConfig.files, ...b.yarn.clientConfig.files, ...files };
  const checksum = digest(checksumOf);
  const version = imageVersion(spark.image);
  const masterHeap = heapMiB(spark.master.resources.limits.memory, spark.master.heapPercent);
  const driverHeap = heapMiB(spark.driver.resources.limits.memory, spark.driver.heapPercent);
  const workerMemory = workerMemoryMiB(spark.workers.resources.limits.memory, spark.workers.heapPercent);
  // Drivers and executors read the lake (S3A): each pod that runs them trusts its CA. Executors on
  // the workers inherit the worker's environment; on YARN, the NodeManager's (yarn/spec.ts).
  const trust = jvmTrust(b.lake.ca, spark.image);
  /** A driver's or a worker's variables: its heap, the lake's keys and the trust store's options. */
  const lakeClientEnv = (heap: k8s.types.input.core.v1.EnvVar) => [...baseEnv, podIpEnv(), heap, ...javaToolOptions(trust.javaOptions), ...s3Env(b.lake)];
  const masterPorts = [
    { name: "rpc", port: MASTER_PORT },
    { name: "web", port: MASTER_WEB_PORT },
  ];
  const daemonMetrics = engineAgent(monitoring, DAEMON_METRICS_CONFIG_MAP, sparkDaemonExporterRules);
  const daemonAgent = daemonMetrics.jmx;
  const daemonEnv = daemonAgent ? [{ name: "SPARK_DAEMON_JAVA_OPTS", value: daemonJavaOptions(daemonAgent) }] : [];
  const daemonChecksumOf = { ...checksumOf, ...daemonMetrics.rules };
  const driverContainer = (
    name: string,
    app: string,
    extraEnv: k8s.types.input.core.v1.EnvVar[],
    o: { maxCores?: number; metrics?: JmxAgent; mounts?: k8s.types.input.core.v1.VolumeMount[] } = {},
  ) =>
    container({
      name,
      image: spark.image,
      command: ["/bin/bash", "-c", submitScript(app, o.maxCores, o.metrics)],
      env: [...lakeClientEnv({ name: "SPARK_DRIVER_MEMORY", value: `${driverHeap}m` }), ...extraEnv],
      ports: [{ name: "driver", containerPort: DRIVER_PORT }, { name: "blocks", containerPort: BLOCK_MANAGER_PORT }, ...(o.metrics ? [o.metrics.port] : [])],
      resources: spark.driver.resources,
      volumeMounts: [...configMounts(b, files), { name: "apps", mountPath: APPS }, ...(o.mounts ?? []), ...trust.mounts, ...(o.metrics?.mounts ?? [])],
    });
  const paths = [
    { name: "STREAMING_PATH", value: "hdfs:///data/streaming" },
    { name: "CHECKPOINT_PATH", value: "hdfs:///data/checkpoint" },
    { name: "PROCESSED_PATH", value: "hdfs:///data/processed" },
  ];

  const manifests: Manifest[] = [
    serviceAccount("spark", ns, MASTER),
    configMap(CONFIG_MAP, ns, MASTER, files),
    configMap(APPS_CONFIG_MAP, ns, MASTER, apps),
    ...daemonMetrics.configMaps(ns, MASTER),
    ...statefulRoleObjects({
      name: MASTER_NAME,
      namespace: ns,
      workload: MASTER,
      image: spark.image,
      replicas: 1,
      pod: podSpec(
        MASTER,
        UID,
        {
          terminationGracePeriodSeconds: 30,
          ...initContainers(daemonAgent?.initContainers ?? []),
          containers: [
            container({
              name: "master",
              image: spark.image,
              command: [
                "/bin/bash",
                "-c",
                `exec /opt/spark/bin/spark-class org.apache.spark.deploy.master.Master --host "$POD_IP" --port ${MASTER_PORT} --webui-port ${MASTER_WEB_PORT}`,
              ],
              env: [...baseEnv, podIpEnv(), { name: "SPARK_DAEMON_MEMORY", value: `${masterHeap}m` }, ...daemonEnv],
              ports: [...containerPorts(masterPorts), ...(daemonAgent ? [daemonAgent.port] : [])],
              readinessProbe: { httpGet: { path: "/", port: MASTER_WEB_PORT }, initialDelaySeconds: 10, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: MASTER_PORT }, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 6 },
              resources: spark.master.resources,
              volumeMounts: [...configMounts(b, files), ...(daemonAgent?.mounts ?? [])],
            }),
          ],
          volumes: [...volumes(b), ...(daemonAgent?.volumes ?? [])],
        },
        "spark",
      ),
      headless: { name: MASTER_HEADLESS, ports: masterPorts },
      client: { name: MASTER_NAME, ports: masterPorts },
      checksumOf: daemonChecksumOf,
      volumeClaims: [],
    }),
    ...statelessRoleObjects({
      name: WORKER_NAME,
      namespace: ns,
      workload: WORKER,
      image: spark.image,
      replicas: spark.workers.replicas,
      pod: podSpec(
        WORKER,
        UID,
        {
          terminationGracePeriodSeconds: 60,
          ...initContainers([...trust.initContainers, ...(daemonAgent?.initContainers ?? [])]),
          containers: [
            container({
              name: "worker",
              image: spark.image,
              command: [
                "/bin/bash",
                "-c",
                [
                  "set -eu",
                  `exec /opt/spark/bin/spark-class org.apache.spark.deploy.worker.Worker ${masterUrl(ns, domain)} --host "$POD_IP" --port ${WORKER_PORT} ` +
                    `--webui-port ${WORKER_WEB_PORT} --cores ${workerSlots(spark)} --memory ${workerMemory}m --work-dir /tmp/work`,
                ].join("\n"),
              ],
              env: [...lakeClientEnv({ name: "SPARK_DAEMON_MEMORY", value: `${WORKER_DAEMON_HEAP_MIB}m` }), ...daemonEnv],
              ports: [{ name: "rpc", containerPort: WORKER_PORT }, { name: "web", containerPort: WORKER_WEB_PORT }, ...(daemonAgent ? [daemonAgent.port] : [])],
              readinessProbe: { httpGet: { path: "/", port: WORKER_WEB_PORT }, initialDelaySeconds: 10, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: WORKER_PORT }, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 6 },
              resources: spark.workers.resources,
              volumeMounts: [...configMounts(b, files), { name: "apps", mountPath: APPS }, ...trust.mounts, ...(daemonAgent?.mounts ?? [])],
            }),
          ],
          volumes: [...volumes(b, true), ...trust.volumes, ...(daemonAgent?.volumes ?? [])],
        },
        "spark",
      ),
      checksumOf: daemonChecksumOf,
    }),
    batchCronJob(ns, version, checksum, driverContainer("batch", "sample_spark_job.py", paths), [...volumes(b, true), ...trust.volumes], trust),
  ];
  if (spark.dependencies === "maven") manifests.push(mavenEgress(ns));
  if (spark.streaming) {
    const metrics = engineAgent(monitoring, METRICS_CONFIG_MAP, sparkExporterRules);
    const { jmx: agent, rules } = metrics;
    manifests.push(...metrics.configMaps(ns, STREAMING));
    manifests.push(
      ...statelessRoleObjects({
        name: STREAMING_NAME,
        namespace: ns,
        workload: STREAMING,
        image: spark.image,
        replicas: 1,
        checksumOf: { ...checksumOf, ...rules },
        // Never two drivers on one checkpoint: stop the old one before starting the new one.
        strategy: "Recreate",
        // One driver by design: no budget.
        budgetWhenReplicated: true,
        pod: podSpec(
          STREAMING,
          UID,
          {
            terminationGracePeriodSeconds: 60,
            ...initContainers([...trust.initContainers, ...(agent?.initContainers ?? [])]),
            containers: [
              {
                ...driverContainer(
                  "driver",
                  "kafka_to_hdfs_streaming.py",
                  [
                    { name: "KAFKA_BOOTSTRAP_SERVERS", value: b.kafka.bootstrapServers },
                    { name: "TRIGGER_SECONDS", value: String(STREAMING_TRIGGER_SECONDS) },
                    ...kafkaTlsEnv(b),
                    ...paths,
                  ],
                  {
                    maxCores: streamingCores(spark, yarn),
                    metrics: agent,
                    mounts: b.kafka.clientTls ? [{ name: "kafka-client-tls", mountPath: KAFKA_TLS_DIR, readOnly: true }] : [],
                  },
                ),
                readinessProbe: { tcpSocket: { port: DRIVER_PORT }, periodSeconds: 15 },
                livenessProbe: { tcpSocket: { port: DRIVER_PORT }, periodSeconds: 30, failureThreshold: 6 },
                // Resolving the jars from Maven Central on a first start can take many minutes.
                startupProbe: { tcpSocket: { port: DRIVER_PORT }, periodSeconds: 10, failureThreshold: 90 },
              },
            ],
            volumes: [
              ...volumes(b, true),
              ...trust.volumes,
              ...(agent?.volumes ?? []),
              ...(b.kafka.clientTls ? [{ name: "kafka-client-tls", secret: { secretName: b.kafka.clientTls("spark-streaming"), defaultMode: 0o440 } }] : []),
            ],
          },
          "spark",
        ),
      }),
    );
  }
  return manifests;
}

/** Where the streaming driver finds its Kafka client certificate (the spark-streaming principal's). */
const KAFKA_TLS_DIR = "/etc/kafka-client";

/** The streaming application's TLS settings (kafka_to_hdfs_streaming.py reads them). */
function kafkaTlsEnv(b: SparkBackends) {
  return b.kafka.clientTls
    ? [
        { name: "KAFKA_SECURITY_PROTOCOL", value: "SSL" },
        { name: "KAFKA_TLS_DIR", value: KAFKA_TLS_DIR },
      ]
    : [];
}

/**
 * The batch job as a suspended CronJob: a template for on-demand runs
 * (`kubectl create job --from=cronjob/spark-batch ...`) that the pipeline also starts; unsuspend it
 * for a nightly run.
 */
function batchCronJob(ns: string, version: string | undefined, checksum: string, driver: object, volumes: object[], trust: JvmTrust): Manifest {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: BATCH_NAME, namespace: ns, labels: workloadLabels(BATCH, version) },
    spec: {
      schedule: "0 2 * * *",
      suspend: true,
      concurrencyPolicy: "Forbid",
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          // A stuck run must not hold the schedule forever (concurrencyPolicy: Forbid).
          activeDeadlineSeconds: 4 * 3600,
          template: {
            metadata: { labels: workloadLabels(BATCH, version), annotations: { "dataplatform.io/config-checksum": checksum } },
            spec: podSpec(BATCH, UID, { restartPolicy: "Never", ...trustInit(trust), containers: [driver as any], volumes: volumes as any }, "spark"),
          },
        },
      },
    },
  };
}

/** Drivers resolving jars from Maven Central need HTTPS to the internet, and nothing else outside. */
export function mavenEgress(ns: string): Manifest {
  return httpsEgress(
    "allow-spark-drivers-maven",
    ns,
    { name: "spark", component: "drivers" },
    {
      matchLabels: { "app.kubernetes.io/name": "spark", "app.kubernetes.io/part-of": "data-platform" },
      matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: [STREAMING.component, BATCH.component] }],
    },
  );
}

/** A driver (streaming or batch) with its executors on the workers, or on YARN. */
function driverFlows(driver: Workload, b: SparkBackends): Flow[] {
  return [
    { from: driver, to: MASTER, ports: [MASTER_PORT] },
    { from: WORKER, to: driver, ports: [SPARK_PORTS] },
    { from: driver, to: WORKER, ports: [SPARK_PORTS] },
    ...b.hdfs.access(driver),
    ...b.yarn.access(driver),
    ...b.lake.access(driver),
    ...b.metastore.access(driver),
  ];
}

/** Internal flows, and the ways of every Spark JVM to what it reads and writes. */
export function sparkFlows(spark: SparkConfig, b: SparkBackends): Flow[] {
  return [
    { from: WORKER, to: MASTER, ports: [MASTER_PORT] },
    { from: MASTER, to: WORKER, ports: [WORKER_PORT] },
    { from: WORKER, to: WORKER, ports: [SPARK_PORTS] },
    ...b.hdfs.access(WORKER),
    ...b.kafka.access(WORKER),
    ...b.lake.access(WORKER),
    ...b.metastore.access(WORKER),
    ...driverFlows(BATCH, b),
    ...(spark.streaming ? [...driverFlows(STREAMING, b), ...b.kafka.access(STREAMING)] : []),
    // Executors on YARN read the Iceberg catalog too.
    ...b.metastore.access(b.yarn.containers),
  ];
}
