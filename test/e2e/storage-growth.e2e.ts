/**
 * Growing a volume on a real control plane, through the real engine: the brokers' claims sit on a
 * StorageClass that lets claims expand, each bound to a volume as a provisioner would bind it; then
 * `kafka.storage.size` doubles. The preview shows one replacement (the broker StatefulSet); the `up`
 * grows every claim, recreates the StatefulSet with the new template, and deletes no pod: the new
 * StatefulSet adopts the running ones. Prod by default (its StatefulSets are protected).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as k8s from "@kubernetes/client-node";
import type { Stack } from "@pulumi/pulumi/automation";
import { quantityBytes } from "../../components/kit/quantity";
import { boundClaims, clients, createExistingSecrets, eventually, openStack, provisionVolumes, stopwatch, useToolchain } from "./harness";

const STACK = process.env.DP_E2E_GROWTH_STACK ?? "prod";
const BROKERS = "kafka-broker";

/** The broker pods by name: their UIDs, owners and revision, as the API server holds them. */
async function brokerPods(core: k8s.CoreV1Api, namespace: string) {
  const pods = (await core.listNamespacedPod({ namespace })).items.filter((p) => p.metadata!.name!.startsWith(`${BROKERS}-`));
  return new Map(
    pods.map((p) => [
      p.metadata!.name!,
      {
        uid: p.metadata!.uid!,
        owner: p.metadata!.ownerReferences?.find((o) => o.controller)?.uid,
        revision: p.metadata!.labels!["controller-revision-hash"],
      },
    ]),
  );
}

/** Every other workload's spec generation: what the growth must leave alone. */
async function generations(apps: k8s.AppsV1Api, namespace: string) {
  const all = [...(await apps.listNamespacedStatefulSet({ namespace })).items, ...(await apps.listNamespacedDeployment({ namespace })).items];
  return new Map(all.filter((w) => w.metadata!.name !== BROKERS).map((w) => [`${w.kind ?? ""}${w.metadata!.name}`, w.metadata!.generation]));
}

