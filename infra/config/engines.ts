/**
 * Which engines an environment deploys, what each needs, and where credentials come from. An engine
 * switched off needs no section of its own; an engine that is on needs every engine it talks to.
 */
import { z } from "zod";
import { AIRFLOW_CREDENTIALS } from "../../components/airflow/config";
import { MINIO_CREDENTIALS } from "../../components/minio/config";
import { LAKE_USER_CREDENTIALS } from "../../components/minio/users";
import { MYSQL_CREDENTIALS } from "../../components/mysql/config";
import { TRINO_CREDENTIALS, TRINO_USER_CREDENTIALS } from "../../components/starburst/config";
import { type CredentialSecret, defaultRef, type SecretRef } from "../../components/kit/secret-ref";
import { HADOOP_KEYSTORE_CREDENTIALS } from "../../components/kit/hadoop-tls";

export const ENGINES = ["zookeeper", "kafka", "minio", "mysql", "hiveMetastore", "hdfs", "yarn", "spark", "starburst", "impala", "dbt", "airflow"] as const;
export type Engine = (typeof ENGINES)[number];

/** The engines with a `security: plaintext | tls` setting: tls needs certificates, and production requires it. */
export const TLS_ENGINES = ["kafka", "starburst", "minio", "hdfs", "yarn"] as const;

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
  .strictObject(
    Object.fromEntries(ENGINES.map((e) => [e, z.boolean({ error: "must be true or false" }).default(true)])) as Record<Engine, z.ZodDefault<z.ZodBoolean>>,
  )
  .default(Object.fromEntries(ENGINES.map((e) => [e, true])) as Record<Engine, true>);
export type EnginesConfig = z.infer<typeof enginesConfig>;

/** The Secrets that hold the platform's credentials, by the setting that chooses their source. */
export const CREDENTIALS = ["minio", "minioUsers", "mysql", "airflow", "trino", "trinoUsers", "hadoopKeystore"] as const;
export type Credential = (typeof CREDENTIALS)[number];
export const CREDENTIAL_ENGINE: Record<Credential, Engine> = {
  minio: "minio",
  minioUsers: "minio",
  mysql: "mysql",
  airflow: "airflow",
  trino: "starburst",
  trinoUsers: "starburst",
  hadoopKeystore: "hdfs",
};

/** Whether a stack uses a credential: its engine is on and, for Trino's logins and the Hadoop key stores, it runs tls. */
export function credentialNeeded(
  config: { engines: EnginesConfig; starburst?: { security?: string }; hdfs?: { security?: string } },
  credential: Credential,
): boolean {
  if (!config.engines[CREDENTIAL_ENGINE[credential]]) return false;
  if (credential === "trinoUsers") return config.starburst?.security === "tls";
  if (credential === "hadoopKeystore") return config.hdfs?.security === "tls";
  return true;
}
/** Each credential's generated Secret and the key names its pods read, as the owning engine defines them. */
export const CREDENTIAL_SECRETS: Record<Credential, CredentialSecret> = {
  minio: MINIO_CREDENTIALS,
  minioUsers: LAKE_USER_CREDENTIALS,
  mysql: MYSQL_CREDENTIALS,
  airflow: AIRFLOW_CREDENTIALS,
  trino: TRINO_CREDENTIALS,
  trinoUsers: TRINO_USER_CREDENTIALS,
  hadoopKeystore: HADOOP_KEYSTORE_CREDENTIALS,
};

/**
 * generated: the program makes the values with @pulumi/random, keeps them as Pulumi secrets and
 * writes the Secret; existing: the Secret is already in the namespace (Vault, External Secrets, a
 * person) and the program only reads that it is there with every key.
 */
const source = z.enum(["generated", "existing"], { error: 'must be "generated" or "existing"' });
export type CredentialSource = z.infer<typeof source>;

const secretName = z
  .string({ error: "must be the name of a Secret in the namespace" })
  .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be the name of a Secret in the namespace" });
const secretKey = z
  .string({ error: "must be a key of the Secret" })
  .regex(/^[-._a-zA-Z0-9]{1,253}$/, { error: "must be a key of the Secret (letters, digits, -, _ and .)" });

/**
 * An existing Secret by name, with the key that holds each value when it is not the platform's own
 * key name. Keys a vendor chart reads by name (fixedKeys) cannot be renamed.
 */
function existingSecret(c: CredentialSecret) {
  const renamable = c.keys.filter((k) => !(c.fixedKeys ?? []).includes(k));
  return z.strictObject({
    secret: secretName,
    keys: z.strictObject(Object.fromEntries(renamable.map((k) => [k, secretKey.optional()])) as Record<string, z.ZodOptional<typeof secretKey>>).optional(),
  });
}

const credentialSetting = (c: CredentialSecret) =>
  z.union([source, existingSecret(c)], { error: 'must be "generated", "existing", or { secret, keys } naming an existing Secret' }).optional();

export const credentialsConfig = z
  .strictObject({
    /** For every credential that does not set its own. */
    source: source.default("generated"),
    ...(Object.fromEntries(CREDENTIALS.map((c) => [c, credentialSetting(CREDENTIAL_SECRETS[c])])) as Record<Credential, ReturnType<typeof credentialSetting>>),
  })
  .default({ source: "generated" });
export type CredentialsConfig = z.infer<typeof credentialsConfig>;

export function credentialSource(cfg: CredentialsConfig, credential: Credential): CredentialSource {
  const own = cfg[credential];
  return typeof own === "object" ? "existing" : (own ?? cfg.source);
}

/** The Secret and keys a credential is read from: the named existing Secret, or the default one. */
export function credentialRef(cfg: CredentialsConfig, credential: Credential): SecretRef {
  const base = defaultRef(CREDENTIAL_SECRETS[credential]);
  const own = cfg[credential];
  if (typeof own !== "object") return base;
  const renamed = Object.fromEntries(Object.entries(own.keys ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return { name: own.secret, keys: { ...base.keys, ...renamed } };
}
