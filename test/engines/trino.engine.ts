/**
 * Trino as the program deploys it: the plan's chart values rendered by the real Trino chart (the
 * pinned 1.42.0, with the Helm release the provider renders with), then a coordinator and a worker
 * started from the rendered Deployments, config files and catalogs. Trino refuses properties it does
 * not know at startup, so a start is itself a check of every file.
 *
 * Maven Central's newest Trino is 476 while the program pins the 479 image: the plan is made with
 * `starburst.version=476` (the program's own version switch), so the files are those a 476 gets.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { localChartProblem } from "../../components/kit/charts";
import { catalogs } from "../../components/starburst/spec";
import { FLAVORS } from "../../components/starburst/config";
import { section } from "../../infra/config/schema";
import { loadPlatform } from "../../infra/config/stack";
import { readStackFile } from "../../tools/plan";
import { stackContracts } from "../support/contracts";
import { trinoChart } from "../support/trino-chart";
import { eventually } from "../eventually";
import { ApiServer } from "./api-server";
import { engineFiles, javaHome, planOf, type PlannedObject, type Pod, renderChart, ROOT, Sandbox, type StartOptions } from "./harness";

/** The internal secret the test's Secret holds (a generated one in a real stack). */
const INTERNAL_SECRET = "engine-test-internal-secret-0123456789abcdef";
/**
 * The token a Trino node puts on its internal requests: a JWT (HS256) whose key is the SHA-256 of
 * the shared secret and whose subject is the calling node.
 */
function internalToken(secret: string, node = "trino-coordinator-0"): string {
  const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64url");
  const body = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify({ sub: node, exp: Math.floor(Date.now() / 1000) + 300 }))}`;
  const key = createHash("sha256").update(secret).digest();
  return `${body}.${b64(createHmac("sha256", key).update(body).digest())}`;
}

const STACKS = (process.env.DP_ENGINE_STACKS ?? "dev,prod").split(",");
export const TESTED_VERSION = 476;
const CHART = trinoChart();
/** The trinodb/trino image's entrypoint. */
const ENTRYPOINT = ["/usr/lib/trino/bin/run-trino"];

/** Keys defined more than once in a .properties text. */
export function duplicateKeys(text: string): string[] {
  const keys = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split("=")[0].trim());
  return [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
}

/** The image's libjvmkill.so is not on Maven Central: our stand-in (tools/engines/trino/jvmkill.c). */
function buildJvmkill(out: string): void {
  const include = path.join(path.dirname(fs.realpathSync(execFileSync("bash", ["-c", "command -v javac"], { encoding: "utf8" }).trim())), "..", "include");
  execFileSync("gcc", ["-shared", "-fPIC", "-O2", `-I${include}`, `-I${include}/linux`, "-o", out, path.join(ROOT, "tools", "engines", "trino", "jvmkill.c")]);
}

/** A statement through the coordinator's REST API, following nextUri to the end. */
async function query(coordinator: string, sql: string): Promise<unknown[][]> {
  const headers = { "X-Trino-User": "engine-test" };
  let res: any = await (await fetch(`http://${coordinator}:8080/v1/statement`, { method: "POST", body: sql, headers })).json();
  const rows: unknown[][] = [];
  for (;;) {
    if (res.error) throw new Error(`${sql}: ${res.error.message}`);
    rows.push(...(res.data ?? []));
    if (!res.nextUri) return rows;
    res = await (await fetch(res.nextUri, { headers })).json();
  }
}

