/** Starburst/Trino sizing. The engine itself arrives with the lakehouse issue; names are reserved now. */
import { z } from "zod";
import { leaderAndWorkers } from "../kit/sizing";

export const starburstConfig = leaderAndWorkers("coordinator");
export type StarburstConfig = z.infer<typeof starburstConfig>;
