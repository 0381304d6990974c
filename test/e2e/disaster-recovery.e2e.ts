/**
 * The README's disaster-recovery drill on a control plane of its own, with `npm run backup` and
 * `npm run restore` as a user runs them: deploy; back up (no snapshot API: skipped, said so); delete
 * the namespace; restore from the retained volumes. Then with the CSI snapshot API installed: back up
 * with snapshots; wipe etcd and lose the stack's state as well; restore from the snapshots. Each time
 * the same objects, outputs, cluster IDs and claim names are back, and a further `up` changes nothing.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import type * as k8s from "@kubernetes/client-node";
import type { Stack } from "@pulumi/pulumi/automation";
import { kubeConfigFor } from "../../infra/cluster";
import { main as restore } from "../../tools/restore";
import { DRIVER, installSnapshotApi, whileCsiRuns } from "./csi";
import {
  boundClaims,
  clients,
  createExistingSecrets,
  eventually,
  installCertManager,
  kubeconfigOf,
  openStack,
  program,
  provisionVolumes,
  pulumiEnv,
  ROOT,
  stopwatch,
  useToolchain,
} from "./harness";

const STACK = process.env.DP_E2E_DR_STACK ?? "prod";
const CLUSTER = "e2e-dr";
const KUBECONFIG = kubeconfigOf(CLUSTER);

function controlPlane(command: "up" | "down" | "wipe"): void {
  execFileSync("bash", [path.join(ROOT, "tools", "toolchain", "control-plane.sh"), command], {
    env: { ...process.env, DP_CLUSTER: CLUSTER, DP_PORT_OFFSET: "1000" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** `npm run <tool> -- ...` as a user types it in the project directory, with the stack's passphrase set. */
async function npmRun(tool: string, args: string[], workDir: string, extraEnv: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const env = { ...process.env, ...pulumiEnv(workDir), ...extraEnv };
  try {
    const r = await promisify(execFile)("npm", ["run", "--silent", tool, "--", ...args], { cwd: ROOT, env, encoding: "utf8", maxBuffer: 1 << 26 });
    return { code: 0, output: `${r.stdout}${r.stderr}` };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, output: `${err.stdout}${err.stderr}` };
  }
}

