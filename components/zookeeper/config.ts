import { z } from "zod";
import { checkJvmFits, count, heapPercent, image, jvmReads, reads, resources, storage, ruleIssue } from "../kit/sizing";

export const ZOOKEEPER_IMAGE = "zookeeper:3.9.4";

export const zookeeperConfig = z
  .strictObject({
    replicas: count(9),
    image: image.default(ZOOKEEPER_IMAGE),
    heapPercent: heapPercent.default(50),
    resources,
    storage,
  })
  .superRefine((zk, ctx) => {
    if (zk.replicas % 2 === 0) {
      ruleIssue(ctx, ["replicas"], `${zk.replicas} is even; an ensemble needs an odd size (1, 3, 5, ...) to keep a majority`);
    }
  }, reads(["replicas"]))
  .superRefine((zk, ctx) => checkJvmFits(ctx, [], zk), jvmReads([]));
export type ZooKeeperConfig = z.infer<typeof zookeeperConfig>;
