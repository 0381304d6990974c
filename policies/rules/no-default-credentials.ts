import { resourcePolicy } from "../lib/define";
import { containersOf, kindOf, known, podSpecOf, stringsIn } from "../lib/objects";

/** Well-known default passwords of the engines we run, and common placeholders. */
const DEFAULT_PASSWORDS = new Set(["", "admin", "password", "changeme", "minioadmin", "root", "secret", "hive", "airflow", "trino"]);
const PASSWORD_NAME = /(password|passwd|pwd|secret_?key)$/i;
const EMPTY_PASSWORD_SWITCHES = /^(MYSQL_ALLOW_EMPTY_PASSWORD|ALLOW_EMPTY_PASSWORD|MARIADB_ALLOW_EMPTY_ROOT_PASSWORD)$/;

function decoded(value: string): string {
  return Buffer.from(value, "base64").toString("utf8");
}

export const noDefaultCredentials = resourcePolicy(
  {
    name: "no-default-credentials",
    description: "No known default credentials anywhere: minioadmin, admin/admin, empty or placeholder passwords.",
    enforcementLevel: "mandatory",
    remediationSteps: "Generate credentials (the platform uses @pulumi/random) and keep them in Secrets.",
  },
  (args, report) => {
    for (const { path, value } of stringsIn(args.props)) {
      if (/minioadmin/i.test(value)) report(`${path}: contains the MinIO default credential "minioadmin"`);
      if (/\badmin\s*[/:]\s*admin\b/i.test(value)) report(`${path}: contains the default credential admin/admin`);
    }
    const pod = podSpecOf(args.type, args.props);
    for (const { container, where } of pod ? containersOf(pod) : []) {
      for (const env of container?.env ?? []) {
        if (env?.value === undefined) continue;
        if (PASSWORD_NAME.test(env.name) && DEFAULT_PASSWORDS.has(String(env.value).toLowerCase())) {
          report(`${where}: env ${env.name} is a default or empty password`);
        }
        if (EMPTY_PASSWORD_SWITCHES.test(env.name) && /^(yes|true|1)$/i.test(String(env.value))) {
          report(`${where}: env ${env.name} allows an empty password`);
        }
      }
    }
    if (kindOf(args.type) === "Secret") {
      // Values read one by one: generated ones are unknown during preview and are skipped, not fatal.
      const knownEntries = (v: unknown): [string, string][] =>
        v && typeof v === "object" && !Array.isArray(v)
          ? Object.keys(v)
              .map((k): [string, unknown] => [k, known(v, k)])
              .filter((e): e is [string, string] => typeof e[1] === "string")
          : [];
      const entries: [string, string][] = [
        ...knownEntries(known(args.props, "stringData")),
        ...knownEntries(known(args.props, "data")).map(([k, v]): [string, string] => [k, decoded(v)]),
      ];
      for (const [key, value] of entries) {
        if (PASSWORD_NAME.test(key) && typeof value === "string" && DEFAULT_PASSWORDS.has(value.toLowerCase())) {
          report(`Secret key ${key} holds a default or empty password`);
        }
      }
    }
  },
);
