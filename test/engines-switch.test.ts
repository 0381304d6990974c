/** Engines switched off, credentials from existing Secrets, and charts from a mirror or a local copy, under mocks. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../infra/config/load";
import { chartArgs, localChartProblem } from "../components/kit/charts";
import { planStack } from "../tools/plan";

const types = (plan: Awaited<ReturnType<typeof planStack>>) => plan.resources.map((r) => `${r.type.split(":").pop()}/${r.name}`);
const problemsOf = async (sets: string[]) => {
  try {
    await planStack({ stack: "dev", sets });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe("engines switched off", () => {
  it("plans no object of an engine that is off, and drops its outputs' flows", async () => {
    const plan = await planStack({ stack: "dev", sets: ["engines.airflow=false"] });
    expect(types(plan).some((t) => t.startsWith("Airflow/") || t === "Chart/airflow")).toBe(false);
    expect(types(plan)).toContain("StatefulSet/kafka-broker");
    const policies = plan.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs.metadata.name);
    expect(policies.filter((n: string) => n.startsWith("airflow"))).toEqual([]);
  });

  it("refuses an engine that is on while one it needs is off, naming both", async () => {
    const problems = await problemsOf(["engines.starburst=false"]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/engines\.starburst: is off, but dbt needs it/),
        expect.stringMatching(/engines\.starburst: is off, but airflow needs it/),
      ]),
    );
  });

  it("runs YARN without Kafka: its containers then reach only the lake", async () => {
    const plan = await planStack({ stack: "dev", sets: ["engines.kafka=false", "engines.spark=false", "engines.airflow=false"] });
    expect(types(plan)).toContain("StatefulSet/yarn-nodemanager");
    expect(types(plan).filter((t) => t.includes("kafka"))).toEqual([]);
    const nodeManager = plan.resources.find((r) => r.name === "allow-yarn-nodemanager")!.inputs.spec;
    const peers = nodeManager.egress.map((e: any) => e.to[0].podSelector.matchLabels["app.kubernetes.io/name"]);
    expect(peers).toContain("minio");
    expect(peers).not.toContain("kafka");
  });

  it("needs no section for an engine that is off", async () => {
    const plan = await planStack({ stack: "dev", sets: ["engines.airflow=false", "engines.dbt=false", "engines.impala=false"] });
    expect(types(plan)).not.toContain("CronJob/dbt");
  });
});

describe("credentials from existing Secrets", () => {
  it("generates and writes no credential whose source is existing", async () => {
    const plan = await planStack({ stack: "dev", sets: ["credentials.source=existing"] });
    expect(plan.resources.filter((r) => r.type.startsWith("random:"))).toEqual([]);
    expect(types(plan)).not.toContain("Secret/minio-credentials");
    expect(types(plan)).not.toContain("Secret/mysql-credentials");
    // Pods still read the same Secrets by name.
    const minio = plan.resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name === "minio")!;
    expect(JSON.stringify(minio.inputs)).toContain('"name":"minio-credentials"');
  });

  it("takes the source per credential", async () => {
    const plan = await planStack({ stack: "dev", sets: ["credentials.minio=existing"] });
    expect(types(plan)).not.toContain("Secret/minio-credentials");
    expect(types(plan)).toContain("Secret/mysql-credentials");
    expect(plan.resources.some((r) => r.name.startsWith("mysql-credentials-"))).toBe(true);
  });

  it("refuses an unknown source", async () => {
    expect(await problemsOf(["credentials.source=vault"])).toEqual([expect.stringMatching(/credentials\.source: must be "generated" or "existing"/)]);
    expect(await problemsOf(["credentials.mysql=vault"])).toEqual([
      '--set: credentials.mysql: must be "generated", "existing", or { secret, keys } naming an existing Secret (got "vault")',
    ]);
  });
});

describe("credentials from Secrets named per credential, with their own key names", () => {
  const named = [
    "credentials.minio.secret=lake-root",
    "credentials.minio.keys.root-user=access-key",
    "credentials.minio.keys.root-password=secret-key",
    "credentials.mysql.secret=metastore-db",
    "credentials.mysql.keys.password=hive-password",
    "credentials.airflow.secret=airflow-vault",
    "credentials.airflow.keys.admin-password=admin",
    "credentials.trino.secret=trino-vault",
    "credentials.trino.keys.shared-secret=internal",
    "credentials.minioUsers.secret=lake-users",
    "credentials.minioUsers.keys.trino-secret-key=trino-s3-secret",
  ];
  /** Every Secret reference anywhere in the plan, chart values included: env, volumes, the chart's secret names. */
  const references = (value: unknown, into = new Set<string>()): Set<string> => {
    if (typeof value === "string" && value.includes("secretKeyRef")) {
      for (const m of value.matchAll(/"secretKeyRef":\{"name":"([^"]+)","key":"([^"]+)"\}/g)) into.add(`${m[1]}/${m[2]}`);
    } else if (Array.isArray(value)) for (const v of value) references(v, into);
    else if (value && typeof value === "object") {
      const o = value as Record<string, any>;
      if (o.secretKeyRef) into.add(`${o.secretKeyRef.name}/${o.secretKeyRef.key}`);
      if (o.secret?.secretName) for (const item of o.secret.items ?? [{ key: "*" }]) into.add(`${o.secret.secretName}/${item.key}`);
      for (const [k, v] of Object.entries(o)) if (/SecretName$/.test(k) && typeof v === "string") into.add(`${v}/(chart)`);
      for (const v of Object.values(o)) references(v, into);
    }
    return into;
  };

  it("points every pod and chart at the named Secrets and keys, and writes none of them", async () => {
    const plan = await planStack({ stack: "dev", sets: named });
    const all = JSON.stringify(plan.resources.map((r) => r.inputs));
    for (const old of ["minio-credentials", "minio-users", "mysql-credentials", "airflow-credentials", "trino-internal"]) expect(all).not.toContain(old);
    expect(plan.resources.filter((r) => r.type.startsWith("random:"))).toEqual([]);
    expect(plan.resources.filter((r) => r.type === "kubernetes:core/v1:Secret")).toEqual([]);
    const refs = [...references(plan.resources.map((r) => r.inputs))].filter((r) => !r.startsWith("dbt") && !r.includes("git"));
    expect(refs.sort()).toEqual([
      "airflow-vault/(chart)",
      "airflow-vault/admin",
      "airflow-vault/connection",
      "airflow-vault/db-password",
      "lake-root/access-key",
      "lake-root/secret-key",
      ...["airflow-logs", "impala", "metastore", "spark", "trino", "yarn"].flatMap((c) => [
        `lake-users/${c}-access-key`,
        `lake-users/${c === "trino" ? "trino-s3" : c}-secret${c === "trino" ? "" : "-key"}`,
      ]),
      "metastore-db/hive-password",
      "metastore-db/root-password",
      "trino-vault/internal",
    ]);
    // Each client of the lake reads its own user from the named Secret (Trino's chart values included).
    const trino = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "trino")!;
    expect(trino.inputs.values.env).toEqual([
      { name: "S3_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "lake-users", key: "trino-access-key" } } },
      { name: "S3_SECRET_KEY", valueFrom: { secretKeyRef: { name: "lake-users", key: "trino-s3-secret" } } },
      { name: "TRINO_INTERNAL_SHARED_SECRET", valueFrom: { secretKeyRef: { name: "trino-vault", key: "internal" } } },
    ]);
    const airflow = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "airflow")!;
    expect([airflow.inputs.values.fernetKeySecretName, airflow.inputs.values.data.metadataSecretName]).toEqual(["airflow-vault", "airflow-vault"]);
  });

  it("keeps the components' names, so switching a credential's source moves no URN", async () => {
    const urns = async (sets: string[]) =>
      (await planStack({ stack: "dev", sets })).resources
        .filter((r) => r.type === "dataplatform:kit:Credentials")
        .map((r) => r.name)
        .sort();
    expect(await urns(named)).toEqual(await urns([]));
  });

  it("refuses a bad Secret name, a key a chart reads by name, a key the platform does not read, and keys without a Secret", async () => {
    expect(await problemsOf(["credentials.minio.secret=Lake_Root"])).toEqual([
      '--set: credentials.minio.secret: must be the name of a Secret in the namespace (got "Lake_Root")',
    ]);
    expect(await problemsOf(["credentials.airflow.secret=a", "credentials.airflow.keys.connection=conn"])).toEqual([
      "--set: credentials.airflow.keys.connection: unknown setting; allowed here: admin-password, db-password",
    ]);
    expect(await problemsOf(["credentials.mysql.secret=a", "credentials.mysql.keys.username=user"])).toEqual([
      "--set: credentials.mysql.keys.username: unknown setting; allowed here: password, root-password",
    ]);
    expect(await problemsOf(["credentials.minio.keys.root-user=access-key"])).toEqual([
      "environments/dev.yaml or Pulumi.dev.yaml or --set: credentials.minio.secret: is required: must be the name of a Secret in the namespace",
    ]);
  });
});

