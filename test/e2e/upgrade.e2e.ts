/**
 * Upgrading a deployed stack replaces nothing: the program of an earlier commit (DP_UPGRADE_FROM,
 * by default the last one before the engines met through contracts) is deployed by its own harness
 * in a worktree, then this program previews against that state with the real engine. Every object
 * keeps its name, type and parent: the preview may create and update, never replace or delete.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { trinoChart } from "../support/trino-chart";
import { randomBytes } from "node:crypto";
import { HADOOP_KEYSTORE_CREDENTIALS } from "../../components/kit/hadoop-tls";
import { clients, clientUserSecrets, createExistingSecrets, installCertManager, ROOT, selectStack, stopwatch, useToolchain } from "./harness";

const FROM = process.env.DP_UPGRADE_FROM ?? "712ada77f5c36c728ac9e10149f6f6801a79f839";
const STACKS = (process.env.DP_UPGRADE_STACKS ?? "dev,prod").split(",");

/** Deploys the earlier commit's program with that commit's harness; returns the stack's work directory. */
function deployEarlier(worktree: string, stack: string, namespace: string): string {
  const script = [
    'const h = require("./test/e2e/harness");',
    "(async () => {",
    "  h.useToolchain();",
    "  const { core } = h.clients();",
    `  await core.createNamespace({ body: { metadata: { name: ${JSON.stringify(namespace)} } } });`,
    `  await h.createExistingSecrets(core, ${JSON.stringify(namespace)});`,
    `  const { stack, workDir } = await h.openStack(${JSON.stringify(stack)}, ${JSON.stringify(namespace)});`,
    "  const r = await stack.up();",
    "  console.log(JSON.stringify({ workDir, result: r.summary.result }));",
    "})().catch((e) => { console.error(e); process.exit(1); });",
  ].join("\n");
  const out = execFileSync(process.execPath, ["--require", "ts-node/register/transpile-only", "-e", script], {
    cwd: worktree,
    encoding: "utf8",
    env: { ...process.env, DP_TRINO_CHART: trinoChart() },
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = JSON.parse(out.trim().split("\n").pop()!);
  assert.equal(last.result, "succeeded", "the earlier program deployed");
  return last.workDir;
}

describe(`upgrading from ${FROM.slice(0, 7)}`, () => {
  let worktree: string;
  const { timings, timed } = stopwatch();
  before(() => {
    useToolchain();
    worktree = fs.mkdtempSync(path.join(os.tmpdir(), "dp-upgrade-from-"));
    // A shallow clone lacks the earlier commit: fetch it from where this clone came from.
    try {
      execFileSync("git", ["-C", ROOT, "cat-file", "-e", `${FROM}^{commit}`], { stdio: "ignore" });
    } catch {
      execFileSync("git", ["-C", ROOT, "fetch", "--quiet", "--depth=1", "origin", FROM], { stdio: "inherit" });
    }
    execFileSync("git", ["-C", ROOT, "worktree", "add", "--detach", worktree, FROM], { stdio: "ignore" });
    // The earlier commit runs on this checkout's installed packages.
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(worktree, "node_modules"));
  });
  after(() => {
    execFileSync("git", ["-C", ROOT, "worktree", "remove", "--force", worktree], { stdio: "ignore" });
    console.log(`# upgrade timings (s): ${JSON.stringify(timings)}`);
  });

  for (const name of STACKS) {
    test(`stack ${name}: the preview creates and updates, and replaces or deletes nothing`, async () => {
      const namespace = `e2e-up-${name}-${Date.now().toString(36)}`;
      const earlierDir = await timed(`${name} earlier up`, async () => deployEarlier(worktree, name, namespace));
      // What this version asks of a stack with existing credentials and TLS, as its preflight names
      // them: Trino's internal secret, the clients' users (MinIO's, Trino's), the Hadoop key store
      // password (tls stacks), and cert-manager with the platform's issuer.
      await createExistingSecrets(clients().core, namespace, {
        "trino-internal": { "shared-secret": randomBytes(24).toString("hex") },
        ...clientUserSecrets(),
        ...(name === "dev" ? {} : { [HADOOP_KEYSTORE_CREDENTIALS.secret]: { password: randomBytes(24).toString("hex") } }),
      });
      await installCertManager();
      // This program, on the state and stack file the earlier one left.
      const stack = await selectStack(name, earlierDir);
      const ops = new Map<string, string[]>();
      /** Each resource's step, by its URN in the earlier state (an aliased one's old URN) and its new one. */
      const stepOf = new Map<string, string>();
      const preview = await timed(`${name} preview`, () =>
        stack.preview({
          onEvent: (e) => {
            const step = e.resourcePreEvent?.metadata;
            if (!step) return;
            ops.set(step.op, [...(ops.get(step.op) ?? []), `${step.type.split(":").pop()}/${step.urn.split("::").pop()}`]);
            stepOf.set(step.urn, step.op);
            if (step.old?.urn) stepOf.set(step.old.urn, step.op);
          },
        }),
      );
      const summary = preview.changeSummary as Record<string, number>;
      // A run-once Job is named after its spec (<prefix>-<hash>): a changed script makes a successor
      // under the same prefix, and the finished Job it follows goes. Nothing else may go.
      const prefix = (job: string) => job.replace(/-[0-9a-f]{8}$/, "");
      const successors = new Set((ops.get("create") ?? []).filter((c) => c.startsWith("Job/")).map(prefix));
      const deleted = (ops.get("delete") ?? []).filter((d) => !(d.startsWith("Job/") && successors.has(prefix(d))));
      assert.deepEqual(deleted, [], "no delete but a Job's predecessor");
      for (const op of ["replace", "create-replacement", "delete-replaced"]) {
        assert.deepEqual(ops.get(op) ?? [], [], `no ${op}`);
        assert.equal(summary[op] ?? 0, 0, `no ${op} in the summary`);
      }
      // The preview matched the earlier state: each of its resources is kept (the same, or updated:
      // releases since ${FROM} wire new credentials into every client, turn TLS on engine by engine and
      // add metrics agents) or is a Job's predecessor, and only what the earlier program did not have
      // is created. A state it did not match would show its resources deleted and created again.
      const earlier: string[] = ((await stack.exportStack()).deployment.resources ?? []).map((r: { urn: string }) => r.urn);
      assert.deepEqual(
        earlier.filter((urn) => !["same", "update", "delete"].includes(stepOf.get(urn) ?? "")).map((urn) => `${urn}: ${stepOf.get(urn) ?? "no step"}`),
        [],
        `every earlier resource kept (${JSON.stringify(summary)})`,
      );
      assert.deepEqual(
        earlier.filter((urn) => stepOf.get(urn) === "create"),
        [],
        "nothing the earlier program had is created again",
      );
      console.log(`# ${name} preview after ${FROM.slice(0, 7)}: ${JSON.stringify(summary)}`);
      await clients()
        .core.deleteNamespace({ name: namespace })
        .catch(() => undefined);
    });
  }
});
