import { spawnSync } from "node:child_process";
import { dbtConfig } from "../components/dbt/config";
import { dbtFlows, dbtManifests, projectFiles, runScript } from "../components/dbt/spec";
import { configMapKey as keyOf } from "../components/kit";
import { readEnvironment } from "./helpers";
import { sqlService } from "../components/starburst/contract";

/** The SQL engine dbt runs on, as its component publishes it. */
const SQL = sqlService("data-platform");

const NS = "data-platform";
const dbt = (e: string) => dbtConfig.parse(readEnvironment(e).dbt);

describe("dbt Job template", () => {
  const ms: any[] = dbtManifests(dbt("prod"), NS, SQL);
  const cronjob = ms.find((m) => m.kind === "CronJob");
  const pod = cronjob.spec.jobTemplate.spec.template.spec;

  it("ships the whole project, mapped back to its paths", () => {
    const files = projectFiles();
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        "dbt_project.yml",
        "profiles/profiles.yml",
        "models/marts/daily_revenue.sql",
        "models/staging/schema.yml",
        "macros/generate_schema_name.sql",
      ]),
    );
    expect(Object.keys(files).some((f) => f.startsWith("target/"))).toBe(false);
    const cm = ms.find((m) => m.kind === "ConfigMap");
    expect(cm.data[keyOf("models/marts/daily_revenue.sql")]).toBe(files["models/marts/daily_revenue.sql"]);
    const items = pod.volumes.find((v: any) => v.name === "project").configMap.items;
    expect(items).toContainEqual({ key: "models__marts__daily_revenue.sql", path: "models/marts/daily_revenue.sql" });
  });

  it("runs dbt build for the environment's target against the coordinator", () => {
    expect(cronjob.spec.suspend).toBe(true);
    const c = pod.containers[0];
    expect(c.command[2]).toBe(runScript());
    expect(runScript()).toContain('exec dbt build --project-dir /project --profiles-dir /project/profiles --target "$DBT_TARGET"');
    expect(runScript()).toContain("'dbt-trino==1.11.0'");
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: "DBT_TARGET", value: "prod" },
        { name: "TRINO_HOST", value: `trino.${NS}.svc.cluster.local` },
        { name: "DBT_TARGET_PATH", value: "/tmp/target" },
      ]),
    );
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it("builds only DBT_SELECT when the pipeline's DbtOperator sets it", () => {
    // The script's dbt line, run by a real shell with dbt replaced by a printer of its arguments.
    const line = runScript().split("\n").pop()!.replace("exec dbt ", "exec printf '%s\\n' ");
    const run = (env: Record<string, string>) =>
      spawnSync("sh", ["-c", line], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" })
        .stdout.trim()
        .split("\n");
    expect(run({ DBT_TARGET: "prod" })).toEqual(["build", "--project-dir", "/project", "--profiles-dir", "/project/profiles", "--target", "prod"]);
    expect(run({ DBT_TARGET: "dev", DBT_SELECT: "marts" }).slice(-4)).toEqual(["--target", "dev", "--select", "marts"]);
  });

  it("logs in with the user and password of dbt.credentialsSecret when one is named", () => {
    const env = (cfg: any) => (dbtManifests(cfg, NS, SQL).find((m: any) => m.kind === "CronJob") as any).spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env(dbt("dev"))).toContainEqual({ name: "TRINO_USER", value: "dbt" });
    expect(env(dbt("dev")).map((e: any) => e.name)).not.toContain("TRINO_PASSWORD");
    const securedCfg = dbtConfig.parse({ ...readEnvironment("dev").dbt, credentialsSecret: "trino-dbt-login", httpsPort: 8443, caConfigMap: "trino-ca" });
    const secured = env(securedCfg);
    expect(secured).toContainEqual({ name: "TRINO_PORT", value: "8443" });
    expect(secured).toContainEqual({ name: "REQUESTS_CA_BUNDLE", value: "/etc/platform/trino-ca/ca.crt" });
    expect(dbtFlows(securedCfg, SQL)).toEqual([{ from: { name: "dbt", component: "runner" }, to: { name: "trino", component: "coordinator" }, ports: [8443] }]);
    expect(dbtFlows(dbt("dev"), SQL)[0].ports).toEqual([8080]);
    expect(() => dbtConfig.parse({ ...readEnvironment("dev").dbt, credentialsSecret: "trino-dbt-login" })).toThrow(
      "is required with credentialsSecret: the coordinator's HTTPS port",
    );
    expect(() => dbtConfig.parse({ ...readEnvironment("dev").dbt, httpsPort: 8443 })).toThrow("is only read with credentialsSecret");
    expect(secured).toContainEqual({ name: "TRINO_USER", valueFrom: { secretKeyRef: { name: "trino-dbt-login", key: "user" } } });
    expect(secured).toContainEqual({ name: "TRINO_PASSWORD", valueFrom: { secretKeyRef: { name: "trino-dbt-login", key: "password" } } });
    expect(() => dbtConfig.parse({ ...readEnvironment("dev").dbt, credentialsSecret: "Not A Name" })).toThrow("must be the name of a Secret in the namespace");
  });

  it("reaches PyPI over HTTPS and nothing else outside the cluster", () => {
    const egress = ms.find((m) => m.kind === "NetworkPolicy");
    expect(egress.metadata.name).toBe("allow-dbt-pypi");
    expect(egress.spec.egress[0].ports).toEqual([{ protocol: "TCP", port: 443 }]);
  });
});
