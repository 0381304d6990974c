import { z } from "zod";
import { image, resources, storage } from "../kit/sizing";

export const MYSQL_IMAGE = "mysql:8.4.7";
export const METASTORE_DATABASE = "hive_metastore";
export const METASTORE_USER = "hive";

export const mysqlConfig = z.strictObject({
  image: image.default(MYSQL_IMAGE),
  /** Share of the memory limit given to the InnoDB buffer pool. */
  bufferPoolPercent: z.number().int().min(10, { error: "must be at least 10" }).max(75, { error: "must be at most 75" }).default(50),
  resources,
  storage,
});
export type MysqlConfig = z.infer<typeof mysqlConfig>;
