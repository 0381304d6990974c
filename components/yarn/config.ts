/** YARN: one ResourceManager and NodeManagers whose container memory is set per environment. */
import { z } from "zod";
import { HADOOP_IMAGE } from "../kit/hadoop";
import { checkJvmFits, count, heapPercent, image, jvmReads, resources } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { resourcemanager: ["yarn-site.xml"], nodemanager: ["yarn-site.xml"] };

export const yarnConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    image: image.default(HADOOP_IMAGE),
    resourceManager: z.strictObject({ heapPercent: heapPercent.default(70), resources }),
    nodeManagers: z.strictObject({
      replicas: count(500),
      /** yarn.nodemanager.resource.memory-mb: memory offered to YARN containers on each node. */
      memoryMb: z
        .number({ error: "must be a whole number of MiB" })
        .int({ error: "must be a whole number of MiB" })
        .min(256, { error: "must be at least 256" }),
      /** Share of the limit for the NodeManager's own JVM; the rest holds memoryMb. */
      heapPercent: heapPercent.default(20),
      resources,
    }),
  })
  .superRefine((y, ctx) => checkJvmFits(ctx, ["resourceManager"], y.resourceManager), jvmReads(["resourceManager"]))
  .superRefine(
    (y, ctx) =>
      checkJvmFits(ctx, ["nodeManagers"], y.nodeManagers, y.nodeManagers.memoryMb, "for containers (nodeManagers.memoryMb)", ["nodeManagers", "memoryMb"]),
    jvmReads(["nodeManagers"], ["nodeManagers", "memoryMb"]),
  );
export type YarnConfig = z.infer<typeof yarnConfig>;
