/** Spark standalone master and workers, plus the driver pods of the platform's applications. */
import { z } from "zod";
import { heapMiB, jvmFootprintMiB } from "../kit/jvm";
import { memoryMiB } from "../kit/quantity";
import { checkJvmFits, count, image, jvmReads, ruleIssue, roleFields } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

/**
 * Built from images/spark/Dockerfile: the official apache/spark image plus the Iceberg, S3A and
 * Kafka jars the applications need. Mirror it and set spark.image to the mirror's reference.
 */
export const SPARK_IMAGE = "apache/spark:4.0.1";
/** Heap of the worker daemon itself; executors get the rest. */
export const WORKER_DAEMON_HEAP_MIB = 256;

const DEFAULTS = ["spark-defaults.conf"];
/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { master: DEFAULTS, worker: DEFAULTS, streaming: DEFAULTS, batch: DEFAULTS };

export const sparkConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    image: image.default(SPARK_IMAGE),
    master: z.strictObject(roleFields({ heap: 70 })),
    /** heapPercent: the share of the limit offered to executors (SPARK_WORKER_MEMORY). */
    workers: z.strictObject(roleFields({ replicas: { max: 500 }, heap: 50 })),
    /** Driver pods: the streaming application and batch jobs (client mode). */
    driver: z.strictObject(roleFields({ heap: 50 })),
    /**
     * Where the Kafka, Iceberg and S3A jars come from: "maven" resolves them from Maven Central when
     * a driver starts (drivers then need HTTPS egress); "image" expects them baked in (images/spark).
     */
    dependencies: z.enum(["maven", "image"], { error: 'must be "maven" or "image"' }).default("maven"),
    /** Run kafka_to_hdfs_streaming.py as a long-lived driver. */
    streaming: z.boolean({ error: "must be true or false" }).default(true),
    /** Cores the streaming application may hold (spark.cores.max); omitted: one executor's. */
    streamingCores: count(1000).optional(),
  })
  .superRefine((s, ctx) => checkJvmFits(ctx, ["master"], s.master), jvmReads(["master"]))
  .superRefine((s, ctx) => checkJvmFits(ctx, ["driver"], s.driver), jvmReads(["driver"]))
  .superRefine(
    (s, ctx) => {
      const limit = memoryMiB(s.workers.resources.limits.memory);
      const executors = workerMemoryMiB(s.workers.resources.limits.memory, s.workers.heapPercent);
      const needed = jvmFootprintMiB(executors) + jvmFootprintMiB(WORKER_DAEMON_HEAP_MIB);
      if (needed > limit) {
        ruleIssue(
          ctx,
          ["workers", "resources", "limits", "memory"],
          `${s.workers.resources.limits.memory} (${limit} MiB) cannot hold ${executors} MiB of executor heap (heapPercent ${s.workers.heapPercent}) ` +
            `+ its JVM overhead + the worker daemon (${jvmFootprintMiB(WORKER_DAEMON_HEAP_MIB)} MiB) = ${needed} MiB; raise the limit or lower heapPercent`,
          [["workers", "heapPercent"]],
        );
      }
    },
    jvmReads(["workers"]),
  );
export type SparkConfig = z.infer<typeof sparkConfig>;

/** SPARK_WORKER_MEMORY: what executors on one worker may use. */
export function workerMemoryMiB(memoryLimit: string, percent: number): number {
  return heapMiB(memoryLimit, percent);
}
