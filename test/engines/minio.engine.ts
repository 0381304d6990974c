/**
 * MinIO as the program renders it: the server from the planned StatefulSet, then the planned setup
 * Job (the bucket, one user and policy per client) run with the real mc against it. What the server
 * then allows each client's user is asked over S3, with the user's own keys.
 *
 * MinIO publishes RELEASE.* tags the Go module proxy does not serve: the server and mc are built
 * from the newest commits the proxy resolves (tools/engines/minio/build.sh).
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { DATA_LAKE_BUCKET } from "../../components/minio/config";
import { accessKeyOf, LAKE_CLIENTS, LAKE_USER_CREDENTIALS } from "../../components/minio/users";
import type { LakeClient } from "../../components/kit/contracts";
import { planned, planOf, type Pod, ROOT, Sandbox, type StartOptions } from "./harness";

const STACKS = (process.env.DP_ENGINE_STACKS ?? "dev").split(",").filter((s) => s === "dev");
const BIN = "/opt/minio/bin";
const ROOT_CREDENTIALS = { "root-user": "engine-test-root", "root-password": "engine-test-root-password-0123" };
const secretKeyOf = (client: LakeClient, round = 1) => `engine-test-${client}-secret-${round}`;
const users = (round = 1) =>
  Object.fromEntries(
    (Object.keys(LAKE_CLIENTS) as LakeClient[]).flatMap((c) => [
      [`${c}-access-key`, accessKeyOf(c)],
      [`${c}-secret-key`, secretKeyOf(c, round)],
    ]),
  );

function minioBin(): string {
  return path.join(
    execFileSync("bash", [path.join(ROOT, "tools", "engines", "minio", "build.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim(),
    "bin",
  );
}

for (const stack of STACKS) {
  describe(`MinIO runs stack ${stack}'s rendered server and setup Job; each client's user reaches only its prefixes`, () => {
    const plan = planOf(stack);
    const sts = planned(plan, "StatefulSet", "minio");
    const namespace: string = sts.metadata.namespace;
    const job = plan.find((r) => r.type.endsWith(":Job") && r.inputs.metadata.name.startsWith("minio-buckets-"))!.inputs;
    let sandbox: Sandbox;
    let server: Pod;
    let bin: string;
    let opts: StartOptions;
    let jobOpts: StartOptions;
    const config = fs.mkdtempSync(path.join(os.tmpdir(), "dp-mc-"));

    /** mc on this machine as a client's user: keys in MC_HOST_<alias>, as any S3 client would present them. */
    const mcAs = (access: string, secret: string, args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const env = { ...process.env, MC_CONFIG_DIR: config, [`MC_HOST_as`]: `http://${access}:${secret}@${server.ip}:9000` };
        execFile(path.join(bin, "mc"), ["--no-color", ...args], { env }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
        );
      });
    const put = (client: LakeClient, key: string, round = 1) => {
      const file = path.join(config, "object");
      fs.writeFileSync(file, `${client} wrote ${key}\n`);
      return mcAs(accessKeyOf(client), secretKeyOf(client, round), ["cp", file, `as/${DATA_LAKE_BUCKET}/${key}`]);
    };
    const get = (client: LakeClient, key: string) => mcAs(accessKeyOf(client), secretKeyOf(client), ["cat", `as/${DATA_LAKE_BUCKET}/${key}`]);

    before(async () => {
      bin = minioBin();
      sandbox = new Sandbox(`minio-${stack}`, plan, namespace);
      opts = {
        image: [`${bin}:${BIN}:ro`],
        path: `${BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        secrets: { "minio-credentials": ROOT_CREDENTIALS, [LAKE_USER_CREDENTIALS.secret]: users() },
      };
      [server] = await sandbox.startStatefulSet("minio", opts);
      await server.waitReady(120);
      // The setup Job runs with what the mc image has on its PATH: mc, a shell and coreutils (no sed,
      // no grep), so a script that needs more fails here as it would in the cluster.
      const coreutils = path.join(config, "image-bin");
      fs.mkdirSync(coreutils);
      for (const tool of ["cat", "mkdir", "sleep", "ls", "rm", "cp", "mv", "head", "tail", "tr", "cut", "env", "id", "touch", "chmod", "getent"]) {
        fs.symlinkSync(execFileSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(), path.join(coreutils, tool));
      }
      jobOpts = { ...opts, image: [...opts.image, `${coreutils}:/opt/image-bin:ro`], path: `${BIN}:/opt/image-bin` };
    });
    after(async () => {
      await sandbox?.stopAll();
      fs.rmSync(config, { recursive: true, force: true });
    });

    test("the setup Job makes the bucket and every client's user, and runs again without harm", async () => {
      for (const round of [1, 2]) {
        const result = await sandbox.runJob(job, jobOpts);
        assert.equal(result.code, 0, `run ${round}:\n${result.log.split("\n").slice(-30).join("\n")}`);
      }
      const listed = await mcAs(ROOT_CREDENTIALS["root-user"], ROOT_CREDENTIALS["root-password"], ["admin", "user", "list", "as", "--json"]);
      const found = listed.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { accessKey: string; policyName?: string; userStatus: string });
      assert.deepEqual(
        found.map((u) => [u.accessKey, u.policyName, u.userStatus]).sort(),
        (Object.keys(LAKE_CLIENTS) as LakeClient[]).map((c) => [accessKeyOf(c), `lake-${c}`, "enabled"]).sort(),
      );
    });

    test("each table client reads and writes the warehouse, and is refused Airflow's logs, the bucket's root and admin calls", async () => {
      const tableClients: LakeClient[] = ["trino", "spark", "yarn", "impala", "metastore"];
      for (const client of tableClients) assert.equal((await put(client, `warehouse/${client}/part-0`)).code, 0, client);
      // They share the tables: each reads what another wrote.
      for (const client of tableClients) assert.match((await get(client, "warehouse/spark/part-0")).out, /spark wrote/, client);
      assert.equal((await put("airflow-logs", "airflow-logs/dag/run/1.log")).code, 0);
      const refusals = [
        await put("trino", "airflow-logs/forged.log"),
        await get("trino", "airflow-logs/dag/run/1.log"),
        await put("trino", "outside/anything"),
        await mcAs(accessKeyOf("trino"), secretKeyOf("trino"), ["ls", `as/${DATA_LAKE_BUCKET}/`]),
        await mcAs(accessKeyOf("trino"), secretKeyOf("trino"), ["mb", "as/another-bucket"]),
        await mcAs(accessKeyOf("trino"), secretKeyOf("trino"), ["admin", "user", "list", "as"]),
        await get("airflow-logs", "warehouse/spark/part-0"),
      ];
      for (const r of refusals) {
        assert.notEqual(r.code, 0, r.out);
        assert.match(r.out, /Access Denied|AccessDenied|Insufficient permissions|not allowed/i);
      }
      console.log(`# minio: ${refusals.length} calls outside a user's prefixes refused, e.g. "${refusals[0].out.trim().split("\n").pop()}"`);
    });

    test("a wrong secret key is refused; a new one takes effect when the setup Job runs again", async () => {
      assert.match((await put("trino", "warehouse/t/x", 2)).out, /Access Denied|SignatureDoesNotMatch|InvalidAccessKeyId|does not match/i);
      sandbox.updateSecret(LAKE_USER_CREDENTIALS.secret, users(2));
      const result = await sandbox.runJob(job, { ...jobOpts, secrets: { ...opts.secrets, [LAKE_USER_CREDENTIALS.secret]: users(2) } });
      assert.equal(result.code, 0, result.log);
      assert.equal((await put("trino", "warehouse/t/x", 2)).code, 0);
      assert.notEqual((await put("trino", "warehouse/t/y", 1)).code, 0, "the old key is refused");
    });
  });
}
