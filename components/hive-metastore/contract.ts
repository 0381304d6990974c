/** What the metastore's clients get: its URI, the lake's warehouse, and access to the servers. */
import { type MetastoreService, type ObjectStore, servedBy } from "../kit/contracts";
import { METASTORE, metastoreUri, PORT, warehouse } from "./spec";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

export function metastoreService(ns: string, lake: Pick<ObjectStore, "bucket" | "prefixes">, domain = DEFAULT_CLUSTER_DOMAIN): MetastoreService {
  return { uri: metastoreUri(ns, domain), warehouse: warehouse(lake), access: servedBy(METASTORE, [PORT]) };
}
