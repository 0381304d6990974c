/**
 * `npm run health` against the real control plane, after a real `pulumi up` of dev. There is no
 * scheduler and no kubelet: the test does their part, as they would through the API (a Node
 * registered, each pod bound to it, its status reported ready or not); the controllers then count the
 * pods, the Services get endpoints, and health reads all of that.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type * as k8s from "@kubernetes/client-node";
import { main } from "../../tools/health";
import type { Stack } from "@pulumi/pulumi/automation";
import { PROXY_REFUSED } from "../../infra/engine-health";
import { clients, createExistingSecrets, eventually, openStack, provisionVolumes, stopwatch, useToolchain } from "./harness";

const STACK = "dev";
const NODE = `e2e-health-${Date.now().toString(36)}`;

/** What a kubelet reports for a pod: running, ready or not, with an address. */
async function reportPod(core: k8s.CoreV1Api, namespace: string, pod: k8s.V1Pod, ready: boolean, ip: string): Promise<void> {
  const now = new Date();
  const condition = (type: string, status: boolean) => ({ type, status: status ? "True" : "False", lastTransitionTime: now });
  const fresh = await core.readNamespacedPod({ name: pod.metadata!.name!, namespace });
  fresh.status = {
    phase: "Running",
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
    conditions: [condition("PodScheduled", true), condition("Initialized", true), condition("ContainersReady", ready), condition("Ready", ready)],
    containerStatuses: fresh.spec!.containers.map((c) => ({
      name: c.name,
      image: c.image!,
      imageID: "",
      ready,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: now } },
    })),
  };
  await core.replaceNamespacedPodStatus({ name: pod.metadata!.name!, namespace, body: fresh });
}

let addresses = 0;

/** Binds every workload pod not yet bound and reports it running and ready, as the scheduler and a kubelet would. */
async function runPods(core: k8s.CoreV1Api, namespace: string): Promise<void> {
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: "app.kubernetes.io/part-of=data-platform" })).items;
  // Jobs' pods run to completion; only the workloads' pods report ready.
  const serving = pods.filter((p) => !p.spec?.nodeName && p.metadata?.ownerReferences?.some((o) => o.kind === "StatefulSet" || o.kind === "ReplicaSet"));
  for (const p of serving) {
    const name = p.metadata!.name!;
    await core.createNamespacedPodBinding({ name, namespace, body: { metadata: { name }, target: { apiVersion: "v1", kind: "Node", name: NODE } } });
    addresses += 1;
    await reportPod(core, namespace, p, true, `10.244.${Math.floor(addresses / 250)}.${(addresses % 250) + 2}`);
  }
}

/** The Kubernetes level unless `engineLevel` (these pods' addresses answer nothing: the engine checks would wait out their timeouts). */
async function health(workDir: string, engineLevel: string[] = ["--kubernetes-only"]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    ["--stack", STACK, "--dir", workDir, "--json", ...engineLevel],
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, report: out.length ? JSON.parse(out.join("\n")) : undefined, err: err.join("\n") };
}

