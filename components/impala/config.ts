/** Apache Impala: statestore, catalog, coordinators and executors, on the metastore and the lake. */
import { z } from "zod";
import { jvmFootprintMiB, heapMiB } from "../kit/jvm";
import { memoryMiB } from "../kit/quantity";
import { checkJvmFits, jvmReads, ruleIssue, roleFields } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

/** The official images are apache/impala:<version>-<daemon>. */
export const IMPALA_REPOSITORY = "apache/impala";
export const IMPALA_VERSION = "4.4.1";
/** The smallest query memory (mem_limit) an impalad is given; below it, queries cannot run. */
export const MIN_MEM_LIMIT_MIB = 512;

const daemon = (defaultHeap: number) => z.strictObject(roleFields({ replicas: { max: 100 }, heap: defaultHeap }));

const FILES = ["hive-site.xml", "core-site.xml"];
/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { statestored: FILES, catalogd: FILES, coordinator: FILES, executor: FILES };

export const impalaConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    repository: z
      .string()
      .regex(/^[a-z0-9][\w.\-/:]*$/, { error: "must be an image repository such as apache/impala" })
      .default(IMPALA_REPOSITORY),
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, { error: "must be a release such as 4.4.1" })
      .default(IMPALA_VERSION),
    statestore: z.strictObject(roleFields({})),
    catalog: z.strictObject(roleFields({ heap: 60 })),
    /** impalads that plan queries and serve clients (HS2 21050). */
    coordinators: daemon(20),
    /** impalads that only execute fragments. */
    executors: daemon(20),
  })
  .superRefine((c, ctx) => checkJvmFits(ctx, ["catalog"], c.catalog), jvmReads(["catalog"]))
  .superRefine(
    (c, ctx) => {
      for (const role of ["coordinators", "executors"] as const) {
        const r = c[role];
        const limit = memoryMiB(r.resources.limits.memory);
        const jvm = jvmFootprintMiB(heapMiB(r.resources.limits.memory, r.heapPercent));
        if (memLimitMiB(r) < MIN_MEM_LIMIT_MIB) {
          ruleIssue(
            ctx,
            [role, "resources", "limits", "memory"],
            `${r.resources.limits.memory} (${limit} MiB) leaves ${memLimitMiB(r)} MiB for query memory (mem_limit) after the ${jvm} MiB JVM (heapPercent ${r.heapPercent}) and ${NATIVE_HEADROOM_PERCENT}% native headroom; at least ${MIN_MEM_LIMIT_MIB} MiB is needed`,
            [[role, "heapPercent"]],
          );
        }
      }
    },
    jvmReads(["coordinators"], ["executors"]),
  );
export type ImpalaConfig = z.infer<typeof impalaConfig>;

/** Native memory outside mem_limit's accounting (allocator caches, threads, KRPC buffers). */
export const NATIVE_HEADROOM_PERCENT = 15;

/** mem_limit: what is left of the container after the embedded JVM, less native headroom. */
export function memLimitMiB(r: { heapPercent: number; resources: { limits: { memory: string } } }): number {
  const rest = memoryMiB(r.resources.limits.memory) - jvmFootprintMiB(heapMiB(r.resources.limits.memory, r.heapPercent));
  return Math.floor((rest * (100 - NATIVE_HEADROOM_PERCENT)) / 100);
}
