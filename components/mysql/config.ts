import { z } from "zod";
import { memoryMiB } from "../kit/quantity";
import type { CredentialSecret, SecretRef } from "../kit/secret-ref";
import { image, reads, resources, storage, ruleIssue } from "../kit/sizing";
import { type RoleFiles, roleOverrides } from "../kit/overrides";

export const MYSQL_IMAGE = "mysql:8.4.7";
export const METASTORE_DATABASE = "hive_metastore";
export const METASTORE_USER = "hive";

/** The metastore user's password and the root password (the Airflow database setup uses root). */
export const MYSQL_CREDENTIALS: CredentialSecret<"password" | "root-password"> = { secret: "mysql-credentials", keys: ["password", "root-password"] };
export type MysqlCredentials = SecretRef<"password" | "root-password">;

/** Connections, per-thread buffers and the server itself, beside the buffer pool. */
export const MYSQL_OVERHEAD_MIB = 320;

/** Each role, and the config files of its pods that overrides may set. */
export const ROLE_FILES: RoleFiles = { database: ["platform.cnf"] };

export const mysqlConfig = z
  .strictObject({
    /** Role overrides (components/kit/overrides): config file properties, env, pod spec. */
    overrides: roleOverrides(ROLE_FILES),
    image: image.default(MYSQL_IMAGE),
    /** Share of the memory limit given to the InnoDB buffer pool. */
    bufferPoolPercent: z
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(10, { error: "must be at least 10" })
      .max(75, { error: "must be at most 75" })
      .default(50),
    resources,
    storage,
  })
  .superRefine(
    (m, ctx) => {
      const limit = memoryMiB(m.resources.limits.memory);
      const pool = bufferPoolMiB(m.resources.limits.memory, m.bufferPoolPercent);
      if (pool + MYSQL_OVERHEAD_MIB > limit) {
        ruleIssue(
          ctx,
          ["resources", "limits", "memory"],
          `${m.resources.limits.memory} (${limit} MiB) cannot hold a ${pool} MiB buffer pool (bufferPoolPercent ${m.bufferPoolPercent}) + ${MYSQL_OVERHEAD_MIB} MiB for the server = ${pool + MYSQL_OVERHEAD_MIB} MiB; raise the limit or lower bufferPoolPercent`,
          [["bufferPoolPercent"]],
        );
      }
    },
    reads(["resources"], ["bufferPoolPercent"]),
  );

export function bufferPoolMiB(memoryLimit: string, percent: number): number {
  return Math.floor((memoryMiB(memoryLimit) * percent) / 100);
}
export type MysqlConfig = z.infer<typeof mysqlConfig>;
