/** What the SQL engine's clients get: the coordinator's address and access to it. */
import { servedBy, type SqlService } from "../kit/contracts";
import { COORDINATOR, coordinatorHost, coordinatorUrl, HTTP_PORT } from "./spec";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

export function sqlService(ns: string, domain = DEFAULT_CLUSTER_DOMAIN, icebergSnapshotRetention = "7d"): SqlService {
  return {
    coordinatorUrl: coordinatorUrl(ns, domain),
    host: coordinatorHost(ns, domain),
    port: HTTP_PORT,
    icebergSnapshotRetention,
    access: servedBy(COORDINATOR, [HTTP_PORT]),
  };
}