describe("chart sources", () => {
  const pinned = { name: "trino", version: "1.42.0", repo: "https://trinodb.github.io/charts" };
  it("defaults to the vendor's repository at the pinned version", () => {
    expect(chartArgs(pinned, undefined, "/p")).toEqual({ chart: "trino", version: "1.42.0", repositoryOpts: { repo: pinned.repo } });
  });
  it("takes a mirror repository or an OCI registry, keeping the pinned version", () => {
    expect(chartArgs(pinned, { repository: "https://mirror.example/charts" }, "/p")).toEqual({
      chart: "trino",
      version: "1.42.0",
      repositoryOpts: { repo: "https://mirror.example/charts" },
    });
    expect(chartArgs(pinned, { repository: "oci://registry.example/charts/" }, "/p")).toEqual({
      chart: "oci://registry.example/charts/trino",
      version: "1.42.0",
    });
  });
  it("takes a local directory relative to the project", () => {
    expect(chartArgs(pinned, { path: "vendor/trino" }, "/p")).toEqual({ chart: path.resolve("/p/vendor/trino") });
  });
  it("refuses both at once", async () => {
    expect(await problemsOf(["starburst.chart.path=x", "starburst.chart.repository=https://m.example"])).toEqual([
      expect.stringMatching(/starburst\.chart: set repository or path, not both/),
    ]);
  });

  describe("a local copy must be the pinned chart", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-charts-"));
    const chart = (name: string, version: string, packaged: boolean) => {
      const top = path.join(dir, `${name}-${version}`, name);
      fs.mkdirSync(path.join(top, "templates"), { recursive: true });
      // Archived before Chart.yaml (sorted by name), and longer than one block: the reader must skip it.
      fs.writeFileSync(path.join(top, ".helmignore"), "*.swp\n".repeat(200));
      fs.writeFileSync(path.join(top, "templates", "a.yaml"), "kind: ConfigMap\n");
      fs.writeFileSync(path.join(top, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
      if (!packaged) return top;
      execFileSync("tar", ["-czf", `${top}.tgz`, "-C", path.dirname(top), "--sort=name", name]);
      return `${top}.tgz`;
    };
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("accepts the pinned chart as a directory or a .tgz", () => {
      expect(localChartProblem("starburst.chart.path", pinned, { path: chart("trino", "1.42.0", false) }, "/p")).toBeUndefined();
      expect(localChartProblem("starburst.chart.path", pinned, { path: chart("trino", "1.42.0", true) }, "/p")).toBeUndefined();
    });
    it("names the setting, the path and both versions when the copy is another release", async () => {
      const older = chart("trino", "1.41.0", true);
      expect(await problemsOf([`starburst.chart.path=${older}`])).toEqual([
        `starburst.chart.path: ${older} holds chart trino 1.41.0, but this program pins chart trino 1.42.0`,
      ]);
    });
    it("refuses a missing path, a directory without Chart.yaml and another chart", () => {
      const check = (p: string) => localChartProblem("airflow.chart.path", pinned, { path: p }, dir);
      expect(check("nowhere")).toBe("airflow.chart.path: nowhere does not exist; it must be a directory or .tgz of chart trino 1.42.0");
      expect(check(".")).toBe("airflow.chart.path: . has no Chart.yaml; it must be a directory or .tgz of chart trino 1.42.0");
      expect(check(chart("airflow", "1.42.0", false))).toMatch(/holds chart airflow 1\.42\.0, but this program pins chart trino 1\.42\.0$/);
      fs.writeFileSync(path.join(dir, "broken.tgz"), "not gzip");
      expect(check("broken.tgz")).toMatch(/^airflow\.chart\.path: broken\.tgz cannot be read as a chart directory or \.tgz: /);
    });
  });
});

describe("existing Secrets are checked before anything is deployed", () => {
  const { checkExistingSecrets } = require("../infra/existing-secrets") as typeof import("../infra/existing-secrets");
  const { loadPlatform } = require("../infra/config/stack") as typeof import("../infra/config/stack");
  const { readStackFile } = require("../tools/plan") as typeof import("../tools/plan");
  const loaded = (credentials: object) =>
    loadPlatform(path.resolve(__dirname, ".."), "dev", { ...readStackFile("dev"), "dataplatform:credentials": JSON.stringify(credentials) });

  it("names the setting, the Secret and the keys when a Secret is missing or incomplete", async () => {
    const secrets: Record<string, string[]> = { "minio-credentials": ["root-user"] };
    const read = async (_ns: string, name: string) => secrets[name];
    await expect(checkExistingSecrets(loaded({ source: "existing", airflow: "generated", minioUsers: "generated" }), read)).rejects.toMatchObject({
      problems: [
        "credentials.source: existing: Secret data-platform/minio-credentials lacks keys root-password; it must hold root-password, root-user",
        "credentials.source: existing: Secret data-platform/mysql-credentials does not exist; create it with keys password, root-password (or set credentials.source: generated)",
        "credentials.source: existing: Secret data-platform/trino-internal does not exist; create it with keys shared-secret (or set credentials.source: generated)",
      ],
    });
  });

  it("checks the named Secret for the renamed keys", async () => {
    const read = async (_ns: string, name: string) => (name === "lake-root" ? ["access-key", "unrelated"] : undefined);
    await expect(
      checkExistingSecrets(loaded({ minio: { secret: "lake-root", keys: { "root-user": "access-key", "root-password": "secret-key" } } }), read),
    ).rejects.toMatchObject({
      problems: ["credentials.minio: existing: Secret data-platform/lake-root lacks keys secret-key; it must hold access-key, secret-key"],
    });
  });

  it("passes when every Secret has its keys, and reads nothing for generated credentials", async () => {
    const asked: string[] = [];
    const read = async (_ns: string, name: string) => {
      asked.push(name);
      return ["root-user", "root-password"];
    };
    await checkExistingSecrets(loaded({ minio: "existing" }), read);
    expect(asked).toEqual(["minio-credentials"]);
  });
});