describe(`npm run health on stack ${STACK} on a real control plane`, () => {
  const namespace = `e2e-health-${Date.now().toString(36)}`;
  const { core, apps } = clients();
  let workDir: string;
  let stack: Stack;
  const { timings, timed } = stopwatch();

  before(async () => {
    useToolchain();
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await createExistingSecrets(core, namespace);
    const opened = await openStack(STACK, namespace);
    workDir = opened.workDir;
    stack = opened.stack;
    const result = await timed("up", () => opened.stack.up());
    assert.equal(result.summary.result, "succeeded");
  });
  after(async () => {
    console.log(`# health timings (s): ${JSON.stringify(timings)}`);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await core.deleteNode({ name: NODE }).catch(() => undefined);
  });

  test("right after up, with no pod running: down (exit 2), every workload named with 0 ready", async () => {
    const { code, report } = await timed("health down", () => health(workDir));
    assert.equal(code, 2);
    assert.equal(report.state, "down");
    const broker = report.workloads.find((w: { name: string }) => w.name === "kafka-broker");
    assert.deepEqual([broker.state, broker.ready, broker.desired], ["down", 0, 1]);
    assert.ok(broker.problems.includes("0/1 pods ready"), JSON.stringify(broker));
    assert.ok(report.workloads.length >= 10, `${report.workloads.length} workloads`);
  });

  test("every pod ready and every claim bound: healthy (exit 0)", async () => {
    await provisionVolumes(core, namespace);
    // A kubelet registers its Node; the scheduler binds each pod to it (endpoints need a pod's node).
    await core.createNode({ body: { metadata: { name: NODE } } });
    let last: Awaited<ReturnType<typeof health>> | undefined;
    const notHealthy = () => JSON.stringify(last?.report?.workloads.filter((w: { state: string }) => w.state !== "healthy"));
    const healthy = await timed("health healthy", () =>
      eventually("a healthy report", 90, async () => {
        // Pods a controller made since (a ReplicaSet retrying) are bound and reported too.
        await runPods(core, namespace);
        last = await health(workDir);
        return last.code === 0 ? last : undefined;
      }),
    ).catch((e) => {
      throw new Error(`${(e as Error).message}; still not healthy: ${notHealthy()}`);
    });
    assert.equal(healthy.report.state, "healthy");
    assert.ok(healthy.report.workloads.every((w: { state: string; ready: number; desired: number }) => w.state === "healthy" && w.ready === w.desired));
  });

  test("the engine level: without apiServerCidrs only Kafka is asked (by exec); with them each engine through the API server's pod proxy; one that does not answer is unknown", async () => {
    const engines = ["hdfs", "impala", "kafka", "minio", "spark", "trino", "yarn", "zookeeper"];
    // The default-deny NetworkPolicies would drop the proxied requests: those engines are not asked.
    const refused = await timed("health engines, no apiServerCidrs", () => health(workDir, ["--timeout", "2"]));
    assert.equal(refused.code, 0, `${refused.err}\n${JSON.stringify(refused.report?.engines)}`);
    assert.deepEqual(refused.report.engines.map((e: { engine: string }) => e.engine).sort(), engines);
    for (const e of refused.report.engines) {
      assert.equal(e.state, "unknown", JSON.stringify(e));
      assert.deepEqual(e.problems, [e.engine === "kafka" ? e.problems[0] : PROXY_REFUSED], JSON.stringify(e));
    }
    assert.match(refused.report.engines.find((e: { engine: string }) => e.engine === "kafka").problems[0], /^no answer: /);

    await stack.setConfig("dataplatform:apiServerCidrs[0]", { value: "10.0.0.0/28" }, true);
    const { code, report, err } = await timed("health engines", () => health(workDir, ["--timeout", "2"]));
    assert.equal(code, 0, `${err}\n${JSON.stringify(report?.engines)}`);
    assert.deepEqual(report.engines.map((e: { engine: string }) => e.engine).sort(), engines);
    for (const e of report.engines) {
      assert.equal(e.state, "unknown", JSON.stringify(e));
      assert.match(e.problems[0], /^no answer: /, JSON.stringify(e));
    }
    console.log(`# engine level against pods with no engine behind them: ${JSON.stringify(report.engines[0])}`);
    await stack.removeConfig("dataplatform:apiServerCidrs", true);
  });

  test("a worker short: degraded (exit 1), naming it; the broker not ready: down (exit 2)", async () => {
    // Someone scales the Spark workers to 2: the new pod never becomes ready.
    const workers = await apps.readNamespacedDeployment({ name: "spark-worker", namespace });
    workers.spec!.replicas = 2;
    await apps.replaceNamespacedDeployment({ name: "spark-worker", namespace, body: workers });
    const degraded = await eventually("a degraded report", 90, async () => {
      const r = await health(workDir);
      return r.code === 1 ? r : undefined;
    });
    assert.equal(degraded.report.state, "degraded");
    // As an operator reads it.
    const table: string[] = [];
    assert.equal(
      await main(
        ["--stack", STACK, "--dir", workDir, "--kubernetes-only"],
        (l) => table.push(l),
        () => undefined,
      ),
      1,
    );
    console.log(table.map((l) => `# ${l}`).join("\n"));
    const worker = degraded.report.workloads.find((w: { name: string }) => w.name === "spark-worker");
    assert.deepEqual([worker.state, worker.problems], ["degraded", ["1/2 pods ready"]]);

    const [broker] = (await core.listNamespacedPod({ namespace, labelSelector: "app.kubernetes.io/component=broker" })).items;
    await reportPod(core, namespace, broker, false, broker.status!.podIP!);
    const down = await eventually("a down report", 90, async () => {
      const r = await health(workDir);
      return r.code === 2 ? r : undefined;
    });
    const entry = down.report.workloads.find((w: { name: string }) => w.name === "kafka-broker");
    assert.equal(entry.state, "down");
    assert.ok(entry.problems.includes("0/1 pods ready"), JSON.stringify(entry));
  });
});
