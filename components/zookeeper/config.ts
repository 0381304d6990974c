import { z } from "zod";
import { checkJvmFits, count, heapPercent, image, resources, storage, whenFieldsValid } from "../kit/sizing";

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
    if (zk.replicas > 1 && zk.replicas % 2 === 0) {
      ctx.addIssue({ code: "custom", path: ["replicas"], message: `${zk.replicas} is even; an ensemble needs an odd size (1, 3, 5, ...) to keep a majority` });
    }
    checkJvmFits(ctx, [], zk);
  }, whenFieldsValid);
export type ZooKeeperConfig = z.infer<typeof zookeeperConfig>;
