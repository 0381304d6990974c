/**
 * The Hive Metastore on MySQL: a one-shot schema Job (init, or upgrade after an image change) and
 * metastore servers that never touch the schema on restart. The database password reaches the config
 * file only inside the pod, from the MySQL Secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configMap, container, type Flow, heapMiB, httpsEgress, job, type Manifest, podSpec, scratchVolume, serviceAccount, type Workload } from "../kit";
import { siteXml, type SiteProperties } from "../kit/hadoop-xml";
import { lakeUserEnv, s3aProperties, type DatabaseServer, type ObjectStore } from "../kit/contracts";
import { jvmTrust } from "../kit/trust";
import { secretEnv } from "../kit/secret-ref";
import type { HiveMetastoreConfig } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { statelessRoleObjects } from "../kit/role";
import { engineAgent, type JmxAgent, jmxEndpoints, type LogFormat, type MetricsEndpoint, type MonitoringConfig } from "../kit/metrics";
import { metastoreExporterRules, METRICS_PROPERTIES } from "./metrics";

export const METASTORE: Workload = { name: "hive-metastore", component: "metastore" };
export const SCHEMA: Workload = { name: "hive-metastore", component: "schema" };
export const NAME = "hive-metastore";
export const CONFIG_MAP = "hive-metastore-config";
export const PORT = 9083;
/** The apache/hive image's hive user. */
const UID = 1000;
const AUXLIB = "/opt/hive/auxlib";
/** Rendered at start: the ConfigMap's files with the password filled in. */
const CONF = "/tmp/conf";
export const JARS_POM = path.join(__dirname, "..", "..", "images", "hive-metastore", "pom.xml");
export const PASSWORD_PLACEHOLDER = "@HIVE_DB_PASSWORD@";

export function metastoreUri(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `thrift://${NAME}.${ns}.svc.${domain}:${PORT}`;
}

/** What the metastore stands on: its database and the lake its warehouse lives in. */
export interface MetastoreBackends {
  database: DatabaseServer;
  lake: ObjectStore;
}

export function warehouse(lake: Pick<ObjectStore, "bucket" | "prefixes">): string {
  return `s3a://${lake.bucket}/${lake.prefixes.warehouse}`;
}

export function hiveSite(b: MetastoreBackends, monitoring?: MonitoringConfig): SiteProperties {
  return {
    // Hive's own metrics, which the JMX exporter agent serves, and its logging to stdout (monitoring on).
    // Synchronous: Hive's asynchronous logging needs the LMAX disruptor, which a standalone metastore lacks.
    ...(monitoring ? { ...METRICS_PROPERTIES, "metastore.log4j.file": `${CONF}/${LOG_CONFIG}`, "metastore.async.log.enabled": false } : {}),
    "javax.jdo.option.ConnectionURL": `${b.database.jdbcUrl}?useSSL=false&allowPublicKeyRetrieval=true`,
    "javax.jdo.option.ConnectionDriverName": "com.mysql.cj.jdbc.Driver",
    "javax.jdo.option.ConnectionUserName": b.database.user,
    "javax.jdo.option.ConnectionPassword": PASSWORD_PLACEHOLDER,
    "metastore.thrift.port": PORT,
    // New databases (and "default") live in the lake, not on a pod's disk.
    "metastore.warehouse.dir": warehouse(b.lake),
    "hive.metastore.warehouse.dir": warehouse(b.lake),
    // The schema belongs to the schema Job; servers verify it and never create or change it.
    "datanucleus.schema.autoCreateAll": false,
    "metastore.schema.verification": true,
    // Impala's catalogd polls notification events: record them, and let it read them.
    "metastore.transactional.event.listeners": "org.apache.hive.hcatalog.listener.DbNotificationListener",
    "hive.metastore.dml.events": true,
    // Hive defines this one only under its hive.* name (MetastoreConf has no "metastore." synonym for it).
    "hive.metastore.event.db.notification.api.auth": false,
  };
}

export function coreSite(lake: ObjectStore): SiteProperties {
  return s3aProperties(lake);
}

/** The metastore's log4j2 configuration (monitoring on): every event to stdout, as JSON or text. */
const LOG_CONFIG = "metastore-log4j2.properties";

