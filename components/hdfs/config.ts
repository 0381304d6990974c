/** HDFS sizing. The engine itself arrives with the Hadoop issue; the config names are reserved now. */
import { z } from "zod";
import { checkJvmFits, count, heapPercent, resources, storage, jvmReads, reads, ruleIssue } from "../kit/sizing";

export const hdfsConfig = z
  .strictObject({
    /** dfs.replication: copies of each block. */
    replication: count(10),
    nameNode: z.strictObject({ heapPercent: heapPercent.default(70), resources, storage }),
    dataNodes: z.strictObject({ replicas: count(500), heapPercent: heapPercent.default(50), resources, storage }),
  })
  .superRefine((h, ctx) => {
    if (h.replication > h.dataNodes.replicas) {
      ruleIssue(ctx, ["replication"], `${h.replication} is more than hdfs.dataNodes.replicas (${h.dataNodes.replicas}); blocks could never be fully replicated`, [["dataNodes", "replicas"]]);
    }
  }, reads(["replication"], ["dataNodes", "replicas"]))
  .superRefine((h, ctx) => checkJvmFits(ctx, ["nameNode"], h.nameNode), jvmReads(["nameNode"]))
  .superRefine((h, ctx) => checkJvmFits(ctx, ["dataNodes"], h.dataNodes), jvmReads(["dataNodes"]));
export type HdfsConfig = z.infer<typeof hdfsConfig>;
