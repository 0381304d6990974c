/** What the lake's S3 clients get: endpoint, bucket, the credentials' Secret, and access to the servers. */
import { type ObjectStore, servedBy } from "../kit/contracts";
import { defaultRef } from "../kit/secret-ref";
import { DATA_LAKE_BUCKET, MINIO_CREDENTIALS, type MinioConfig, type MinioCredentials } from "./config";
import { endpoint, S3_PORT, SERVER } from "./spec";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";

export function objectStore(
  cfg: Pick<MinioConfig, "clientImage">,
  ns: string,
  credentials: MinioCredentials = defaultRef(MINIO_CREDENTIALS),
  domain = DEFAULT_CLUSTER_DOMAIN,
): ObjectStore {
  return { endpoint: endpoint(ns, domain), bucket: DATA_LAKE_BUCKET, credentials, clientImage: cfg.clientImage, access: servedBy(SERVER, [S3_PORT]) };
}
