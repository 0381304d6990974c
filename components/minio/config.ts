import { z } from "zod";
import type { CredentialSecret, SecretRef } from "../kit/secret-ref";
import { count, image, reads, resources, storage, ruleIssue } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

export const MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z";
export const MC_IMAGE = "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z";
/** The lake's bucket: Iceberg warehouse and Hive tables live here. */
export const DATA_LAKE_BUCKET = "data-lake";

/** The root credentials every S3 client of the lake reads. */
export const MINIO_CREDENTIALS: CredentialSecret<"root-user" | "root-password"> = { secret: "minio-credentials", keys: ["root-user", "root-password"] };
export type MinioCredentials = SecretRef<"root-user" | "root-password">;

/** Erasure coding needs at least this many drives across a distributed pool. */
export const MIN_DISTRIBUTED_DRIVES = 4;

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { server: [], buckets: [] };

export const minioConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    /**
     * plaintext: S3 over HTTP. tls: HTTPS between every client and the servers and between servers,
     * with a cert-manager certificate (components/minio/tls.ts); needs the environment's `certificates`.
     */
    security: z.enum(["plaintext", "tls"], { error: 'must be "plaintext" or "tls"' }).default("plaintext"),
    /** 1 = a single server; more = one distributed pool over all replicas. */
    replicas: count(32),
    drivesPerNode: count(16).default(1),
    image: image.default(MINIO_IMAGE),
    clientImage: image.default(MC_IMAGE),
    resources,
    /** Per drive. */
    storage,
  })
  .superRefine(
    (m, ctx) => {
      const drives = m.replicas * m.drivesPerNode;
      if (m.replicas === 1) return;
      if (drives < MIN_DISTRIBUTED_DRIVES) {
        ruleIssue(
          ctx,
          ["replicas"],
          `${m.replicas} servers x ${m.drivesPerNode} drives = ${drives} drives; a distributed pool needs at least ${MIN_DISTRIBUTED_DRIVES} (raise replicas or drivesPerNode, or use 1 server)`,
          [["drivesPerNode"]],
        );
      } else if (!erasureSetSize(drives)) {
        ruleIssue(
          ctx,
          ["replicas"],
          `${m.replicas} servers x ${m.drivesPerNode} drives = ${drives} drives, which no erasure set of 2 to 16 drives divides; choose a total such as ${drives - 1} or ${drives + 1}`,
          [["drivesPerNode"]],
        );
      }
    },
    reads(["replicas"], ["drivesPerNode"]),
  );

/** MinIO splits a pool into equal erasure sets of 2 to 16 drives; the largest that divides the total. */
export function erasureSetSize(drives: number): number | undefined {
  for (let size = 16; size >= 2; size--) if (drives % size === 0) return size;
  return undefined;
}
export type MinioConfig = z.infer<typeof minioConfig>;
