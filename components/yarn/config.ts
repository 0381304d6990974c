/** YARN: one ResourceManager and NodeManagers whose container memory is set per environment. */
import { z } from "zod";
import { HADOOP_IMAGE } from "../kit/hadoop";
import { checkJvmFits, image, jvmReads, roleFields } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { resourcemanager: ["yarn-site.xml"], nodemanager: ["yarn-site.xml"] };

export const yarnConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    image: image.default(HADOOP_IMAGE),
    /**
     * tls: the ResourceManager's and NodeManagers' web endpoints (UIs, REST) serve HTTPS only. Needs
     * hdfs.security tls: the Hadoop daemons' key stores share HDFS's password.
     */
    security: z.enum(["plaintext", "tls"], { error: 'must be "plaintext" or "tls"' }).default("plaintext"),
    resourceManager: z.strictObject(roleFields({ heap: 70 })),
    nodeManagers: z.strictObject({
      /** heapPercent: the NodeManager's own JVM; the rest of the limit holds memoryMb. */
      ...roleFields({ replicas: { max: 500 }, heap: 20 }),
      /** yarn.nodemanager.resource.memory-mb: memory offered to YARN containers on each node. */
      memoryMb: z
        .number({ error: "must be a whole number of MiB" })
        .int({ error: "must be a whole number of MiB" })
        .min(256, { error: "must be at least 256" }),
    }),
  })
  .superRefine((y, ctx) => checkJvmFits(ctx, ["resourceManager"], y.resourceManager), jvmReads(["resourceManager"]))
  .superRefine(
    (y, ctx) =>
      checkJvmFits(ctx, ["nodeManagers"], y.nodeManagers, y.nodeManagers.memoryMb, "for containers (nodeManagers.memoryMb)", ["nodeManagers", "memoryMb"]),
    jvmReads(["nodeManagers"], ["nodeManagers", "memoryMb"]),
  );
export type YarnConfig = z.infer<typeof yarnConfig>;
