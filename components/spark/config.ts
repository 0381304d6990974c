/** Spark sizing. The engine itself arrives with the Spark issue; the config names are reserved now. */
import { z } from "zod";
import { leaderAndWorkers } from "../kit/sizing";

export const sparkConfig = leaderAndWorkers("master");
export type SparkConfig = z.infer<typeof sparkConfig>;
