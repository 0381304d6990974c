/**
 * Which engines an environment deploys, what each needs, and where credentials come from. An engine
 * switched off needs no section of its own; an engine that is on needs every engine it talks to.
 */
import { z } from "zod";

export const ENGINES = ["zookeeper", "kafka", "minio", "mysql", "hiveMetastore", "hdfs", "yarn", "spark", "starburst", "impala", "dbt", "airflow"] as const;
export type Engine = (typeof ENGINES)[number];

/** What each engine's pods call, or whose objects it reads (Secrets, ConfigMaps). */
export const ENGINE_NEEDS: Record<Engine, readonly Engine[]> = {
  zookeeper: [],
  kafka: [],
  minio: [],
  mysql: [],
  hiveMetastore: ["mysql", "minio"],
  hdfs: ["zookeeper"],
  yarn: ["hdfs", "zookeeper", "minio"],
  spark: ["kafka", "hdfs", "yarn", "zookeeper", "hiveMetastore", "minio"],
  starburst: ["hiveMetastore", "minio"],
  impala: ["hiveMetastore", "hdfs", "zookeeper"],
  dbt: ["starburst"],
  airflow: ["mysql", "minio", "kafka", "starburst", "spark", "dbt"],
};

export const enginesConfig = z
  .strictObject(Object.fromEntries(ENGINES.map((e) => [e, z.boolean({ error: "must be true or false" }).default(true)])) as Record<Engine, z.ZodDefault<z.ZodBoolean>>)
  .default(Object.fromEntries(ENGINES.map((e) => [e, true])) as Record<Engine, true>);
export type EnginesConfig = z.infer<typeof enginesConfig>;

/** The Secrets that hold the platform's credentials, by the setting that chooses their source. */
export const CREDENTIALS = ["minio", "mysql", "airflow"] as const;
export type Credential = (typeof CREDENTIALS)[number];
export const CREDENTIAL_ENGINE: Record<Credential, Engine> = { minio: "minio", mysql: "mysql", airflow: "airflow" };

/**
 * generated: the program makes the values with @pulumi/random, keeps them as Pulumi secrets and
 * writes the Secret; existing: the Secret is already in the namespace (Vault, External Secrets, a
 * person) and the program only reads that it is there with every key.
 */
const source = z.enum(["generated", "existing"], { error: 'must be "generated" or "existing"' });
export type CredentialSource = z.infer<typeof source>;

export const credentialsConfig = z
  .strictObject({
    /** For every credential that does not set its own. */
    source: source.default("generated"),
    ...(Object.fromEntries(CREDENTIALS.map((c) => [c, source.optional()])) as Record<Credential, z.ZodOptional<typeof source>>),
  })
  .default({ source: "generated" });
export type CredentialsConfig = z.infer<typeof credentialsConfig>;

export function credentialSource(cfg: CredentialsConfig, credential: Credential): CredentialSource {
  return cfg[credential] ?? cfg.source;
}
