/**
 * The coordinator's security in tls mode: HTTPS with a cert-manager certificate, a password file
 * with one login per client, and file-based access rules per catalog. Pure: values and files.
 */
import { createHash } from "node:crypto";
import * as bcrypt from "bcryptjs";
import { certificate, type CertificatesConfig, TLS_FILES } from "../kit/certificates";
import type { Manifest } from "../kit/manifests";
import type { SqlLogin } from "../kit/contracts";
import { DEFAULT_CLUSTER_DOMAIN, serviceNames } from "../kit/dns";
import type { TrinoUser, TrinoUserCredentials } from "./config";

export const HTTPS_PORT = 8443;
/** The coordinator's certificate and its Secret (tls.crt, tls.key, ca.crt, tls-combined.pem). */
export const TLS_SECRET = "trino-tls";
export const TLS_DIR = "/etc/trino/tls";
/** The health user's password inside the coordinator, for `npm run health` by exec (the proxy cannot carry a login). */
export const HEALTH_PASSWORD_FILE = "/etc/trino/health/password";
/** bcrypt cost: Trino accepts 8 and more; 10 keeps a login check near 100 ms. */
const BCRYPT_COST = 10;

/**
 * One password file line per user, in the bcrypt form Trino reads ($2y$). The salt comes from the
 * user and password, so the file is the same on every run (no diff, no restart) and changes only
 * with a password.
 */
export function passwordFile(passwords: Record<string, string>): string {
  return Object.entries(passwords)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([user, password]) => {
      const seed = createHash("sha256").update(`dataplatform-trino\0${user}\0${password}`).digest().subarray(0, 16);
      const salt = `$2b$${BCRYPT_COST}$${bcrypt.encodeBase64(seed, 16)}`;
      return `${user}:${bcrypt.hashSync(password, salt).replace(/^\$2b\$/, "$2y$")}\n`;
    })
    .join("");
}

const pattern = (users: readonly TrinoUser[]) => users.join("|");
const OWNERS: TrinoUser[] = ["admin", "lake-tables", "dbt"];

/**
 * Who may do what (Trino's file-based system access control). Nothing not granted here is allowed:
 * the lake's writers own the iceberg catalog, Airflow only reads it, health reads the node list.
 */
export function accessRules(): Record<string, unknown> {
  return {
    catalogs: [
      { user: "admin", allow: "all" },
      { user: pattern(["lake-tables", "dbt"]), catalog: "iceberg", allow: "all" },
      { user: "airflow", catalog: "iceberg", allow: "read-only" },
      { user: pattern(["lake-tables", "dbt", "airflow"]), catalog: "system", allow: "read-only" },
      { allow: "none" },
    ],
    schemas: [
      { user: "admin", owner: true },
      { user: pattern(["lake-tables", "dbt"]), catalog: "iceberg", owner: true },
    ],
    tables: [
      { user: "admin", privileges: ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP", "GRANT_SELECT"] },
      { user: pattern(["lake-tables", "dbt"]), catalog: "iceberg", privileges: ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP"] },
      { user: "airflow", catalog: "iceberg", privileges: ["SELECT"] },
      { user: pattern(OWNERS.concat("airflow")), catalog: "system", privileges: ["SELECT"] },
    ],
    system_information: [
      { user: "admin", allow: ["read", "write"] },
      { user: "health", allow: ["read"] },
    ],
    queries: [
      { user: "admin", allow: ["execute", "kill", "view"] },
      { user: pattern(OWNERS.concat("airflow")), allow: ["execute"] },
    ],
  };
}

/** The coordinator's DNS names: the chart's Service, short and qualified. */
export function coordinatorNames(service: string, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): string[] {
  return serviceNames(service, ns, domain);
}

export function coordinatorCertificate(c: CertificatesConfig, service: string, ns: string, domain = DEFAULT_CLUSTER_DOMAIN): Manifest {
  return certificate(c, {
    name: TLS_SECRET,
    namespace: ns,
    workload: { name: "trino", component: "coordinator" },
    commonName: service,
    dnsNames: coordinatorNames(service, ns, domain),
    usages: ["server auth"],
    combinedPem: true,
  });
}

/** Values for trinodb/charts' `trino` chart that switch the coordinator to HTTPS, passwords and rules. */
export function tlsChartValues(users: TrinoUserCredentials) {
  return {
    server: {
      config: {
        https: { enabled: true, port: HTTPS_PORT, keystore: { path: `${TLS_DIR}/${TLS_FILES.combined}` } },
        authenticationType: "PASSWORD",
      },
    },
    // The chart mounts the Secret's password.db (a fixed key) and writes password-authenticator.properties.
    auth: { passwordAuthSecret: users.name },
    // Re-read every minute: a rule change needs no restart (and so does not roll the coordinator).
    accessControl: { type: "configmap", refreshPeriod: "60s", configFile: "rules.json", rules: { "rules.json": JSON.stringify(accessRules(), null, 2) } },
    coordinatorVolumes: [
      { name: "tls", secret: { secretName: TLS_SECRET, items: [TLS_FILES.combined, TLS_FILES.ca].map((k) => ({ key: k, path: k })), defaultMode: 0o440 } },
      { name: "health-login", secret: { secretName: users.name, items: [{ key: users.keys.health, path: "password" }], defaultMode: 0o440 } },
    ],
    coordinatorMounts: [
      { name: "tls", mountPath: TLS_DIR, readOnly: true },
      { name: "health-login", mountPath: HEALTH_PASSWORD_FILE.replace(/\/password$/, ""), readOnly: true },
    ],
  };
}

/** A client's login: its user, its password's key in the users' Secret, the CA from the certificate's Secret. */
export function clientLogin(users: TrinoUserCredentials, user: TrinoUser): SqlLogin {
  return { user, password: { name: users.name, key: users.keys[user] }, ca: { name: TLS_SECRET, key: TLS_FILES.ca } };
}
