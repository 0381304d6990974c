/** Trino's security by tier: HTTPS, a login per client and access rules in staging and production; plain HTTP in dev. */
import * as bcrypt from "bcryptjs";
import { dbtConfig } from "../components/dbt/config";
import { dbtManifests } from "../components/dbt/spec";
import { airflowConfig } from "../components/airflow/config";
import { chartValues as airflowValues } from "../components/airflow/values";
import { defaultRef } from "../components/kit/secret-ref";
import { AIRFLOW_CREDENTIALS } from "../components/airflow/config";
import { starburstConfig, TRINO_USER_CREDENTIALS, TRINO_USERS } from "../components/starburst/config";
import { sqlService } from "../components/starburst/contract";
import { accessRules, coordinatorCertificate, passwordFile } from "../components/starburst/security";
import { tablesScript, trinoValues } from "../components/starburst/spec";
import { trinoNodesScript } from "../infra/engine-health";
import { checkExistingSecrets } from "../infra/existing-secrets";
import { loadPlatform } from "../infra/config/stack";
import { readStackFile } from "../tools/plan";
import { find, readEnvironment, ROOT } from "./helpers";
import { stackContracts } from "./support/contracts";
import { stackPlan } from "./support/stack-plans";

const NS = "data-platform";
const sql = (e: string, extra: object = {}) => starburstConfig.parse({ ...readEnvironment(e).starburst, ...extra });
const { metastore, lake } = stackContracts("dev", NS);
const LAKE = { metastore, lake };
const USERS = defaultRef(TRINO_USER_CREDENTIALS);

