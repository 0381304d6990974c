/** What the metastore's database clients get: address, database, user, its Secret, and access. */
import { type DatabaseServer, servedBy } from "../kit/contracts";
import { defaultRef } from "../kit/secret-ref";
import { METASTORE_DATABASE, METASTORE_USER, MYSQL_CREDENTIALS, type MysqlConfig, type MysqlCredentials } from "./config";
import { host, jdbcUrl, MYSQL, PORT } from "./spec";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

export function databaseServer(
  cfg: Pick<MysqlConfig, "image">,
  ns: string,
  credentials: MysqlCredentials = defaultRef(MYSQL_CREDENTIALS),
  domain = DEFAULT_CLUSTER_DOMAIN,
): DatabaseServer {
  return {
    host: host(ns, domain),
    port: PORT,
    jdbcUrl: jdbcUrl(ns, domain),
    database: METASTORE_DATABASE,
    user: METASTORE_USER,
    credentials,
    clientImage: cfg.image,
    access: servedBy(MYSQL, [PORT]),
  };
}
