/** The platform's config model: one environment's sizing of every engine, and cross-engine rules. */
import { z } from "zod";
import { reads, ruleIssue } from "../../components/kit/sizing";
import { airflowConfig } from "../../components/airflow/config";
import { dbtConfig } from "../../components/dbt/config";
import { hdfsConfig } from "../../components/hdfs/config";
import { hiveMetastoreConfig } from "../../components/hive-metastore/config";
import { impalaConfig } from "../../components/impala/config";
import { kafkaConfig } from "../../components/kafka/config";
import { minioConfig } from "../../components/minio/config";
import { mysqlConfig } from "../../components/mysql/config";
import { sparkConfig } from "../../components/spark/config";
import { starburstConfig } from "../../components/starburst/config";
import { yarnConfig } from "../../components/yarn/config";
import { zookeeperConfig } from "../../components/zookeeper/config";
import { certificatesConfig } from "../../components/kit/certificates";
import { monitoringConfig } from "../../components/kit/metrics";
import { credentialsConfig, type Engine, ENGINE_NEEDS, ENGINES, enginesConfig, TLS_ENGINES } from "./engines";

/** Why production refuses each engine's plaintext mode: its name in the message, and what plaintext exposes. */
const PLAINTEXT_IN_PRODUCTION: Record<(typeof TLS_ENGINES)[number], [string, string]> = {
  kafka: ["Kafka", "plaintext clients are neither encrypted nor authenticated"],
  starburst: ["Trino", "over plain HTTP any client names itself and every query is readable on the wire"],
  minio: ["MinIO", "every table file and S3 secret key would cross the network readable"],
  hdfs: ["HDFS", "its web endpoints (WebHDFS, JMX, the edits and images the NameNodes copy) would cross the network readable"],
  yarn: ["YARN", "its web endpoints (the REST API, application and container logs) would cross the network readable"],
};

export const TIERS = ["development", "staging", "production"] as const;
export type Tier = (typeof TIERS)[number];

