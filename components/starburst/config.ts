/** The SQL engine: Trino (open source, no licence) or Starburst Enterprise, from the vendor's chart. */
import { z } from "zod";
import { chartSourceConfig } from "../kit/charts";
import { heapMiB } from "../kit/jvm";
import { checkJvmFits, jvmReads, reads, ruleIssue, roleFields } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";
import type { CredentialSecret, SecretRef } from "../kit/secret-ref";

export const FLAVORS = {
  trino: { chart: "trino", repo: "https://trinodb.github.io/charts", chartVersion: "1.42.0", image: "trinodb/trino", version: 479 },
  starburst: {
    chart: "starburst-enterprise",
    repo: "https://harbor.starburstdata.net/chartrepo/starburstdata",
    chartVersion: "476.2.0",
    image: "harbor.starburstdata.net/starburstdata/starburst-enterprise",
    version: 476,
  },
} as const;
export type Flavor = keyof typeof FLAVORS;

/**
 * The secret the coordinator and workers sign their internal requests with
 * (internal-communication.shared-secret): a worker serves its task API only to cluster members.
 */
export const TRINO_CREDENTIALS: CredentialSecret<"shared-secret"> = { secret: "trino-internal", keys: ["shared-secret"] };
export type TrinoCredentials = SecretRef<"shared-secret">;

/**
 * Who logs in to the coordinator when security is tls, each with only what it needs (access-rules):
 * the tables Job and dbt own the lake's schemas, Airflow reads them, health lists the nodes, admin
 * is the operators' login.
 */
export const TRINO_USERS = ["admin", "lake-tables", "dbt", "airflow", "health"] as const;
export type TrinoUser = (typeof TRINO_USERS)[number];
/** Each user's password, and the password file the coordinator reads (bcrypt, by the chart's key name). */
export const TRINO_USER_CREDENTIALS: CredentialSecret<TrinoUser | "password.db"> = {
  secret: "trino-users",
  keys: [...TRINO_USERS, "password.db"],
  fixedKeys: ["password.db"],
};
export type TrinoUserCredentials = SecretRef<TrinoUser | "password.db">;

/** memory.heap-headroom-per-node: the share of the heap Trino keeps for everything but queries. */
export const HEAP_HEADROOM_PERCENT = 30;

const role = (defaultHeap: number) => ({
  ...roleFields({ heap: defaultHeap }),
  /** query.max-memory-per-node as a share of the heap; the rest is headroom for everything else. */
  queryMemoryPercent: z
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(10, { error: "must be at least 10" })
    .max(90, { error: "must be at most 90" })
    .default(50),
});

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { coordinator: ["config.properties"], worker: ["config.properties"], tables: [] };

export const starburstConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    flavor: z.enum(["trino", "starburst"], { error: 'must be "trino" or "starburst"' }).default("trino"),
    /**
     * plaintext: HTTP, clients name themselves (development). tls: HTTPS on the coordinator with a
     * cert-manager certificate, a password per client from the trino-users Secret, and file-based
     * access rules per catalog (README: Security).
     */
    security: z.enum(["plaintext", "tls"], { error: 'must be "plaintext" or "tls"' }).default("plaintext"),
    /** A Secret in the namespace holding the Starburst licence file (key starburstdata.license). */
    licenseSecret: z.string().min(1).optional(),
    /** Where the flavor's pinned chart comes from (default: the vendor's repository). */
    chart: chartSourceConfig.optional(),
    /** The engine image's repository, for a mirror (default: the flavor's own, such as trinodb/trino). */
    repository: z
      .string()
      .regex(/^[a-z0-9][\w.\-/:]*$/, { error: "must be an image repository such as registry.example/trinodb/trino" })
      .optional(),
    /** Overrides the flavor's pinned engine release (e.g. 479); the chart stays pinned. */
    version: z.number().int().min(400).optional(),
    coordinator: z.strictObject(role(70)),
    workers: z.strictObject({ ...roleFields({ replicas: { max: 500 } }), ...role(70) }),
    /**
     * query.max-memory: the most memory one query may use across the cluster. A setting of its own,
     * never derived from the worker count, so scaling workers leaves every pod's config unchanged.
     */
    queryMaxMemory: z
      .string()
      .regex(/^\d+(MB|GB)$/, { error: 'must be a data size in MB or GB, such as "8GB"' })
      .default("20GB"),
    /**
     * Iceberg's own protection: snapshots and unreferenced files younger than this survive any
     * expire_snapshots or remove_orphan_files, so a table can be rolled back that far.
     */
    icebergSnapshotRetention: z
      .string()
      .regex(/^[1-9]\d*(h|d)$/, { error: 'must be a duration in hours or days, such as "7d"' })
      .default("7d"),
    /** Seconds a worker drains running queries before it stops (shutdown.grace-period). */
    gracePeriodSeconds: z.number().int().min(10, { error: "must be at least 10" }).max(3600).default(120),
  })
  .superRefine(
    (s, ctx) => {
      if (s.flavor === "starburst" && s.security === "tls") {
        ruleIssue(
          ctx,
          ["security"],
          'is tls, which the platform builds for flavor "trino" only: Starburst Enterprise secures its coordinator through its own chart (README: Security); use flavor "trino" or security "plaintext"',
          [["flavor"]],
        );
      }
      if (s.flavor === "starburst" && !s.licenseSecret) {
        ruleIssue(
          ctx,
          ["licenseSecret"],
          'is required when flavor is "starburst": the name of a Secret with the licence (key starburstdata.license); flavor "trino" needs none',
          [["flavor"]],
        );
      }
    },
    reads(["flavor"], ["licenseSecret"], ["security"]),
  )
  .superRefine(
    (s, ctx) => {
      for (const [name, r] of [
        ["coordinator", s.coordinator],
        ["workers", s.workers],
      ] as const) {
        if (r.queryMemoryPercent + HEAP_HEADROOM_PERCENT > 100) {
          ruleIssue(
            ctx,
            [name, "queryMemoryPercent"],
            `${r.queryMemoryPercent}% of the heap for queries plus the engine's ${HEAP_HEADROOM_PERCENT}% heap headroom is above the heap; allowed: up to ${100 - HEAP_HEADROOM_PERCENT}`,
          );
        }
      }
    },
    reads(["coordinator", "queryMemoryPercent"], ["workers", "queryMemoryPercent"]),
  )
  .superRefine((s, ctx) => checkJvmFits(ctx, ["coordinator"], s.coordinator), jvmReads(["coordinator"]))
  .superRefine((s, ctx) => checkJvmFits(ctx, ["workers"], s.workers), jvmReads(["workers"]));
export type StarburstConfig = z.infer<typeof starburstConfig>;

/** query.max-memory-per-node in MiB for a role. */
export function queryMemoryMiB(r: { heapPercent: number; queryMemoryPercent: number; resources: { limits: { memory: string } } }): number {
  return Math.floor((heapMiB(r.resources.limits.memory, r.heapPercent) * r.queryMemoryPercent) / 100);
}
