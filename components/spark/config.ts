/** Spark sizing. The engine itself arrives with the Spark issue; the config names are reserved now. */
import { z } from "zod";
import { checkJvmFits, count, heapPercent, resources, whenFieldsValid } from "../kit/sizing";

export const sparkConfig = z
  .strictObject({
    master: z.strictObject({ heapPercent: heapPercent.default(70), resources }),
    workers: z.strictObject({ replicas: count(500), heapPercent: heapPercent.default(70), resources }),
  })
  .superRefine((s, ctx) => {
    checkJvmFits(ctx, ["master"], s.master);
    checkJvmFits(ctx, ["workers"], s.workers);
  }, whenFieldsValid);
export type SparkConfig = z.infer<typeof sparkConfig>;