export const platformSchema = z
  .strictObject({
    /** Production turns on the strict rules below and protects stateful resources. */
    tier: z.enum(TIERS, { error: `must be one of: ${TIERS.join(", ")}` }),
    /** Which engines this environment deploys (all unless switched off). */
    engines: enginesConfig,
    /** Where the platform's credentials come from: generated (default) or existing Secrets. */
    credentials: credentialsConfig,
    /** Where TLS certificates come from (cert-manager); required once an engine runs in TLS mode. */
    certificates: certificatesConfig.optional(),
    /** Prometheus metrics from every engine, and (with the Operator's CRDs) monitors and alerts; off without it. */
    monitoring: monitoringConfig.optional(),
    // An engine's section is required while the engine is on (checked below).
    zookeeper: zookeeperConfig.optional(),
    kafka: kafkaConfig.optional(),
    minio: minioConfig.optional(),
    mysql: mysqlConfig.optional(),
    hiveMetastore: hiveMetastoreConfig.optional(),
    hdfs: hdfsConfig.optional(),
    yarn: yarnConfig.optional(),
    spark: sparkConfig.optional(),
    starburst: starburstConfig.optional(),
    impala: impalaConfig.optional(),
    dbt: dbtConfig.optional(),
    airflow: airflowConfig.optional(),
  })
  .superRefine(
    (p, ctx) => {
      for (const engine of ENGINES) {
        if (!p.engines[engine]) continue;
        if (p[engine] === undefined) {
          ruleIssue(ctx, [engine], `is required while engines.${engine} is on: the engine's sizing (or set engines.${engine}: false)`, [["engines", engine]]);
        }
        for (const needed of ENGINE_NEEDS[engine]) {
          if (!p.engines[needed]) {
            ruleIssue(
              ctx,
              ["engines", needed],
              `is off, but ${engine} needs it (${engine} needs: ${ENGINE_NEEDS[engine].join(", ")}); switch ${engine} off too, or ${needed} on`,
              [["engines", engine]],
            );
          }
        }
      }
    },
    reads(["engines"]),
  )
  .superRefine(
    (p, ctx) => {
      for (const engine of TLS_ENGINES) {
        if (p[engine]?.security === "tls" && !p.certificates) {
          ruleIssue(
            ctx,
            ["certificates"],
            `is required while ${engine}.security is tls: name the cert-manager issuer (certificates.issuer.name), see README 'Security'`,
            [[engine, "security"]],
          );
          return;
        }
      }
    },
    reads(["certificates"]),
  )
  .superRefine(
    (p, ctx) => {
      if (p.engines?.starburst && p.starburst?.flavor === "starburst" && p.minio?.security === "tls") {
        ruleIssue(
          ctx,
          ["starburst", "flavor"],
          'is starburst, whose chart the platform does not give the lake\'s CA: with minio.security tls its catalogs could not read the lake; use flavor "trino" or minio.security "plaintext" (README: Security)',
          [["minio", "security"]],
        );
      }
    },
    reads(["starburst"], ["minio"]),
  )
  .superRefine(
    (p, ctx) => {
      if (p.engines?.yarn && p.yarn?.security === "tls" && p.hdfs?.security !== "tls") {
        ruleIssue(
          ctx,
          ["yarn", "security"],
          "is tls, which needs hdfs.security tls too: the Hadoop daemons' key stores share HDFS's password (credentials.hadoopKeystore)",
          [["hdfs", "security"]],
        );
      }
    },
    reads(["yarn"], ["hdfs"]),
  )
  // Runs whatever else is wrong: each minimum checks only a value that is a whole number.
  .superRefine(
    (p, ctx) => {
      if (p.tier !== "production") return;
      const atLeast = (path: (string | number)[], value: unknown, min: number, why: string) => {
        if (Number.isInteger(value) && (value as number) < min) ruleIssue(ctx, path, `${value} is below ${min}, the production minimum: ${why}`, [["tier"]]);
      };
      atLeast(["kafka", "replicationFactor"], p.kafka?.replicationFactor, 3, "a broker loss must not lose data");
      atLeast(["kafka", "minInsyncReplicas"], p.kafka?.minInsyncReplicas, 2, "an acknowledged write must be on two brokers");
      atLeast(["kafka", "controllers", "replicas"], p.kafka?.controllers?.replicas, 3, "the KRaft quorum must survive a controller loss");
      atLeast(["zookeeper", "replicas"], p.zookeeper?.replicas, 3, "the ensemble must survive a server loss");
      atLeast(["minio", "replicas"], p.minio?.replicas, 4, "objects must survive a server loss (distributed erasure coding)");
      atLeast(["hdfs", "replication"], p.hdfs?.replication, 3, "a DataNode loss must not lose blocks");
      atLeast(["hiveMetastore", "replicas"], p.hiveMetastore?.replicas, 2, "every engine's catalog must survive a pod loss");
      atLeast(["airflow", "scheduler", "replicas"], p.airflow?.scheduler?.replicas, 2, "runs must keep being scheduled through a pod loss");
      atLeast(["airflow", "apiServer", "replicas"], p.airflow?.apiServer?.replicas, 2, "the UI and the tasks' execution API must survive a pod loss");
      for (const engine of TLS_ENGINES) {
        const security = p[engine]?.security;
        if (security === undefined || security === "tls") continue;
        const [name, why] = PLAINTEXT_IN_PRODUCTION[engine];
        ruleIssue(ctx, [engine, "security"], `is ${security}, but production ${name} must be tls: ${why}`, [["tier"]]);
      }
      if (p.hdfs?.highAvailability === false) {
        ruleIssue(ctx, ["hdfs", "highAvailability"], "must be true in production: a single NameNode is a single point of failure for all of HDFS", [["tier"]]);
      }
      const topics = p.kafka?.topics && typeof p.kafka.topics === "object" ? p.kafka.topics : {};
      for (const [name, topic] of Object.entries(topics)) {
        atLeast(["kafka", "topics", name, "replicationFactor"], topic?.replicationFactor, 3, "a broker loss must not lose data");
      }
    },
    reads(["tier"]),
  );

export type PlatformConfig = z.infer<typeof platformSchema>;
/** The sections of the engines that are on are present. */
export type EnabledSection<E extends Engine> = NonNullable<PlatformConfig[E]>;
/** The environment file's shape before defaults are applied. */
export type PlatformConfigInput = z.input<typeof platformSchema>;
/** Top-level sections that `pulumi config set --path <section>.<...>` may override. */
export const SECTIONS = Object.keys(platformSchema.shape) as (keyof PlatformConfig)[];

/** An engine's section, for an engine the caller knows is on. */
export function section<E extends Engine>(config: PlatformConfig, engine: E): EnabledSection<E> {
  const value = config[engine];
  if (value === undefined) throw new Error(`${engine} is off in this environment`);
  return value as EnabledSection<E>;
}