export function metastoreLog4j2(format: LogFormat): string {
  const layout =
    format === "json"
      ? [
          "appender.console.layout.type = JsonLayout",
          "appender.console.layout.compact = true",
          "appender.console.layout.eventEol = true",
          "appender.console.layout.stacktraceAsString = true",
          "appender.console.layout.engine.type = KeyValuePair",
          "appender.console.layout.engine.key = engine",
          "appender.console.layout.engine.value = hive-metastore",
        ]
      : ["appender.console.layout.type = PatternLayout", "appender.console.layout.pattern = %d{ISO8601} %5p [%t] %c{2}: %m%n"];
  return `${[
    "status = WARN",
    "name = MetastoreStdout",
    "appender.console.type = Console",
    "appender.console.name = console",
    "appender.console.target = SYSTEM_OUT",
    ...layout,
    "rootLogger.level = INFO",
    "rootLogger.appenderRef.console.ref = console",
    // As Hive's own file: DataNucleus's chatter only when it fails.
    "logger.DataNucleus.name = DataNucleus",
    "logger.DataNucleus.level = ERROR",
  ].join("\n")}\n`;
}

/** Copies the config into a writable directory, putting the password from the Secret in place. */
const RENDER_CONF = [
  `mkdir -p ${CONF}`,
  `cp /config/core-site.xml ${CONF}/core-site.xml`,
  `[ ! -f /config/${LOG_CONFIG} ] || cp /config/${LOG_CONFIG} ${CONF}/${LOG_CONFIG}`,
  `sed "s|${PASSWORD_PLACEHOLDER}|$HIVE_DB_PASSWORD|" /config/hive-site.xml > ${CONF}/hive-site.xml`,
];

export const SCHEMA_SCRIPT = ["set -eu", ...RENDER_CONF, `exec /opt/hive/bin/schematool -dbType mysql -initOrUpgradeSchema -verbose`].join("\n");
/**
 * The server's start. With monitoring, its line alone adds the agent to HADOOP_CLIENT_OPTS: a tool
 * run in the container (schematool) reads that variable too, and would start a second agent on the port.
 */
export function serverScript(agent?: JmxAgent): string {
  const opts = agent ? `HADOOP_CLIENT_OPTS="$HADOOP_CLIENT_OPTS ${agent.javaOption}" ` : "";
  return ["set -eu", ...RENDER_CONF, `${opts}exec /opt/hive/bin/hive --skiphadoopversion --skiphbasecp --service metastore`].join("\n");
}

/** The ConfigMap holding the metastore's JMX exporter rules (monitoring on). */
export const METRICS_CONFIG_MAP = "hive-metastore-metrics";

/** The metastore servers' JMX exporter endpoint (monitoring on). */
export function metastoreMetrics(monitoring?: MonitoringConfig): MetricsEndpoint[] {
  return monitoring ? jmxEndpoints(monitoring, METASTORE) : [];
}

/** Both roles' variables; only the server reads the lake (the schema Job talks to the database alone). */
const env = (heap: number, b: MetastoreBackends, javaOptions?: string) => [
  { name: "HIVE_CONF_DIR", value: CONF },
  { name: "HADOOP_CONF_DIR", value: CONF },
  { name: "HADOOP_CLIENT_OPTS", value: [`-Xms${heap}m -Xmx${heap}m`, javaOptions].filter(Boolean).join(" ") },
  secretEnv("HIVE_DB_PASSWORD", b.database.credentials, "password"),
  { name: "HOME", value: "/tmp" },
];

function jarsInit(cfg: HiveMetastoreConfig) {
  if (!fromMaven(cfg)) return [];
  return [
    container({
      name: "jars",
      image: cfg.mavenImage,
      command: [
        "/bin/sh",
        "-c",
        `exec mvn -q -f /config/pom.xml dependency:copy-dependencies -DexcludeTransitive=true -DoutputDirectory=${AUXLIB} -Dmaven.repo.local=/tmp/m2`,
      ],
      env: [
        { name: "HOME", value: "/tmp" },
        { name: "MAVEN_CONFIG", value: "/tmp/.m2" },
      ],
      resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "512Mi" } },
      volumeMounts: [
        { name: "config", mountPath: "/config" },
        { name: "auxlib", mountPath: AUXLIB },
        { name: "tmp", mountPath: "/tmp" },
      ],
    }),
  ];
}

/** The jars directory is a volume only when an init container fills it: an image's own jars live there. */
const fromMaven = (cfg: HiveMetastoreConfig) => cfg.dependencies === "maven";
const mounts = (cfg: HiveMetastoreConfig) => [
  { name: "config", mountPath: "/config" },
  ...(fromMaven(cfg) ? [{ name: "auxlib", mountPath: AUXLIB }] : []),
  { name: "tmp", mountPath: "/tmp" },
];
const volumes = (cfg: HiveMetastoreConfig) => [
  { name: "config", configMap: { name: CONFIG_MAP } },
  ...(fromMaven(cfg) ? [scratchVolume("auxlib", "1Gi")] : []),
  scratchVolume("tmp", "2Gi"),
];