describe("Trino's security by tier", () => {
  it("staging and production serve HTTPS with a password file and access rules; dev stays plain HTTP", () => {
    for (const env of ["staging", "prod"]) {
      const v: any = trinoValues(sql(env), LAKE);
      expect(v.server.config.https).toEqual({ enabled: true, port: 8443, keystore: { path: "/etc/trino/tls/tls-combined.pem" } });
      expect(v.server.config.authenticationType).toBe("PASSWORD");
      expect(v.auth).toEqual({ passwordAuthSecret: "trino-users" });
      expect(v.accessControl).toMatchObject({ type: "configmap", refreshPeriod: "60s", configFile: "rules.json" });
      expect(JSON.parse(v.accessControl.rules["rules.json"])).toEqual(accessRules());
      // The coordinator alone holds the key; workers get nothing of it.
      expect(v.coordinator.additionalVolumes.map((x: any) => x.name)).toEqual(["tmp", "data", "tls", "health-login"]);
      expect(v.coordinator.additionalVolumes[2].secret).toEqual({
        secretName: "trino-tls",
        items: [
          { key: "tls-combined.pem", path: "tls-combined.pem" },
          { key: "ca.crt", path: "ca.crt" },
        ],
        defaultMode: 0o440,
      });
      expect(v.worker.additionalVolumes.map((x: any) => x.name)).toEqual(["tmp", "data"]);
    }
    const dev: any = trinoValues(sql("dev"), LAKE);
    expect([dev.server.config.https, dev.server.config.authenticationType, dev.auth, dev.accessControl]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("the password file holds one bcrypt ($2y$) line per user, the same on every run, each checking only its password", () => {
    const passwords = { dbt: "dbt-password-0123", airflow: "same-password", health: "same-password" };
    const file = passwordFile(passwords);
    expect(passwordFile(passwords)).toBe(file);
    const lines = file.trimEnd().split("\n");
    expect(lines.map((l) => l.split(":")[0])).toEqual(["airflow", "dbt", "health"]);
    const hashes = Object.fromEntries(lines.map((l) => [l.split(":")[0], l.slice(l.indexOf(":") + 1)]));
    for (const [user, hash] of Object.entries(hashes)) {
      expect(hash).toMatch(/^\$2y\$10\$[./A-Za-z0-9]{53}$/);
      // bcryptjs reads $2b$; $2y$ is the same algorithm under PHP's name, the one Trino's file reader requires.
      expect(bcrypt.compareSync(passwords[user as keyof typeof passwords], hash.replace(/^\$2y\$/, "$2b$"))).toBe(true);
      expect(bcrypt.compareSync("wrong", hash.replace(/^\$2y\$/, "$2b$"))).toBe(false);
    }
    // The same password for two users still gives two hashes (the user is in the salt).
    expect(hashes.airflow).not.toBe(hashes.health);
    expect(passwordFile({ ...passwords, dbt: "changed" })).not.toBe(file);
  });

  it("grants each client only what it needs, and nothing by default", () => {
    const rules: any = accessRules();
    expect(rules.catalogs.at(-1)).toEqual({ allow: "none" });
    expect(rules.catalogs.find((r: any) => r.user === "airflow")).toEqual({ user: "airflow", catalog: "iceberg", allow: "read-only" });
    expect(rules.tables.find((r: any) => r.user === "airflow")).toEqual({ user: "airflow", catalog: "iceberg", privileges: ["SELECT"] });
    expect(rules.system_information).toEqual([
      { user: "admin", allow: ["read", "write"] },
      { user: "health", allow: ["read"] },
    ]);
    // Every rule names a user the Secret holds a password for.
    const named = new Set(Object.values<any[]>(rules).flatMap((list) => list.flatMap((r) => (r.user ? r.user.split("|") : []))));
    expect([...named].filter((u) => !(TRINO_USERS as readonly string[]).includes(u))).toEqual([]);
  });

  it("the coordinator's certificate names its Service and writes the combined PEM Trino reads", () => {
    const c: any = coordinatorCertificate({ issuer: { name: "dataplatform-ca", kind: "ClusterIssuer" }, duration: "2160h", renewBefore: "720h" }, "trino", NS);
    expect(c.spec).toMatchObject({
      secretName: "trino-tls",
      commonName: "trino",
      dnsNames: ["trino", `trino.${NS}`, `trino.${NS}.svc`, `trino.${NS}.svc.cluster.local`],
      usages: ["digital signature", "key encipherment", "server auth"],
      additionalOutputFormats: [{ type: "CombinedPEM" }],
      issuerRef: { kind: "ClusterIssuer", name: "dataplatform-ca" },
    });
  });

  it("every client logs in over HTTPS with its own password from the Secret, never an argument or a literal", () => {
    const tls = sqlService(NS, "cluster.local", "7d", "tls", USERS);
    expect([tls.port, tls.coordinatorUrl]).toEqual([8443, `https://trino.${NS}.svc.cluster.local:8443`]);
    expect(tls.login!("dbt")).toEqual({ user: "dbt", password: { name: "trino-users", key: "dbt" }, ca: { name: "trino-tls", key: "ca.crt" } });
    expect(sqlService(NS).login).toBeUndefined();

    const script = tablesScript(NS, ["SELECT 1"], "cluster.local", "tls");
    expect(script).toContain(
      `trino --server https://trino.${NS}.svc.cluster.local:8443 --user lake-tables --password --truststore-path /etc/trino-ca/ca.crt --execute "SELECT 1"`,
    );

    const dbtPod = (dbtManifests(dbtConfig.parse(readEnvironment("prod").dbt), NS, tls).find((m: any) => m.kind === "CronJob") as any).spec.jobTemplate.spec
      .template.spec;
    expect(dbtPod.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: "TRINO_PORT", value: "8443" },
        { name: "TRINO_USER", value: "dbt" },
        { name: "TRINO_PASSWORD", valueFrom: { secretKeyRef: { name: "trino-users", key: "dbt" } } },
        { name: "REQUESTS_CA_BUNDLE", value: "/etc/platform/trino-ca/ca.crt" },
      ]),
    );
    // Only the CA of the certificate's Secret reaches a client pod, never the coordinator's key.
    expect(dbtPod.volumes.find((v: any) => v.name === "trino-ca")).toEqual({
      name: "trino-ca",
      secret: { secretName: "trino-tls", items: [{ key: "ca.crt", path: "ca.crt" }] },
    });

    const contracts = stackContracts("prod", NS);
    const v: any = airflowValues(airflowConfig.parse(readEnvironment("prod").airflow), NS, { ...contracts, sql: tls }, defaultRef(AIRFLOW_CREDENTIALS));
    expect(v.env).toEqual(
      expect.arrayContaining([
        { name: "TRINO_PORT", value: "8443" },
        { name: "TRINO_USER", value: "airflow" },
        { name: "TRINO_CA_FILE", value: "/etc/trino-ca/ca.crt" },
      ]),
    );
    expect(v.env.some((e: any) => e.name === "TRINO_PASSWORD")).toBe(false);
    expect(v.extraEnv).toContain(JSON.stringify({ name: "TRINO_PASSWORD", valueFrom: { secretKeyRef: { name: "trino-users", key: "airflow" } } }));
  });

  it("npm run health's login stays out of arguments: the password goes from its file to curl's stdin", () => {
    const script = trinoNodesScript();
    expect(script).toContain(`printf 'user = "health:%s"\\n' "$(cat /etc/trino/health/password)" | curl -sS --fail -K -`);
    expect(script).toContain('--cacert /etc/trino/tls/ca.crt --resolve trino:8443:127.0.0.1 "https://trino:8443$1"');
  });

  it("a production stack registers the users' Secret, the certificate and a chart that reads both", async () => {
    const plan = await stackPlan("prod");
    const users = find(plan, "Secret", "trino-users");
    // Kept secret as a whole: each user's generated password, and the password file made from them.
    expect(users.inputs.stringData).toBe("[secret]");
    expect(TRINO_USERS.map((u) => find(plan, "RandomPassword", `trino-users-${u}`).inputs)).toEqual(TRINO_USERS.map(() => ({ length: 32, special: false })));
    const cert = find(plan, "Certificate", "trino-tls");
    expect(cert.inputs.spec.issuerRef.name).toBe("dataplatform-ca");
    const chart = find(plan, "Chart", "trino");
    expect(chart.options.dependsOn.some((u: string) => u.endsWith("Certificate::trino-tls"))).toBe(true);
    expect(chart.options.dependsOn.some((u: string) => u.endsWith("Secret::trino-users"))).toBe(true);
    const dev = await stackPlan("dev");
    expect(dev.resources.filter((r) => r.name === "trino-users" || r.name === "trino-tls")).toEqual([]);
  });

  it("an existing users' Secret is checked only when Trino runs tls", async () => {
    const read = async (_ns: string, name: string) => (name === "trino-users" ? ["admin"] : undefined);
    const platform = (stack: string) => {
      const p = loadPlatform(ROOT, stack, readStackFile(stack));
      p.config.credentials = { source: "generated", trinoUsers: "existing" } as any;
      return p;
    };
    await expect(checkExistingSecrets(platform("dev"), read)).resolves.toBeUndefined();
    await expect(checkExistingSecrets(platform("prod"), read)).rejects.toThrow(
      `credentials.trinoUsers: existing: Secret ${platform("prod").settings.namespace}/trino-users lacks keys airflow, dbt, health, lake-tables, password.db; it must hold admin, airflow, dbt, health, lake-tables, password.db`,
    );
  });
});
