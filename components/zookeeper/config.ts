import { z } from "zod";
import { checkJvmFits, count, heapPercent, image, jvmReads, reads, resources, storage, ruleIssue } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

export const ZOOKEEPER_IMAGE = "zookeeper:3.9.4";

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { server: ["zoo.cfg"] };

export const zookeeperConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    replicas: count(9),
    image: image.default(ZOOKEEPER_IMAGE),
    heapPercent: heapPercent.default(50),
    resources,
    storage,
  })
  .superRefine(
    (zk, ctx) => {
      if (zk.replicas % 2 === 0) {
        ruleIssue(ctx, ["replicas"], `${zk.replicas} is even; an ensemble needs an odd size (1, 3, 5, ...) to keep a majority`);
      }
    },
    reads(["replicas"]),
  )
  .superRefine((zk, ctx) => checkJvmFits(ctx, [], zk), jvmReads([]));
export type ZooKeeperConfig = z.infer<typeof zookeeperConfig>;
