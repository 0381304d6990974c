import { z } from "zod";
import { count, image, resources, storage, whenFieldsValid } from "../kit/sizing";

export const MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z";
export const MC_IMAGE = "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z";
/** The lake's bucket: Iceberg warehouse and Hive tables live here. */
export const DATA_LAKE_BUCKET = "data-lake";

/** Erasure coding needs at least this many drives across a distributed pool. */
export const MIN_DISTRIBUTED_DRIVES = 4;

export const minioConfig = z
  .strictObject({
    /** 1 = a single server; more = one distributed pool over all replicas. */
    replicas: count(32),
    drivesPerNode: count(16).default(1),
    image: image.default(MINIO_IMAGE),
    clientImage: image.default(MC_IMAGE),
    resources,
    /** Per drive. */
    storage,
  })
  .superRefine((m, ctx) => {
    const drives = m.replicas * m.drivesPerNode;
    if (m.replicas > 1 && drives < MIN_DISTRIBUTED_DRIVES) {
      ctx.addIssue({
        code: "custom",
        path: ["replicas"],
        message: `${m.replicas} servers x ${m.drivesPerNode} drives = ${drives} drives; a distributed pool needs at least ${MIN_DISTRIBUTED_DRIVES} (raise replicas or drivesPerNode, or use 1 server)`,
      });
    }
  }, whenFieldsValid);
export type MinioConfig = z.infer<typeof minioConfig>;
