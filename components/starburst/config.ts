/** Starburst/Trino sizing. The engine itself arrives with the lakehouse issue; names are reserved now. */
import { z } from "zod";
import { checkJvmFits, count, heapPercent, resources, whenFieldsValid } from "../kit/sizing";

export const starburstConfig = z
  .strictObject({
    coordinator: z.strictObject({ heapPercent: heapPercent.default(70), resources }),
    workers: z.strictObject({ replicas: count(500), heapPercent: heapPercent.default(70), resources }),
  })
  .superRefine((s, ctx) => {
    checkJvmFits(ctx, ["coordinator"], s.coordinator);
    checkJvmFits(ctx, ["workers"], s.workers);
  }, whenFieldsValid);
export type StarburstConfig = z.infer<typeof starburstConfig>;
