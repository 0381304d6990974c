/**
 * The README's disaster-recovery runbook, step by step, on a control plane of its own: deploy a
 * stack whose claims are bound to retained volumes, export the volume inventory, lose the cluster's
 * data (a new etcd), then recreate the Secrets, restore the volumes, refresh and up. Everything must
 * come back under the same names, with the same pinned identities, each claim on its old volume.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type * as k8s from "@kubernetes/client-node";
import type { Stack } from "@pulumi/pulumi/automation";
import { boundClaims, clients, createExistingSecrets, eventually, kubeconfigOf, openStack, provisionVolumes, ROOT, stopwatch, useToolchain } from "./harness";

const STACK = process.env.DP_E2E_DR_STACK ?? "prod";
const CLUSTER = "e2e-dr";
const KUBECONFIG = kubeconfigOf(CLUSTER);

function controlPlane(command: "up" | "down" | "wipe"): void {
  execFileSync("bash", [path.join(ROOT, "tools", "toolchain", "control-plane.sh"), command], {
    env: { ...process.env, DP_CLUSTER: CLUSTER, DP_PORT_OFFSET: "1000" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** The runbook's `npm run volumes -- ...`, as a user types it in the project directory. */
function volumesCommand(args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync("npm", ["run", "--silent", "volumes", "--", ...args], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { code: 0, output };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, output: `${err.stdout}${err.stderr}` };
  }
}

/** The claims the StatefulSets ask for: <template>-<statefulset>-<ordinal>. */
async function expectedClaims(apps: k8s.AppsV1Api, namespace: string): Promise<string[]> {
  const claims: string[] = [];
  for (const sts of (await apps.listNamespacedStatefulSet({ namespace })).items) {
    for (const template of sts.spec!.volumeClaimTemplates ?? []) {
      for (let i = 0; i < (sts.spec!.replicas ?? 1); i++) claims.push(`${template.metadata!.name}-${sts.metadata!.name}-${i}`);
    }
  }
  return claims.sort();
}

/** The names of the namespace's objects the program makes, by kind. */
async function objectNames(core: k8s.CoreV1Api, apps: k8s.AppsV1Api, namespace: string): Promise<Record<string, string[]>> {
  const names = (items: { metadata?: k8s.V1ObjectMeta }[]) => items.map((i) => i.metadata!.name!).sort();
  return {
    StatefulSet: names((await apps.listNamespacedStatefulSet({ namespace })).items),
    Deployment: names((await apps.listNamespacedDeployment({ namespace })).items),
    Service: names((await core.listNamespacedService({ namespace })).items),
    ConfigMap: names((await core.listNamespacedConfigMap({ namespace })).items.filter((c) => c.metadata!.name !== "kube-root-ca.crt")),
    Secret: names((await core.listNamespacedSecret({ namespace })).items),
    ServiceAccount: names((await core.listNamespacedServiceAccount({ namespace })).items.filter((s) => s.metadata!.name !== "default")),
  };
}

/** The pinned identities as the workloads carry them. */
async function clusterIds(apps: k8s.AppsV1Api, namespace: string): Promise<Record<string, string | undefined>> {
  const env = async (sts: string, name: string) => {
    const spec = (await apps.readNamespacedStatefulSet({ name: sts, namespace })).spec!.template.spec!;
    return [...(spec.initContainers ?? []), ...spec.containers].flatMap((c) => c.env ?? []).find((e) => e.name === name)?.value;
  };
  return { kafka: await env("kafka-broker", "KAFKA_CLUSTER_ID"), hdfs: await env("hdfs-namenode", "HDFS_CLUSTER_ID") };
}

