/**
 * What engines offer each other. A consumer takes the producer (its component, which implements one
 * of these) and reads only this: addresses, client configuration, credentials' Secrets, and
 * `access(client)`, the network flows that let the client's pods reach the producer's. No engine
 * reads another's config or internals.
 *
 * The one convention for flows: an engine's `flows` are its own internal ones plus those it got from
 * the producers it uses (`producer.access(role)` for each of its roles that talks to them).
 */
import type { Workload } from "./labels";
import type { SiteProperties } from "./hadoop-xml";
import type { Flow, PortSpec } from "./network";
import type { SecretRef } from "./secret-ref";
import type { HadoopTls } from "./hadoop-tls";
import { type CaRef, caVolume } from "./trust";

export interface Served {
  /** The flows from the client's pods to the pods that serve it. */
  access(client: Workload): Flow[];
}

/** `access` for a server workload on the given ports. */
export function servedBy(server: Workload, ports: PortSpec[]): (client: Workload) => Flow[] {
  return (client) => [{ from: client, to: server, ports }];
}

export interface ZooKeeperEnsemble extends Served {
  connectString: string;
}

export interface KafkaCluster extends Served {
  bootstrapServers: string;
  clusterId: string;
  /**
   * TLS mode: the Secret holding a client's certificate, key and the CA (tls.crt, tls.key, ca.crt),
   * by the client's name (components/kafka/tls.ts KAFKA_CLIENTS); its principal is User:<name>.
   * Undefined: plaintext, no authentication.
   */
  clientTls?: (client: "spark-streaming" | "airflow") => string;
}

/** The lake's S3 clients: each has its own user, limited to the prefixes it needs. */
export type LakeClient = "trino" | "spark" | "yarn" | "impala" | "metastore" | "airflow-logs";

/** A client's user: the Secret and the keys in it that hold its access key and secret key. */
export interface LakeUser {
  secret: string;
  accessKey: string;
  secretKey: string;
}

/** The lake's S3 store: where it is, its bucket and layout, each client's own user, and an image with its client. */
export interface ObjectStore extends Served {
  endpoint: string;
  bucket: string;
  /** Where table files and Airflow's logs live in the bucket: the store's layout, which its users' policies follow. */
  prefixes: { warehouse: string; airflowLogs: string };
  /** A client's user; no client gets the root credentials. */
  user(client: LakeClient): LakeUser;
  clientImage: string;
  /** TLS mode: the CA its clients trust (the endpoint is https); absent, plain HTTP. */
  ca?: CaRef;
}

/** A client's S3 keys as environment variables read from its Secret (AWS_* names by default). */
export function lakeUserEnv(lake: Pick<ObjectStore, "user">, client: LakeClient, accessVar = "AWS_ACCESS_KEY_ID", secretVar = "AWS_SECRET_ACCESS_KEY") {
  const u = lake.user(client);
  return [
    { name: accessVar, valueFrom: { secretKeyRef: { name: u.secret, key: u.accessKey } } },
    { name: secretVar, valueFrom: { secretKeyRef: { name: u.secret, key: u.secretKey } } },
  ];
}

/** Hadoop S3A's settings for the lake; its keys come from AWS_* variables (lakeUserEnv), never a file. */
export function s3aProperties(lake: Pick<ObjectStore, "endpoint" | "ca">): SiteProperties {
  return {
    "fs.s3a.endpoint": lake.endpoint,
    "fs.s3a.path.style.access": true,
    "fs.s3a.connection.ssl.enabled": lake.ca !== undefined,
    "fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
  };
}

export type DatabaseKey = "password" | "root-password";

/** The metastore's database server. */
export interface DatabaseServer extends Served {
  host: string;
  port: number;
  jdbcUrl: string;
  database: string;
  user: string;
  credentials: SecretRef<DatabaseKey>;
  /** An image with this server's command-line client. */
  clientImage: string;
}

export interface MetastoreService extends Served {
  uri: string;
  warehouse: string;
}

/** How a SQL client logs in: over HTTPS as `user`, its password in a Secret key, the CA in another Secret's key. */
export interface SqlLogin {
  user: string;
  password: { name: string; key: string };
  ca: CaRef;
}

/** A client pod's volume with only the CA of a login (as ca.crt), never the server's key beside it. */
export function loginCaVolume(ca: SqlLogin["ca"], name = "trino-ca") {
  return caVolume(ca, name);
}

export interface SqlService extends Served {
  coordinatorUrl: string;
  host: string;
  /** The clients' port: HTTPS when `login` is set. */
  port: number;
  /** tls mode: each platform client's login; absent, clients send only a user name over HTTP. */
  login?: (client: "dbt" | "airflow") => SqlLogin;
  /** The youngest Iceberg snapshot a table maintenance may expire (a duration such as 7d). */
  icebergSnapshotRetention: string;
}

/**
 * Hadoop client configuration published as a discovery ConfigMap: consumers mount its files rather
 * than render them. `files` is its content, so a consumer's pods roll when it changes.
 */
export interface HadoopClientConfig {
  configMap: string;
  files: Record<string, string>;
  /** The same files as properties, for a client that must add its own to one of them. */
  properties: Record<string, SiteProperties>;
}

export interface HdfsCluster extends Served {
  defaultFs: string;
  clientConfig: HadoopClientConfig;
  /** hdfs.security tls: the issuer and key store password the Hadoop daemons' certificates share (YARN's too). */
  webTls?: HadoopTls;
}

export interface YarnCluster extends Served {
  clientConfig: HadoopClientConfig;
  /** Where NodeManagers put the Java runtime containers use. */
  containerJavaHome: string;
  /** Cores one NodeManager offers to containers. */
  vcoresPerNode: number;
  /** The largest container, in MiB. */
  maxContainerMb: number;
  /** The pods application containers run in: an application grants them access to what it reads. */
  containers: Workload;
}

/** A Job template an orchestrator copies to run a task (Spark batch, dbt). */
export interface JobTemplate {
  template: string;
}

/** dbt's template, and the profile target its models build. */
export interface DbtTemplate extends JobTemplate {
  target: string;
}