/** `npm run restore` in this process, so its `pulumi up` runs the program without readiness waits (no kubelet here). */
async function restoreRun(args: string[], workDir: string): Promise<{ code: number; output: string; steps: string }> {
  Object.assign(process.env, pulumiEnv(workDir));
  const lines: string[] = [];
  const steps: string[] = [];
  const code = await restore(
    args,
    (l) => {
      lines.push(l);
      steps.push(l);
    },
    (l) => lines.push(l),
    program,
  );
  return { code, output: lines.join("\n"), steps: steps.join("\n") };
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
    PersistentVolumeClaim: names((await core.listNamespacedPersistentVolumeClaim({ namespace })).items),
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

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
/** A command's output in the test log, as the README shows it. */
const show = (title: string, output: string) => console.log(`# ${title}\n${output.trimEnd().replace(/^/gm, "#   ")}`);

describe(`disaster recovery of stack ${STACK}: backup, then restore after a deleted namespace and after a wiped cluster`, () => {
  const namespace = `e2e-dr-${Date.now().toString(36)}`;
  let stack: Stack;
  let workDir: string;
  let vault: Record<string, Record<string, string>>;
  let outputs: Record<string, unknown>;
  let names: Record<string, string[]>;
  let ids: Record<string, string | undefined>;
  let volumes: Map<string, string>;
  let claims: string[];
  const backups = { plain: "", snapshots: "" };
  const { timings, timed } = stopwatch();

  /** The platform as it was before the disaster: same objects, outputs and IDs; `sameVolumes` also each claim on its old volume. */
  async function assertPlatformBack(sameVolumes: boolean) {
    const { core, apps } = clients(KUBECONFIG);
    const bound = await boundClaims(core, namespace, claims);
    assert.deepEqual(await objectNames(core, apps, namespace), names);
    assert.deepEqual(await clusterIds(apps, namespace), ids);
    if (sameVolumes) assert.deepEqual(bound, volumes, "each claim is bound to its old volume");
    const noop = await timed(`noop-up-${sameVolumes ? "volumes" : "snapshots"}`, () => stack.up());
    assert.deepEqual(noop.outputs && Object.fromEntries(Object.entries(noop.outputs).map(([k, v]) => [k, v.value])), outputs);
    assert.deepEqual(
      Object.entries(noop.summary.resourceChanges ?? {}).filter(([op]) => op !== "same"),
      [],
    );
  }

  before(async () => {
    useToolchain();
    controlPlane("wipe");
    controlPlane("up");
    const { core } = clients(KUBECONFIG);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    vault = await createExistingSecrets(core, namespace);
    ({ stack, workDir } = await openStack(STACK, namespace, KUBECONFIG));
    backups.plain = path.join(workDir, "backup-1");
    backups.snapshots = path.join(workDir, "backup-2");
  });
  after(() => {
    console.log(`# disaster recovery timings (s): ${JSON.stringify(timings)}`);
    controlPlane("down");
  });

  test("pulumi up, and a retained CSI volume bound to every claim the StatefulSets make", async () => {
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
    await provisionVolumes(core, namespace, undefined, DRIVER);
    volumes = await boundClaims(core, namespace, claims);
    names = await objectNames(core, apps, namespace);
    ids = await clusterIds(apps, namespace);
    assert.equal(ids.kafka, outputs.kafkaClusterId);
    assert.equal(ids.hdfs, outputs.hdfsClusterId);
  });

  test("npm run backup on a cluster without the snapshot API: state, stack file, identities, sealed Secrets, volumes; snapshots skipped, said so", async () => {
    // A passphrase that does not open the stack's encryptionsalt stops the backup before it writes anything.
    const wrong = await npmRun("backup", ["--stack", STACK, "--dir", workDir, "--out", backups.plain], workDir, {
      PULUMI_CONFIG_PASSPHRASE: "not-the-stack-passphrase",
    });
    assert.equal(wrong.code, 2, wrong.output);
    assert.match(wrong.output, /Pulumi\.\w+\.yaml: the passphrase in PULUMI_CONFIG_PASSPHRASE is not this stack's/);
    assert.equal(fs.existsSync(backups.plain), false);
    const { code, output } = await timed("backup", () => npmRun("backup", ["--stack", STACK, "--dir", workDir, "--out", backups.plain], workDir));
    assert.equal(code, 0, output);
    show("npm run backup", output);
    assert.match(output, /snapshots skipped: the cluster offers no VolumeSnapshot API \(snapshot\.storage\.k8s\.io\/v1/);
    const manifest = readJson(path.join(backups.plain, "backup.json"));
    assert.deepEqual(manifest.identities, { kafkaClusterId: outputs.kafkaClusterId, hdfsClusterId: outputs.hdfsClusterId });
    assert.equal(manifest.namespace, namespace);
    assert.deepEqual(manifest.snapshots.records, []);
    const state = readJson(path.join(backups.plain, "state.json"));
    const statefulSets = state.deployment.resources.filter((r: { type: string }) => r.type === "kubernetes:apps/v1:StatefulSet");
    assert.equal(statefulSets.length, names.StatefulSet.length);
    const inventory = readJson(path.join(backups.plain, "volumes.json"));
    assert.deepEqual(
      new Map(inventory.volumes.map((v: { claim: string; volume: { metadata: { name: string } } }) => [v.claim, v.volume.metadata.name])),
      volumes,
    );
    // The vault's values are in the backup only sealed: neither as text nor as base64.
    const sealed = fs.readFileSync(path.join(backups.plain, "secrets.sealed.json"), "utf8");
    for (const value of Object.values(vault).flatMap((s) => Object.values(s))) {
      assert.ok(!sealed.includes(value) && !sealed.includes(Buffer.from(value).toString("base64")), "a Secret's value in clear");
    }
    assert.equal(fs.statSync(path.join(backups.plain, "secrets.sealed.json")).mode & 0o077, 0);

    // A volume recorded with reclaim policy Delete and gone since: its disk went with it, so it is
    // named as a problem, not made again pointing at nothing.
    const lostVolume = { ...inventory.volumes[0].volume, metadata: { ...inventory.volumes[0].volume.metadata, name: "pv-deleted-with-its-disk" } };
    lostVolume.spec = { ...lostVolume.spec, persistentVolumeReclaimPolicy: "Delete" };
    const file = path.join(workDir, "lost-inventory.json");
    fs.writeFileSync(file, JSON.stringify({ ...inventory, volumes: [{ claim: "data-lost-0", volume: lostVolume }] }));
    const lost = await npmRun("volumes", ["restore", "--stack", STACK, "--dir", workDir, file], workDir);
    assert.equal(lost.code, 1, lost.output);
    assert.match(lost.output, /problem: volume pv-deleted-with-its-disk of \S+\/data-lost-0 is gone and had reclaim policy Delete when it was recorded/);
    const { core } = clients(KUBECONFIG);
    assert.equal(
      (await core.listPersistentVolume()).items.some((v) => v.metadata!.name === "pv-deleted-with-its-disk"),
      false,
    );
  });

  test("the namespace is deleted: npm run restore brings the Secrets, the retained volumes and the platform back", async () => {
    const { core } = clients(KUBECONFIG);
    await core.deleteNamespace({ name: namespace });
    await eventually("the namespace gone", 120, async () =>
      (await core.listNamespace()).items.some((n) => n.metadata!.name === namespace) ? undefined : true,
    );
    const released = (await core.listPersistentVolume()).items.filter((v) => v.status?.phase === "Released");
    assert.equal(released.length, claims.length);

    const wrong = await restoreRun(["--stack", STACK, "--dir", workDir, "--from", backups.plain, "--volumes", "snapshots"], workDir);
    assert.equal(wrong.code, 2, wrong.output);
    assert.match(wrong.output, /--volumes snapshots, but the backup took none/);

    const restored = await timed("restore-namespace", () => restoreRun(["--stack", STACK, "--dir", workDir, "--from", backups.plain], workDir));
    const { code, output } = restored;
    assert.equal(code, 0, output);
    show("npm run restore (namespace deleted)", restored.steps);
    assert.match(output, /state of stack \w+: present in the backend/);
    assert.match(output, new RegExp(`namespace ${namespace}: made again`));
    for (const claim of claims) assert.match(output, new RegExp(`${claim}: volume \\S+ freed for its new claim`));
    assert.match(output, /pulumi refresh: succeeded; pulumi up: succeeded, \d+ made again/);
    for (const [name, values] of Object.entries(vault)) {
      const secret = await core.readNamespacedSecret({ namespace, name });
      assert.deepEqual(Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()])), values);
    }
    await assertPlatformBack(true);

    // Run again, the restore finds everything in place and changes nothing.
    const again = await restoreRun(["--stack", STACK, "--dir", workDir, "--from", backups.plain], workDir);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, new RegExp(`namespace ${namespace}: present`));
    for (const claim of claims) assert.match(again.output, new RegExp(`${claim}: volume \\S+ already Bound`));
    assert.match(again.output, /pulumi up: succeeded, 0 made again/);
  });

  test("with the CSI snapshot API: npm run backup snapshots every data volume, each kept past its namespace", async () => {
    const kc = kubeConfigFor({ kubeconfig: KUBECONFIG });
    await installSnapshotApi(kc, "Delete");
    const run = npmRun("backup", ["--stack", STACK, "--dir", workDir, "--out", backups.snapshots, "--wait", "120"], workDir);
    const { code, output } = await timed("backup-snapshots", () => whileCsiRuns(kc, namespace, run));
    assert.equal(code, 0, output);
    show("npm run backup (snapshots)", output);
    const records = readJson(path.join(backups.snapshots, "backup.json")).snapshots.records;
    assert.deepEqual(
      records.map((r: { claim: string }) => r.claim),
      claims,
    );
    for (const r of records) assert.match(output, new RegExp(`${r.claim}: snapshot content ${r.content} switched to deletionPolicy Retain`));
  });

  test("the namespace is deleted again: npm run restore --volumes snapshots gives the retained snapshot contents to new snapshots", async () => {
    const { core } = clients(KUBECONFIG);
    await core.deleteNamespace({ name: namespace });
    await eventually("the namespace gone", 120, async () =>
      (await core.listNamespace()).items.some((n) => n.metadata!.name === namespace) ? undefined : true,
    );
    const kc = kubeConfigFor({ kubeconfig: KUBECONFIG });
    const run = restoreRun(["--stack", STACK, "--dir", workDir, "--from", backups.snapshots, "--volumes", "snapshots"], workDir);
    const restored = await timed("restore-namespace-snapshots", () => whileCsiRuns(kc, namespace, run));
    assert.equal(restored.code, 0, restored.output);
    for (const claim of claims) {
      assert.match(restored.output, new RegExp(`${claim}: retained snapshot content \\S+ given to its snapshot again`));
      assert.match(restored.output, new RegExp(`${claim}: claim made from snapshot ${claim}-`));
    }
    await assertPlatformBack(false);
  });

  test("etcd wiped, the stack's state and its stack file lost: npm run restore --volumes snapshots brings the same platform back", async () => {
    controlPlane("wipe");
    controlPlane("up");
    fs.rmSync(path.join(workDir, "state"), { recursive: true, force: true });
    fs.mkdirSync(path.join(workDir, "state"));
    const stackFile = path.join(workDir, `Pulumi.${STACK}.yaml`);
    const stackText = fs.readFileSync(stackFile, "utf8");
    fs.rmSync(stackFile);
    const kc = kubeConfigFor({ kubeconfig: KUBECONFIG });
    // The new cluster runs the snapshot controller again; the snapshots' contents are lost with etcd.
    await installSnapshotApi(kc, "Retain");
    const args = ["--stack", STACK, "--dir", workDir, "--from", backups.snapshots, "--volumes", "snapshots"];
    // cert-manager is not back yet: the program stops before registering anything, naming it.
    const early = await whileCsiRuns(kc, namespace, restoreRun(args, workDir));
    assert.equal(early.code, 4, early.output);
    assert.match(early.output, /kafka\.security: tls needs cert-manager, but the cluster serves no certificates\.cert-manager\.io/);
    await installCertManager(KUBECONFIG);
    // Run again, the restore takes up where it stopped.
    const run = restoreRun(args, workDir);
    const restored = await timed("restore-wiped", () => whileCsiRuns(kc, namespace, run));
    const { code, output } = restored;
    assert.equal(code, 0, output);
    show("npm run restore --volumes snapshots (etcd wiped, state lost; first run stopped for cert-manager)", `${early.steps}\n${restored.steps}`);
    // The first run brought the state, the stack file, the snapshots and the claims back; the second found them.
    assert.match(early.output, /state of stack \w+: imported from the backup/);
    assert.match(early.output, new RegExp(`Pulumi\\.${STACK}\\.yaml was missing: copied from the backup`));
    assert.match(output, /state of stack \w+: present in the backend/);
    assert.equal(fs.readFileSync(stackFile, "utf8"), stackText);
    for (const claim of claims) {
      assert.match(early.output, new RegExp(`${claim}: snapshot content \\S+ made again from handle`));
      assert.match(early.output, new RegExp(`${claim}: claim made from snapshot ${claim}-`));
      assert.match(output, new RegExp(`${claim}: already made from snapshot ${claim}-`));
    }
    const { core } = clients(KUBECONFIG);
    for (const pvc of (await core.listNamespacedPersistentVolumeClaim({ namespace })).items) {
      assert.equal(pvc.spec?.dataSource?.kind, "VolumeSnapshot", pvc.metadata!.name);
    }
    await assertPlatformBack(false);
  });
});
