/** MinIO object storage: one server, or one distributed pool across all replicas; plus the lake bucket. */
import type { MetricsEndpoint, MonitoringConfig } from "../kit/metrics";
import { METRICS_PATH } from "./metrics";
import { lakeUserEnv, type LakeClient } from "../kit/contracts";
import { container, containerPorts, type Flow, job, type Manifest, podSpec, type Port, scratchVolume, type Workload } from "../kit";
import { defaultRef, secretEnv } from "../kit/secret-ref";
import { DATA_LAKE_BUCKET, MINIO_CREDENTIALS, type MinioConfig, type MinioCredentials } from "./config";
import { DEFAULT_CLUSTER_DOMAIN, podHost, serviceHost } from "../kit/dns";
import type { CertificatesConfig } from "../kit/certificates";
import { CA_DIR, CA_FILE, caVolume } from "../kit/trust";
import { CERTS_DIR, MINIO_CA, serverCertificate, serverCertsVolume } from "./tls";
import { statefulRoleObjects } from "../kit/role";
import { keyVariables, LAKE_CLIENT_NAMES, LAKE_USER_CREDENTIALS, type LakeUserCredentials, lakeUser, rootLoginLines, usersLines } from "./users";

export const SERVER: Workload = { name: "minio", component: "server" };
export const BUCKETS: Workload = { name: "minio", component: "buckets" };
export const NAME = "minio";
const HEADLESS = "minio-headless";
export const S3_PORT = 9000;
export const CONSOLE_PORT = 9001;
const SERVER_PORTS: Port[] = [
  { name: "s3", port: S3_PORT },
  { name: "console", port: CONSOLE_PORT },
];
const UID = 1000;

/** The pool's metrics on the S3 port (monitoring on), over TLS in tls mode, verified for the Service's name. */
export function minioMetrics(
  cfg: Pick<MinioConfig, "security">,
  ns: string,
  domain = DEFAULT_CLUSTER_DOMAIN,
  monitoring?: MonitoringConfig,
): MetricsEndpoint[] {
  if (!monitoring) return [];
  const tls = cfg.security === "tls" ? { ca: MINIO_CA, serverName: serviceHost(NAME, ns, domain) } : undefined;
  return [{ workload: SERVER, port: S3_PORT, portName: "s3", path: METRICS_PATH, ...(tls ? { tls } : {}) }];
}

/** Every server's command lists the whole pool; its erasure sets are cut from that count once. */
export const FIXED_SIZE =
  "MinIO's erasure-coded pool is cut from its server count and drives once, and every server's command lists the " +
  "whole pool: a new count is a different pool. Keep minio.replicas as deployed (README: Resizing a quorum).";

const scheme = (cfg: Pick<MinioConfig, "security">) => (cfg.security === "tls" ? "https" : "http");

export function endpoint(cfg: Pick<MinioConfig, "security">, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return `${scheme(cfg)}://${serviceHost(NAME, ns, domain)}:${S3_PORT}`;
}

/** Drive volumes: `data` for one drive per server, `data0..N` for several. */
export function driveNames(cfg: MinioConfig): string[] {
  return cfg.drivesPerNode === 1 ? ["data"] : Array.from({ length: cfg.drivesPerNode }, (_, i) => `data${i}`);
}

/** The server's volume argument, in MinIO's ellipsis notation for distributed pools. */
export function serverVolumes(cfg: MinioConfig, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  const drives = cfg.drivesPerNode === 1 ? "/data" : `/data{0...${cfg.drivesPerNode - 1}}`;
  if (cfg.replicas === 1) return drives;
  return `${scheme(cfg)}://${podHost(`${NAME}-{0...${cfg.replicas - 1}}`, HEADLESS, ns, domain)}${drives}`;
}

