/** The lake's users: one per client, scoped to its prefixes; the root credentials stay inside MinIO's own pods. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { minioConfig } from "../components/minio/config";
import { minioManifests, setupScript } from "../components/minio/spec";
import { keyVariables, LAKE_CLIENTS, rootLoginLines, userPolicy } from "../components/minio/users";
import { readEnvironment } from "./helpers";
import { stackPlan } from "./support/stack-plans";

const NS = "data-platform";

describe("MinIO's users", () => {
  it("give each client its own prefixes only: table clients the warehouse, Airflow its logs", () => {
    expect(LAKE_CLIENTS).toEqual({
      trino: ["warehouse"],
      spark: ["warehouse"],
      yarn: ["warehouse"],
      impala: ["warehouse"],
      metastore: ["warehouse"],
      "airflow-logs": ["airflow-logs"],
    });
    expect(userPolicy("data-lake", ["warehouse"]).Statement).toEqual([
      { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: ["arn:aws:s3:::data-lake/warehouse/*"] },
      {
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: ["arn:aws:s3:::data-lake"],
        Condition: { StringLike: { "s3:prefix": ["warehouse", "warehouse/*"] } },
      },
      { Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: ["arn:aws:s3:::data-lake"] },
    ]);
  });

  it("are made by MinIO's setup Job, which passes no credential as an argument", () => {
    const script = setupScript({ security: "plaintext" }, NS);
    // The root login goes into mc's config through printf (a shell builtin), never `mc alias set ... <password>`.
    expect(script).not.toContain("mc alias set");
    // The mc image has no sed or grep: the script calls neither.
    expect(script).not.toMatch(/\b(sed|grep)\b/);
    for (const client of Object.keys(LAKE_CLIENTS) as (keyof typeof LAKE_CLIENTS)[]) {
      const v = keyVariables(client);
      // A secret key reaches mc on stdin; only the access key (the user's name) is an argument.
      expect(script).toContain(`printf '%s\\n' "$${v.secret}" | mc admin user add lake "$${v.access}"`);
      expect(script).toContain(`mc admin policy create lake lake-${client} /tmp/lake-${client}.json`);
    }
    const commands = script.split("\n").filter((l) => /^\s*mc /.test(l) || l.includes("| mc "));
    expect(commands.filter((l) => /SECRET_KEY"?\s*$|ROOT_PASSWORD/.test(l.split("| mc ")[1] ?? l))).toEqual([]);
    const job: any = minioManifests(minioConfig.parse(readEnvironment("dev").minio), NS).find((m) => m.kind === "Job");
    expect(job.spec.template.spec.containers[0].env.map((e: any) => e.valueFrom?.secretKeyRef?.name ?? e.name).sort()).toEqual(
      ["MC_CONFIG_DIR", "minio-credentials", "minio-credentials", ...Array(12).fill("minio-users")].sort(),
    );
  });

  it("write mc's login as valid JSON, and refuse a root credential JSON would need escaped", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-mc-login-"));
    const login = (password: string) =>
      spawnSync("/bin/sh", ["-c", rootLoginLines("http://minio:9000").join("\n")], {
        env: { PATH: process.env.PATH, MC_CONFIG_DIR: dir, MINIO_ROOT_USER: "root", MINIO_ROOT_PASSWORD: password },
        encoding: "utf8",
      });
    try {
      const password = "pa$s wo'rd-Zq8x";
      expect(login(password).status).toBe(0);
      expect(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")).aliases.lake).toEqual({
        url: "http://minio:9000",
        accessKey: "root",
        secretKey: password,
        api: "s3v4",
        path: "auto",
      });
      for (const bad of ['pa"ss', "pa\\ss"]) {
        const r = login(bad);
        expect([r.status, r.stderr.trim()]).toEqual([
          1,
          "the root credentials hold \" or \\, which this Job cannot write into mc's config: use other characters",
        ]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leave the root credentials to MinIO's own pods: no other pod or chart of a production stack reads them", async () => {
    const plan = await stackPlan("prod");
    const readers = plan.resources
      .filter((r) => JSON.stringify(r.inputs).includes('"minio-credentials"'))
      .filter((r) => !r.type.startsWith("dataplatform:") && r.type !== "kubernetes:core/v1:Secret")
      .map((r) => `${r.type.split(":").pop()}/${r.name}`)
      .sort();
    expect(readers.map((r) => r.replace(/-[0-9a-f]{8}$/, ""))).toEqual(["Job/minio-buckets", "StatefulSet/minio"]);
  });
});