for (const stack of STACKS) {
  describe(`Trino ${TESTED_VERSION} runs stack ${stack}'s chart, rendered from the plan`, () => {
    const sets = [`starburst.version=${TESTED_VERSION}`];
    const plan = planOf(stack, sets);
    const chart = plan.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "trino")!;
    const namespace: string = chart.inputs.namespace;
    // The same override as the plan's --set, as a config layer.
    const loaded = loadPlatform(ROOT, stack, readStackFile(stack), [{ source: "--set", values: { starburst: { version: TESTED_VERSION } } }]);
    const cfg = section(loaded.config, "starburst");
    let rendered: PlannedObject[];
    let sandbox: Sandbox;
    let coordinator: Pod;
    let worker: Pod;

    before(async () => {
      const pin = FLAVORS.trino;
      assert.equal(localChartProblem("chart", { name: pin.chart, version: pin.chartVersion, repo: pin.repo }, { path: CHART }, ROOT), undefined);
      rendered = renderChart(CHART, "trino", namespace, chart.inputs.values);
      sandbox = new Sandbox(`trino-${stack}`, [...plan, ...rendered], namespace);
      const server = path.join(engineFiles("trino"), `trino-server-${TESTED_VERSION}`);
      const bin = path.join(sandbox.dir, "image-bin");
      // As the image lays it out: the launcher, and beside it the libjvmkill.so that jvm.config loads.
      fs.cpSync(path.join(server, "bin"), bin, { recursive: true });
      buildJvmkill(path.join(bin, "libjvmkill.so"));
      for (const f of ["run-trino", "health-check"]) fs.copyFileSync(path.join(ROOT, "tools", "engines", "trino", f), path.join(bin, f));
      const opts: StartOptions = {
        image: [
          `${path.join(server, "lib")}:/usr/lib/trino/lib:ro`,
          `${path.join(server, "plugin")}:/usr/lib/trino/plugin:ro`,
          `${bin}:/usr/lib/trino/bin:ro`,
          `${path.join(server, "secrets-plugin")}:/usr/lib/trino/secrets-plugin:ro`,
          `${javaHome()}:/usr/lib/jvm/jdk:ro`,
        ],
        path: "/usr/lib/jvm/jdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        secrets: {
          "minio-credentials": { "root-user": "engine-test", "root-password": "engine-test-secret" },
          "trino-internal": { "shared-secret": INTERNAL_SECRET },
        },
        extraEnv: ["JAVA_HOME=/usr/lib/jvm/jdk"],
      };
      const deployment = (name: string) => rendered.find((r) => r.type.endsWith(":Deployment") && r.inputs.metadata.name === name)!.inputs;
      const withEntrypoint = (d: any) => ({
        ...d.spec.template,
        spec: {
          ...d.spec.template.spec,
          containers: d.spec.template.spec.containers.map((c: any, i: number) => (i === 0 ? { ...c, command: c.command ?? ENTRYPOINT } : c)),
        },
      });
      // The chart's Services (trino, trino-worker) already point at these addresses (Sandbox.ipFor).
      const coordinatorIp = sandbox.ipFor("trino-coordinator-0");
      sandbox.addHost(coordinatorIp, "trino-coordinator-0");
      coordinator = await sandbox.startPod("trino-coordinator-0", coordinatorIp, withEntrypoint(deployment("trino-coordinator")), opts);
      const workerIp = sandbox.ipFor("trino-worker-0");
      sandbox.addHost(workerIp, "trino-worker-0");
      worker = await sandbox.startPod("trino-worker-0", workerIp, withEntrypoint(deployment("trino-worker")), opts);
      await Promise.all([coordinator, worker].map((p) => p.waitForLog(/======== SERVER STARTED ========/, 300)));
    });
    after(async () => {
      await sandbox?.stopAll();
    });

    test("no rendered properties file defines a key twice", () => {
      const files = rendered
        .filter((r) => r.type.endsWith(":ConfigMap"))
        .flatMap((cm) =>
          Object.entries<string>(cm.inputs.data ?? {})
            .filter(([f]) => f.endsWith(".properties") || f === "jvm.config")
            .map(([f, text]) => ({ file: `${cm.inputs.metadata.name}/${f}`, text })),
        );
      assert.ok(files.length >= 6, files.map((f) => f.file).join(", "));
      assert.deepEqual(
        files.map((f) => ({ file: f.file, duplicates: duplicateKeys(f.text) })).filter((f) => f.duplicates.length),
        [],
      );
    });

    test("coordinator and worker start on every rendered file (Trino refuses unknown properties)", async () => {
      for (const p of [coordinator, worker]) assert.doesNotMatch(p.log(), /Configuration property '.*' was not used|Error: Configuration is invalid/, p.name);
      await coordinator.waitReady(60);
      await worker.waitReady(60);
    });

    test("the worker joined the coordinator", async () => {
      const deadline = Date.now() + 60_000;
      let nodes: unknown[][] = [];
      while (Date.now() < deadline) {
        nodes = await query(coordinator.ip, "SELECT coordinator, state FROM system.runtime.nodes ORDER BY coordinator");
        if (nodes.length === 2) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      assert.deepEqual(nodes, [
        [false, "active"],
        [true, "active"],
      ]);
    });

    test("the catalogs are exactly the ones the program configures", async () => {
      const shown = (await query(coordinator.ip, "SHOW CATALOGS")).map((r) => r[0]).sort();
      assert.deepEqual(shown, [...Object.keys(catalogs(cfg, stackContracts(stack, namespace))), "system"].sort());
    });

    test("queries run: on the one catalog that needs no metastore (system), and a computation", async () => {
      assert.deepEqual(await query(coordinator.ip, "SELECT count(*) FROM system.metadata.catalogs"), [
        [Object.keys(catalogs(cfg, stackContracts(stack, namespace))).length + 1],
      ]);
      assert.deepEqual(await query(coordinator.ip, "SELECT sum(x) FROM UNNEST(sequence(1, 1000)) AS t(x)"), [[500500]]);
    });

    test("internal communication is signed with the shared secret: the worker joined, and serves its task API to no one else", async () => {
      // The worker joined the coordinator above: both read the secret from the Secret through ${ENV:...}.
      for (const p of [coordinator, worker]) assert.doesNotMatch(p.log(), new RegExp(INTERNAL_SECRET), `${p.name} logs the secret`);
      const ask = (headers: Record<string, string>) => fetch(`http://${worker.ip}:8080/v1/task`, { headers: { "X-Trino-User": "admin", ...headers } });
      const anonymous = await ask({});
      const forged = await ask({ "X-Trino-Internal-Bearer": internalToken("made-up-secret") });
      const member = await ask({ "X-Trino-Internal-Bearer": internalToken(INTERNAL_SECRET) });
      console.log(
        `# the worker's task API: no internal token HTTP ${anonymous.status}, a token of another secret HTTP ${forged.status}, the cluster's HTTP ${member.status}`,
      );
      assert.ok([401, 403].includes(anonymous.status), `without the internal token: HTTP ${anonymous.status}`);
      assert.ok([401, 403].includes(forged.status), `with a token signed by another secret: HTTP ${forged.status}`);
      assert.equal(member.status, 200, "a token signed with the cluster's secret, as the coordinator signs its requests");
    });

    test("only the coordinator trusts forwarded headers: the worker refuses a request carrying X-Forwarded-For", async () => {
      const forwarded = { "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https" };
      const ask = async (ip: string) => (await fetch(`http://${ip}:8080/v1/info`, { headers: forwarded })).status;
      assert.equal(await ask(coordinator.ip), 200);
      assert.equal(await ask(worker.ip), 406);
    });

    test("npm run health asks the coordinator through the API server's pod proxy: its workers against the desired count, then none", async () => {
      const api = await ApiServer.open(`trino-${stack}`, [...plan, ...rendered]);
      try {
        await api.register("trino-coordinator", [coordinator]);
        await api.register("trino-worker", [worker]);
        const desired = rendered.find((r) => r.type.endsWith(":Deployment") && r.inputs.metadata.name === "trino-worker")!.inputs.spec.replicas;
        const report = await api.ask("trino");
        assert.deepEqual(report.facts, [`coordinator ${TESTED_VERSION} answers`, `1/${desired} workers active`], JSON.stringify(report));
        // One worker runs here: dev wants one (healthy), prod more (degraded, naming the shortfall).
        if (desired === 1) assert.deepEqual([report.state, report.problems], ["healthy", []]);
        else assert.deepEqual([report.state, report.problems], ["degraded", [`1 of ${desired} workers active`]]);
        await worker.stop();
        const none = await eventually("the coordinator to drop its worker", 120, async () => {
          const r = await api.ask("trino");
          return r.state === "down" ? r : undefined;
        });
        assert.deepEqual(none.problems, ["no active worker: queries cannot run"]);
        console.log(`# trino health with its worker gone: ${JSON.stringify(none)}`);
      } finally {
        await api.close();
      }
    });
  });
}
