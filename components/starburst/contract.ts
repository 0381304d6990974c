/** What the SQL engine's clients get: the coordinator's address, access to it and, in tls mode, their logins. */
import { servedBy, type SqlService } from "../kit/contracts";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { defaultRef } from "../kit/secret-ref";
import { type StarburstConfig, TRINO_USER_CREDENTIALS, type TrinoUserCredentials } from "./config";
import { clientLogin } from "./security";
import { clientPort, COORDINATOR, coordinatorHost, coordinatorUrl } from "./spec";

export function sqlService(
  ns: string,
  domain = DEFAULT_CLUSTER_DOMAIN,
  icebergSnapshotRetention = "7d",
  security: StarburstConfig["security"] = "plaintext",
  users: TrinoUserCredentials = defaultRef(TRINO_USER_CREDENTIALS),
): SqlService {
  return {
    coordinatorUrl: coordinatorUrl(ns, domain, security),
    host: coordinatorHost(ns, domain),
    port: clientPort({ security }),
    icebergSnapshotRetention,
    access: servedBy(COORDINATOR, [clientPort({ security })]),
    ...(security === "tls" ? { login: (client: "dbt" | "airflow") => clientLogin(users, client) } : {}),
  };
}
