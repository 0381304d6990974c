/**
 * The lake's users: one per S3 client, each limited by its policy to the prefixes it needs. Only
 * MinIO's own setup Job holds the root credentials; no client does. Pure: policies and scripts.
 */
import type { CredentialSecret, SecretRef } from "../kit/secret-ref";
import type { LakeClient, LakeUser } from "../kit/contracts";

/** The bucket's layout: table files, and Airflow's task logs. */
export const LAKE_PREFIXES = { warehouse: "warehouse", airflowLogs: "airflow-logs" } as const;
type Prefix = (typeof LAKE_PREFIXES)[keyof typeof LAKE_PREFIXES];

/** Each client of the lake and the prefixes its user may read and write. */
export const LAKE_CLIENTS: Record<LakeClient, readonly Prefix[]> = {
  trino: [LAKE_PREFIXES.warehouse],
  spark: [LAKE_PREFIXES.warehouse],
  yarn: [LAKE_PREFIXES.warehouse],
  impala: [LAKE_PREFIXES.warehouse],
  metastore: [LAKE_PREFIXES.warehouse],
  "airflow-logs": [LAKE_PREFIXES.airflowLogs],
};
const CLIENTS = Object.keys(LAKE_CLIENTS) as LakeClient[];

type UserKey = `${LakeClient}-access-key` | `${LakeClient}-secret-key`;
/** Every client's access key (its user name) and secret key, in one Secret. */
export const LAKE_USER_CREDENTIALS: CredentialSecret<UserKey> = {
  secret: "minio-users",
  keys: CLIENTS.flatMap((c): UserKey[] => [`${c}-access-key`, `${c}-secret-key`]),
};
export type LakeUserCredentials = SecretRef<UserKey>;

/** A client's user name: fixed, so its audit trail reads by client. */
export const accessKeyOf = (client: LakeClient) => `lake-${client}`;

export function lakeUser(users: LakeUserCredentials, client: LakeClient): LakeUser {
  return { secret: users.name, accessKey: users.keys[`${client}-access-key`], secretKey: users.keys[`${client}-secret-key`] };
}

/** The IAM policy of a client: objects under its prefixes, listing only there, nothing else. */
export function userPolicy(bucket: string, prefixes: readonly string[]) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: prefixes.map((p) => `arn:aws:s3:::${bucket}/${p}/*`) },
      {
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [`arn:aws:s3:::${bucket}`],
        Condition: { StringLike: { "s3:prefix": prefixes.flatMap((p) => [p, `${p}/*`]) } },
      },
      { Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [`arn:aws:s3:::${bucket}`] },
    ],
  };
}

/** The setup Job's variable names for a client's keys. */
export function keyVariables(client: LakeClient): { access: string; secret: string } {
  const base = client.toUpperCase().replace(/-/g, "_");
  return { access: `${base}_ACCESS_KEY`, secret: `${base}_SECRET_KEY` };
}

/**
 * mc's login to the server, written into its config from MINIO_ROOT_USER/PASSWORD: printf is the
 * shell's own, so the root password is in no process's arguments (`mc alias set` would show it).
 * The mc image has a shell and coreutils but no sed or grep: a credential holding `"` or `\` (which
 * JSON would need escaped) is refused with a message rather than escaped.
 */
export function rootLoginLines(endpoint: string): string[] {
  return [
    `case "$MINIO_ROOT_USER$MINIO_ROOT_PASSWORD" in *'"'*|*'\\'*) echo 'the root credentials hold " or \\, which this Job cannot write into mc'"'"'s config: use other characters' >&2; exit 1;; esac`,
    'mkdir -p "$MC_CONFIG_DIR"',
    `printf '{"version":"10","aliases":{"lake":{"url":"%s","accessKey":"%s","secretKey":"%s","api":"s3v4","path":"auto"}}}' '${endpoint}' "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" > "$MC_CONFIG_DIR/config.json"`,
  ];
}

/**
 * Creates (or updates) each client's policy and user and attaches them; safe to run again. A secret
 * key goes to mc on its standard input, never as an argument. Attaching an attached policy is an
 * error, so the user's own record (mc's JSON) must then show the policy, or the Job fails.
 */
export function usersLines(bucket: string): string[] {
  return CLIENTS.flatMap((client) => {
    const policy = `lake-${client}`;
    const { access, secret } = keyVariables(client);
    return [
      `cat > /tmp/${policy}.json <<'JSON'\n${JSON.stringify(userPolicy(bucket, LAKE_CLIENTS[client]))}\nJSON`,
      `mc admin policy create lake ${policy} /tmp/${policy}.json`,
      `printf '%s\\n' "$${secret}" | mc admin user add lake "$${access}"`,
      `if ! mc admin policy attach lake ${policy} --user "$${access}"; then`,
      `  case "$(mc --json admin user info lake "$${access}")" in *'"policyName":"${policy}"'*|*'"policyName":"${policy},'*|*',${policy}"'*|*',${policy},'*) ;; *) echo "user $${access} is not attached to ${policy}" >&2; exit 1;; esac`,
      "fi",
    ];
  });
}

export { CLIENTS as LAKE_CLIENT_NAMES };
