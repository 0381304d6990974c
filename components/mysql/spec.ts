/** MySQL for the Hive Metastore: one server with a retained volume and generated passwords. */
import { container, containerPorts, type Manifest, podSpec, type Port, scratchVolume, type Workload } from "../kit";
import { defaultRef, secretEnv } from "../kit/secret-ref";
import { bufferPoolMiB, METASTORE_DATABASE, METASTORE_USER, MYSQL_CREDENTIALS, type MysqlConfig, type MysqlCredentials } from "./config";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { statefulRoleObjects } from "../kit/role";

export const MYSQL: Workload = { name: "mysql", component: "database" };
export const NAME = "mysql";
const HEADLESS = "mysql-headless";
export const PORT = 3306;
const PORTS: Port[] = [{ name: "mysql", port: PORT }];
/** The official image's mysql user. */
const UID = 999;

export function host(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `${NAME}.${ns}.svc.${domain}`;
}

export function jdbcUrl(ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `jdbc:mysql://${host(ns, domain)}:${PORT}/${METASTORE_DATABASE}`;
}

export function myCnf(cfg: MysqlConfig): string {
  const bufferPool = bufferPoolMiB(cfg.resources.limits.memory, cfg.bufferPoolPercent);
  return [
    "[mysqld]",
    `innodb_buffer_pool_size=${bufferPool}M`,
    "skip-name-resolve",
    "character-set-server=utf8mb4",
    "collation-server=utf8mb4_bin",
    "max_connections=300",
    "",
  ].join("\n");
}

export function mysqlManifests(cfg: MysqlConfig, ns: string, credentials: MysqlCredentials = defaultRef(MYSQL_CREDENTIALS)): Manifest[] {
  const config = { "platform.cnf": myCnf(cfg) };
  const pod = podSpec(
    MYSQL,
    UID,
    {
      terminationGracePeriodSeconds: 60,
      containers: [
        container({
          name: "mysql",
          image: cfg.image,
          env: [
            secretEnv("MYSQL_ROOT_PASSWORD", credentials, "root-password"),
            { name: "MYSQL_DATABASE", value: METASTORE_DATABASE },
            // The user the metastore's hive-site names: not a secret, and not the Secret's to change.
            { name: "MYSQL_USER", value: METASTORE_USER },
            secretEnv("MYSQL_PASSWORD", credentials, "password"),
          ],
          ports: containerPorts(PORTS),
          // Exits 0 whenever the server answers, even "access denied": no password needed in the probe.
          readinessProbe: { exec: { command: ["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"] }, periodSeconds: 10, timeoutSeconds: 5 },
          livenessProbe: { tcpSocket: { port: PORT }, initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 },
          resources: cfg.resources,
          volumeMounts: [
            // A subdirectory: the volume's root may hold lost+found, which mysqld refuses to initialise over.
            { name: "data", mountPath: "/var/lib/mysql", subPath: "mysql" },
            { name: "config", mountPath: "/etc/mysql/conf.d" },
            { name: "run", mountPath: "/var/run/mysqld" },
            { name: "tmp", mountPath: "/tmp" },
          ],
        }),
      ],
      volumes: [{ name: "config", configMap: { name: NAME } }, scratchVolume("run", "16Mi"), scratchVolume("tmp", "1Gi")],
    },
    NAME,
  );
  return statefulRoleObjects({
    name: NAME,
    namespace: ns,
    workload: MYSQL,
    image: cfg.image,
    replicas: 1,
    pod,
    serviceAccount: NAME,
    files: config,
    headless: { name: HEADLESS, ports: PORTS },
    client: { name: NAME, ports: PORTS },
    volumeClaims: [{ name: "data", storage: cfg.storage }],
  });
}
