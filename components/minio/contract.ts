/** What the lake's S3 clients get: endpoint, bucket and layout, each client's own user, and access to the servers. */
import { type ObjectStore, servedBy } from "../kit/contracts";
import { defaultRef } from "../kit/secret-ref";
import { DATA_LAKE_BUCKET, type MinioConfig } from "./config";
import { endpoint, S3_PORT, SERVER } from "./spec";
import { MINIO_CA } from "./tls";
import { DEFAULT_CLUSTER_DOMAIN } from "../kit/dns";
import { LAKE_PREFIXES, LAKE_USER_CREDENTIALS, type LakeUserCredentials, lakeUser } from "./users";

export function objectStore(
  cfg: Pick<MinioConfig, "clientImage" | "security">,
  ns: string,
  users: LakeUserCredentials = defaultRef(LAKE_USER_CREDENTIALS),
  domain = DEFAULT_CLUSTER_DOMAIN,
): ObjectStore {
  return {
    endpoint: endpoint(cfg, ns, domain),
    bucket: DATA_LAKE_BUCKET,
    prefixes: { ...LAKE_PREFIXES },
    user: (client) => lakeUser(users, client),
    clientImage: cfg.clientImage,
    ...(cfg.security === "tls" ? { ca: MINIO_CA } : {}),
    access: servedBy(SERVER, [S3_PORT]),
  };
}
