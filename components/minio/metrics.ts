/**
 * MinIO's own Prometheus metrics (v2, cluster scope: every server answers for the whole pool), on its
 * S3 port. MINIO_PROMETHEUS_AUTH_TYPE=public lets Prometheus read them without a token; the
 * NetworkPolicies admit to that port only Prometheus and the platform's own S3 clients.
 */
import { alert, type AlertGroup, type Dashboard, panel } from "../kit/metrics";

export const METRICS_PATH = "/minio/v2/metrics/cluster";

/** A metric the alerts and dashboard read: the engine suite scrapes a real pool for each. */
export const MINIO_METRICS = {
  nodesOnline: "minio_cluster_nodes_online_total",
  nodesOffline: "minio_cluster_nodes_offline_total",
  drivesOnline: "minio_cluster_drive_online_total",
  drivesOffline: "minio_cluster_drive_offline_total",
  usableFree: "minio_cluster_capacity_usable_free_bytes",
  usableTotal: "minio_cluster_capacity_usable_total_bytes",
  requests: "minio_s3_requests_total",
  requestErrors: "minio_s3_requests_errors_total",
} as const;

/** The pool losing servers or drives (its erasure coding tolerates only some), or filling. */
export function minioAlerts(ns: string): AlertGroup {
  const sel = `namespace="${ns}"`;
  return {
    name: "data-platform.minio",
    rules: [
      alert(
        "MinioNodesOffline",
        `max(${MINIO_METRICS.nodesOffline}{${sel}}) > 0`,
        "5m",
        "critical",
        "MinIO servers are offline",
        "{{ $value }} servers of the pool are offline: one more lost may stop writes (erasure coding keeps a quorum).",
      ),
      alert(
        "MinioDrivesOffline",
        `max(${MINIO_METRICS.drivesOffline}{${sel}}) > 0`,
        "5m",
        "warning",
        "MinIO drives are offline",
        "{{ $value }} drives are offline: objects are served from their parity until they return.",
      ),
      alert(
        "MinioCapacityLow",
        `min(${MINIO_METRICS.usableFree}{${sel}}) / max(${MINIO_METRICS.usableTotal}{${sel}}) < 0.15`,
        "15m",
        "warning",
        "The lake has less than 15% of its usable capacity left",
        "{{ $value | humanizePercentage }} is free: grow the drives (minio.storage).",
      ),
    ],
  };
}

/** A request rate by API: every server answers for the whole pool, so each (api, server) series counts once, whichever pod was asked. */
const perServer = (metric: string, sel: string) => `sum by (api) (max by (api, server) (rate(${metric}{${sel}}[5m])))`;

export function minioDashboard(ns: string): Dashboard {
  const sel = `namespace="${ns}"`;
  return {
    uid: "data-platform-minio",
    title: "Data platform / MinIO",
    panels: [
      panel("Usable capacity free", `min(${MINIO_METRICS.usableFree}{${sel}}) / max(${MINIO_METRICS.usableTotal}{${sel}})`, "percentunit"),
      panel("Servers", { online: `max(${MINIO_METRICS.nodesOnline}{${sel}})`, offline: `max(${MINIO_METRICS.nodesOffline}{${sel}})` }),
      panel("Drives", { online: `max(${MINIO_METRICS.drivesOnline}{${sel}})`, offline: `max(${MINIO_METRICS.drivesOffline}{${sel}})` }),
      panel(
        "S3 requests per second",
        {
          "{{api}}": perServer(MINIO_METRICS.requests, sel),
          "{{api}} errors": perServer(MINIO_METRICS.requestErrors, sel),
        },
        "reqps",
      ),
    ],
  };
}
