/** What the SQL engine's clients get: the coordinator's address and access to it. */
import { servedBy, type SqlService } from "../kit/contracts";
import { COORDINATOR, coordinatorHost, coordinatorUrl, HTTP_PORT } from "./spec";

export function sqlService(ns: string): SqlService {
  return { coordinatorUrl: coordinatorUrl(ns), host: coordinatorHost(ns), port: HTTP_PORT, access: servedBy(COORDINATOR, [HTTP_PORT]) };
}