/** The setup Job's script: the root login, the bucket, then every client's user and policy. */
export function setupScript(cfg: Pick<MinioConfig, "security">, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string {
  return [
    "set -eu",
    ...rootLoginLines(endpoint(cfg, ns, domain)),
    // Bounded: a login mc cannot use fails the Job (and shows in its log) instead of waiting forever.
    'tries=0; until mc admin info lake >/dev/null; do tries=$((tries + 1)); [ "$tries" -lt 120 ] || { echo "MinIO did not accept the login within 10 minutes" >&2; exit 1; }; echo "waiting for MinIO"; sleep 5; done',
    `mc mb --ignore-existing lake/${DATA_LAKE_BUCKET}`,
    ...usersLines(DATA_LAKE_BUCKET),
  ].join("\n");
}

/** The setup Job's variables: each client's keys from the users' Secret. */
function userKeyEnv(users: LakeUserCredentials) {
  const store = { user: (client: LakeClient) => lakeUser(users, client) };
  return LAKE_CLIENT_NAMES.flatMap((client) => lakeUserEnv(store, client, keyVariables(client).access, keyVariables(client).secret));
}

export function minioManifests(
  cfg: MinioConfig,
  ns: string,
  credentials: MinioCredentials = defaultRef(MINIO_CREDENTIALS),
  domain = DEFAULT_CLUSTER_DOMAIN,
  users: LakeUserCredentials = defaultRef(LAKE_USER_CREDENTIALS),
  certs?: CertificatesConfig,
  monitoring?: MonitoringConfig,
): Manifest[] {
  const tls = cfg.security === "tls";
  if (tls && !certs) throw new Error("minio.security tls needs the environment's certificates section (checked by the config)");
  const root = [secretEnv("MINIO_ROOT_USER", credentials, "root-user"), secretEnv("MINIO_ROOT_PASSWORD", credentials, "root-password")];
  const drives = driveNames(cfg);
  const probeScheme = tls ? "HTTPS" : "HTTP";
  const pod = podSpec(
    SERVER,
    UID,
    {
      terminationGracePeriodSeconds: 60,
      containers: [
        container({
          name: "minio",
          image: cfg.image,
          command: [
            "minio",
            "server",
            "--address",
            `:${S3_PORT}`,
            "--console-address",
            `:${CONSOLE_PORT}`,
            "--certs-dir",
            CERTS_DIR,
            serverVolumes(cfg, ns, domain),
          ],
          // Monitoring on: Prometheus reads the metrics without a token (only it and S3 clients reach the port).
          env: [...root, { name: "HOME", value: "/tmp" }, ...(monitoring ? [{ name: "MINIO_PROMETHEUS_AUTH_TYPE", value: "public" }] : [])],
          ports: containerPorts(SERVER_PORTS),
          readinessProbe: { httpGet: { path: "/minio/health/ready", port: S3_PORT, scheme: probeScheme }, periodSeconds: 10, timeoutSeconds: 5 },
          livenessProbe: {
            httpGet: { path: "/minio/health/live", port: S3_PORT, scheme: probeScheme },
            initialDelaySeconds: 30,
            periodSeconds: 20,
            failureThreshold: 6,
          },
          resources: cfg.resources,
          volumeMounts: [
            ...drives.map((d) => ({ name: d, mountPath: `/${d}` })),
            { name: "tmp", mountPath: "/tmp" },
            ...(tls ? [{ name: "certs", mountPath: CERTS_DIR, readOnly: true }] : []),
          ],
        }),
      ],
      volumes: [scratchVolume("tmp"), ...(tls ? [serverCertsVolume("certs")] : [])],
    },
    NAME,
  );
  return [
    ...(tls ? [serverCertificate(certs!, NAME, HEADLESS, ns, domain)] : []),
    // No config files: MinIO takes its settings from its command line and environment.
    ...statefulRoleObjects({
      name: NAME,
      namespace: ns,
      workload: SERVER,
      image: cfg.image,
      replicas: cfg.replicas,
      pod,
      serviceAccount: NAME,
      headless: { name: HEADLESS, ports: [{ name: "s3", port: S3_PORT }] },
      client: { name: NAME, ports: SERVER_PORTS },
      volumeClaims: drives.map((d) => ({ name: d, storage: cfg.storage })),
      fixedSize: FIXED_SIZE,
    }),
    job({
      prefix: "minio-buckets",
      namespace: ns,
      workload: BUCKETS,
      uid: UID,
      serviceAccountName: NAME,
      container: container({
        name: "buckets",
        image: cfg.clientImage,
        command: ["/bin/sh", "-c", setupScript(cfg, ns, domain)],
        env: [
          ...root,
          ...userKeyEnv(users),
          { name: "MC_CONFIG_DIR", value: "/tmp/mc" },
          // Go's TLS reads its trusted CAs from here: the platform CA only.
          ...(tls ? [{ name: "SSL_CERT_FILE", value: CA_FILE }] : []),
        ],
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...(tls ? [{ name: "platform-ca", mountPath: CA_DIR, readOnly: true }] : [])],
      }),
      volumes: [scratchVolume("tmp"), ...(tls ? [caVolume(MINIO_CA, "platform-ca")] : [])],
    }),
  ];
}

export function minioFlows(cfg: MinioConfig): Flow[] {
  return [...(cfg.replicas > 1 ? [{ from: SERVER, to: SERVER, ports: [S3_PORT] }] : []), { from: BUCKETS, to: SERVER, ports: [S3_PORT] }];
}