describe(`growing kafka.storage of stack ${STACK} on a real control plane`, () => {
  const namespace = `e2e-grow-${Date.now().toString(36)}`;
  const storageClass = `dp-expandable-${namespace}`;
  const { core, apps, storage } = clients();
  let stack: Stack;
  let size: string;
  const { timings, timed } = stopwatch();

  before(async () => {
    useToolchain();
    // Claims on this class may grow; the control plane has no volume plugin, so no volume is resized on a disk.
    await storage.createStorageClass({ body: { metadata: { name: storageClass }, provisioner: "dataplatform.io/e2e-none", allowVolumeExpansion: true } });
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await createExistingSecrets(core, namespace);
    stack = (await openStack(STACK, namespace)).stack;
    await stack.setConfig("dataplatform:kafka.storage.storageClass", { value: storageClass }, true);
  });
  after(async () => {
    console.log(`# storage growth timings (s): ${JSON.stringify(timings)}`);
    await storage.deleteStorageClass({ name: storageClass }).catch(() => undefined);
  });

  test("pulumi up, with a volume bound to each broker claim", async () => {
    const result = await timed("up", () => stack.up());
    assert.equal(result.summary.result, "succeeded");
    const sts = await apps.readNamespacedStatefulSet({ name: BROKERS, namespace });
    size = String(sts.spec!.volumeClaimTemplates![0].spec!.resources!.requests!.storage);
    const claims = Array.from({ length: sts.spec!.replicas! }, (_, i) => `data-${BROKERS}-${i}`);
    await eventually("the brokers' claims", 60, async () => {
      const made = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items.map((c) => c.metadata!.name!);
      return claims.every((c) => made.includes(c)) ? true : undefined;
    });
    await provisionVolumes(core, namespace, (c) => claims.includes(c));
    await boundClaims(core, namespace, claims);
  });

  test("doubling kafka.storage.size: the preview replaces only the broker StatefulSet, and says how", async () => {
    const doubled = `${(quantityBytes(size)! * 2) / 2 ** 30}Gi`;
    await stack.setConfig("dataplatform:kafka.storage.size", { value: doubled }, true);
    const changed = new Set<string>();
    const said: string[] = [];
    await timed("preview", () =>
      stack.preview({
        onEvent: (e) => {
          const step = e.resourcePreEvent?.metadata;
          if (step && step.op !== "same") changed.add(`${step.type} ${step.urn.split("::").pop()}`);
          if (e.diagnosticEvent?.severity === "info") said.push(e.diagnosticEvent.message.trim());
        },
      }),
    );
    assert.deepEqual([...changed], [`kubernetes:apps/v1:StatefulSet ${BROKERS}`]);
    assert.ok(
      said.some(
        (m) => m.startsWith(`kafka.storage: claims data-${BROKERS}-0`) && m.includes(`grow from ${size} to ${doubled}; StatefulSet ${BROKERS} is recreated`),
      ),
      said.join(" | "),
    );
    // A preview changes nothing.
    const claim = await core.readNamespacedPersistentVolumeClaim({ name: `data-${BROKERS}-0`, namespace });
    assert.equal(claim.spec!.resources!.requests!.storage, size);
  });

  test("pulumi up grows every claim and recreates the StatefulSet around its pods: none is deleted or restarted", async () => {
    const before = await apps.readNamespacedStatefulSet({ name: BROKERS, namespace });
    const podsBefore = await brokerPods(core, namespace);
    assert.equal(podsBefore.size, before.spec!.replicas);
    const othersBefore = await generations(apps, namespace);
    const result = await timed("growth up", () => stack.up());
    assert.equal(result.summary.result, "succeeded");
    assert.deepEqual(
      Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => op !== "same"),
      [["replace", 1]],
    );

    const doubled = `${(quantityBytes(size)! * 2) / 2 ** 30}Gi`;
    const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items.filter((c) => c.metadata!.name!.startsWith(`data-${BROKERS}-`));
    assert.deepEqual(
      claims.map((c) => [c.metadata!.name, c.spec!.resources!.requests!.storage]).sort(),
      [...podsBefore.keys()].map((p) => [`data-${p}`, doubled]).sort(),
    );
    const recreated = await apps.readNamespacedStatefulSet({ name: BROKERS, namespace });
    assert.notEqual(recreated.metadata!.uid, before.metadata!.uid, "a new StatefulSet");
    assert.equal(recreated.spec!.volumeClaimTemplates![0].spec!.resources!.requests!.storage, doubled);
    assert.equal(recreated.metadata!.annotations!["dataplatform.io/volume-growth"], `data: ${size} -> ${doubled}`);
    assert.deepEqual(recreated.spec!.template, before.spec!.template);
    // The same pods, adopted by the new StatefulSet, on the revision it runs: nothing to roll.
    const adopted = await eventually("the pods adopted on the current revision", 60, async () => {
      const sts = await apps.readNamespacedStatefulSet({ name: BROKERS, namespace });
      const pods = await brokerPods(core, namespace);
      const settled = [...pods.values()].every((p) => p.owner === recreated.metadata!.uid && p.revision === sts.status?.updateRevision);
      return settled ? pods : undefined;
    });
    assert.deepEqual([...adopted].map(([n, p]) => [n, p.uid]).sort(), [...podsBefore].map(([n, p]) => [n, p.uid]).sort(), "no pod was deleted");
    assert.deepEqual(
      [...adopted.values()].map((p) => p.revision),
      [...podsBefore.values()].map((p) => p.revision),
      "no pod changes revision",
    );
    assert.deepEqual(await generations(apps, namespace), othersBefore, "no other workload changed");
  });

  test("a growth run that stopped after deleting the StatefulSet is completed by the next up, despite production's protect", async () => {
    // As if a run growing the volumes again had stopped right after its orphaning delete: the claims
    // grown, the StatefulSet gone, its pods running, and the state still holding the old one.
    const tripled = `${(quantityBytes(size)! * 3) / 2 ** 30}Gi`;
    await stack.setConfig("dataplatform:kafka.storage.size", { value: tripled }, true);
    const podsBefore = await brokerPods(core, namespace);
    const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    for (const pod of podsBefore.keys()) {
      await core.patchNamespacedPersistentVolumeClaim(
        { name: `data-${pod}`, namespace, body: { spec: { resources: { requests: { storage: tripled } } } } },
        merge,
      );
    }
    await apps.deleteNamespacedStatefulSet({ name: BROKERS, namespace, propagationPolicy: "Orphan" });
    await eventually("the StatefulSet gone", 60, async () =>
      (await apps.listNamespacedStatefulSet({ namespace })).items.some((x) => x.metadata!.name === BROKERS) ? undefined : true,
    );
    const result = await timed("recovery up", () => stack.up());
    assert.equal(result.summary.result, "succeeded");
    const back = await apps.readNamespacedStatefulSet({ name: BROKERS, namespace });
    assert.equal(back.spec!.volumeClaimTemplates![0].spec!.resources!.requests!.storage, tripled);
    const adopted = await eventually("the pods adopted again", 60, async () => {
      const pods = await brokerPods(core, namespace);
      return [...pods.values()].every((p) => p.owner === back.metadata!.uid) ? pods : undefined;
    });
    assert.deepEqual([...adopted].map(([n, p]) => [n, p.uid]).sort(), [...podsBefore].map(([n, p]) => [n, p.uid]).sort(), "no pod was deleted");
  });

  test("the next pulumi up changes nothing and protects the StatefulSet again", async () => {
    const result = await timed("noop-up", () => stack.up());
    assert.deepEqual(
      Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => op !== "same"),
      [],
    );
    const state = (await stack.exportStack()).deployment as { resources: { urn: string; type: string; protect?: boolean }[] };
    const sts = state.resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.urn.endsWith(`::${BROKERS}`));
    assert.equal(sts?.protect ?? false, STACK === "prod", "protected again in production");
  });
});