export function hiveMetastoreManifests(
  cfg: HiveMetastoreConfig,
  ns: string,
  backends: MetastoreBackends,
  pom = fs.readFileSync(JARS_POM, "utf8"),
  monitoring?: MonitoringConfig,
): Manifest[] {
  const files = {
    "hive-site.xml": siteXml(hiveSite(backends, monitoring)),
    "core-site.xml": siteXml(coreSite(backends.lake)),
    "pom.xml": pom,
    ...(monitoring ? { [LOG_CONFIG]: metastoreLog4j2(monitoring.logFormat) } : {}),
  };
  const metrics = engineAgent(monitoring, METRICS_CONFIG_MAP, metastoreExporterRules);
  const { jmx: agent, rules } = metrics;
  const heap = heapMiB(cfg.resources.limits.memory, cfg.heapPercent);
  // The metastore writes table directories on the lake (S3A); the schema Job never reads it.
  const trust = jvmTrust(backends.lake.ca, cfg.image);
  const manifests: Manifest[] = [
    serviceAccount(NAME, ns, METASTORE),
    // Named apart from the role: the schema Job reads it too.
    configMap(CONFIG_MAP, ns, METASTORE, files),
    ...metrics.configMaps(ns, METASTORE),
    ...statelessRoleObjects({
      name: NAME,
      namespace: ns,
      workload: METASTORE,
      image: cfg.image,
      replicas: cfg.replicas,
      pod: podSpec(
        METASTORE,
        UID,
        {
          terminationGracePeriodSeconds: 30,
          initContainers: [...jarsInit(cfg), ...trust.initContainers, ...(agent?.initContainers ?? [])],
          containers: [
            container({
              name: "metastore",
              image: cfg.image,
              command: ["/bin/bash", "-c", serverScript(agent)],
              env: [...env(heap, backends, trust.javaOptions), ...lakeUserEnv(backends.lake, "metastore")],
              ports: [{ name: "thrift", containerPort: PORT }, ...(agent ? [agent.port] : [])],
              readinessProbe: { tcpSocket: { port: PORT }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: PORT }, periodSeconds: 20, failureThreshold: 6 },
              startupProbe: { tcpSocket: { port: PORT }, periodSeconds: 10, failureThreshold: 60 },
              resources: cfg.resources,
              volumeMounts: [...mounts(cfg), ...trust.mounts, ...(agent?.mounts ?? [])],
            }),
          ],
          volumes: [...volumes(cfg), ...trust.volumes, ...(agent?.volumes ?? [])],
        },
        NAME,
      ),
      client: { name: NAME, ports: [{ name: "thrift", port: PORT }] },
      checksumOf: { ...files, ...rules },
    }),
    schemaJob(cfg, ns, backends),
  ];
  if (fromMaven(cfg)) {
    manifests.push(
      httpsEgress("allow-hive-metastore-maven", ns, METASTORE, {
        matchLabels: { "app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "data-platform" },
      }),
    );
  }
  return manifests;
}

/** Named after the image and config: a new image version runs a new Job, which upgrades the schema. */
function schemaJob(cfg: HiveMetastoreConfig, ns: string, backends: MetastoreBackends): Manifest {
  return job({
    prefix: "hive-metastore-schema",
    namespace: ns,
    workload: SCHEMA,
    uid: UID,
    serviceAccountName: NAME,
    container: container({
      name: "schema",
      image: cfg.image,
      command: ["/bin/bash", "-c", SCHEMA_SCRIPT],
      env: env(512, backends),
      resources: { requests: { cpu: "100m", memory: "1Gi" }, limits: { memory: "1Gi" } },
      volumeMounts: mounts(cfg),
    }),
    initContainers: jarsInit(cfg),
    volumes: volumes(cfg),
  });
}

/** Jobs the servers need finished before they can start. */
export const SETUP_JOBS = ["hive-metastore-schema-"];

/** The metastore's and its schema Job's way to the database, and the metastore's to the lake. */
export function metastoreFlows(b: MetastoreBackends): Flow[] {
  return [...b.database.access(METASTORE), ...b.database.access(SCHEMA), ...b.lake.access(METASTORE)];
}
