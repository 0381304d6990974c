/** What the metastore's clients get: its URI, the lake's warehouse, and access to the servers. */
import { type MetastoreService, type ObjectStore, servedBy } from "../kit/contracts";
import { METASTORE, metastoreUri, PORT, warehouse } from "./spec";

export function metastoreService(ns: string, lake: Pick<ObjectStore, "bucket">): MetastoreService {
  return { uri: metastoreUri(ns), warehouse: warehouse(lake), access: servedBy(METASTORE, [PORT]) };
}