describe(`disaster recovery of stack ${STACK}: the runbook brings a wiped cluster back`, () => {
  const namespace = `e2e-dr-${Date.now().toString(36)}`;
  let stack: Stack;
  let workDir: string;
  let inventoryFile: string;
  let vault: Record<string, Record<string, string>>;
  let outputs: Record<string, unknown>;
  let names: Record<string, string[]>;
  let ids: Record<string, string | undefined>;
  let volumes: Map<string, string>;
  let claims: string[];
  const { timings, timed } = stopwatch();

  before(async () => {
    useToolchain();
    controlPlane("wipe");
    controlPlane("up");
    const { core } = clients(KUBECONFIG);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    vault = await createExistingSecrets(core, namespace);
    ({ stack, workDir } = await openStack(STACK, namespace, KUBECONFIG));
    inventoryFile = path.join(workDir, "volumes.json");
  });
  after(() => {
    console.log(`# disaster recovery timings (s): ${JSON.stringify(timings)}`);
    controlPlane("down");
  });

  test("pulumi up, and a retained volume bound to every claim the StatefulSets make", async () => {
    const { core, apps } = clients(KUBECONFIG);
    const result = await timed("up", () => stack.up());
    assert.equal(result.summary.result, "succeeded");
    outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
    claims = await expectedClaims(apps, namespace);
    assert.ok(claims.length >= 10, `claims: ${claims.join(", ")}`);
    await eventually("the StatefulSets' claims", 60, async () => {
      const made = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items.map((c) => c.metadata!.name!);
      return claims.every((c) => made.includes(c)) ? true : undefined;
    });
    await provisionVolumes(core, namespace);
    volumes = await boundClaims(core, namespace, claims);
    names = await objectNames(core, apps, namespace);
    ids = await clusterIds(apps, namespace);
    assert.match(String(ids.kafka), /^[A-Za-z0-9_-]{22}$/);
    assert.match(String(ids.hdfs), /^CID-/);
    assert.equal(ids.kafka, outputs.kafkaClusterId);
    assert.equal(ids.hdfs, outputs.hdfsClusterId);
  });

  test("runbook, before a disaster: npm run volumes -- export records every claim's volume", () => {
    const { code, output } = volumesCommand(["export", "--stack", STACK, "--dir", workDir, "--retain", "--out", inventoryFile]);
    assert.equal(code, 0, output);
    const inventory = JSON.parse(fs.readFileSync(inventoryFile, "utf8"));
    assert.equal(inventory.namespace, namespace);
    assert.deepEqual(
      new Map(inventory.volumes.map((v: { claim: string; volume: { metadata: { name: string } } }) => [v.claim, v.volume.metadata.name])),
      new Map(claims.map((c) => [c, volumes.get(c)])),
    );
  });

  test("the disaster: etcd's data is gone, and the namespace with it", async () => {
    controlPlane("wipe");
    controlPlane("up");
    const { core } = clients(KUBECONFIG);
    await assert.rejects(core.readNamespace({ name: namespace }), (e: { code?: number }) => e.code === 404);
    assert.deepEqual((await core.listPersistentVolume()).items, []);
  });

  test("runbook: Secrets from the vault, volumes restored, refresh, up: the same platform is back", async () => {
    const { core, apps } = clients(KUBECONFIG);
    // 1. Existing credentials only: the namespace and the Secrets, as the vault sync makes them.
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await createExistingSecrets(core, namespace, vault);
    // 2. The volumes, pre-bound to their claims' names.
    const restored = volumesCommand(["restore", "--stack", STACK, "--dir", workDir, inventoryFile]);
    assert.equal(restored.code, 0, restored.output);
    // 3. pulumi refresh: the state forgets what the cluster lost.
    const refresh = await timed("refresh", () => stack.refresh());
    assert.equal(refresh.summary.result, "succeeded");
    assert.ok((refresh.summary.resourceChanges?.delete ?? 0) > 0, JSON.stringify(refresh.summary.resourceChanges));
    // 4. pulumi up: everything again.
    const up = await timed("recovery up", () => stack.up());
    assert.equal(up.summary.result, "succeeded");
    assert.ok((up.summary.resourceChanges?.create ?? 0) > 0, JSON.stringify(up.summary.resourceChanges));
    assert.deepEqual(Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value])), outputs);
    assert.deepEqual(await objectNames(core, apps, namespace), names);
    assert.deepEqual(await clusterIds(apps, namespace), ids);
    assert.deepEqual(await boundClaims(core, namespace, claims), volumes, "each claim is bound to its old volume");
  });

  test("after the recovery, a second pulumi up changes nothing", async () => {
    const result = await timed("noop-up", () => stack.up());
    const changes = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => op !== "same");
    assert.deepEqual(changes, []);
  });
});
