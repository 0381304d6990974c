/**
 * The CSI parts a cluster with snapshots runs, done by the test through the API as they would be:
 * the snapshot CRDs themselves (the snapshot controller project's, from the toolchain), the snapshot
 * controller and CSI sidecar's part (a VolumeSnapshot gets its content and is reported ready), and
 * the provisioner's part for a claim made from a snapshot (a new volume, bound to it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import * as YAML from "yaml";
import { readIfExists } from "../../infra/cluster";
import { TOOLCHAIN } from "./harness";

export const DRIVER = "hostpath.csi.e2e.dataplatform.io";
const API = { group: "snapshot.storage.k8s.io", version: "v1" };
const CRDS = path.join(TOOLCHAIN, "crds", "snapshot-v8.2.0");

// Objects of the snapshot CRDs, read as the CRDs define them.
type Obj = Record<string, any>;

/** The snapshot CRDs (build.sh crds) and a class for the test's driver, as a cluster admin installs them. */
export async function installSnapshotApi(kc: k8s.KubeConfig, deletionPolicy: "Delete" | "Retain"): Promise<void> {
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  for (const file of fs.readdirSync(CRDS).sort()) {
    const crd = YAML.parse(fs.readFileSync(path.join(CRDS, file), "utf8"));
    await ext.createCustomResourceDefinition({ body: crd });
  }
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const established = async () => {
    for (const file of fs.readdirSync(CRDS)) {
      const name = YAML.parse(fs.readFileSync(path.join(CRDS, file), "utf8")).metadata.name;
      const crd = await ext.readCustomResourceDefinition({ name });
      if (!crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return false;
    }
    return true;
  };
  for (let i = 0; i < 60 && !(await established()); i++) await new Promise((r) => setTimeout(r, 500));
  await custom.createClusterCustomObject({
    ...API,
    plural: "volumesnapshotclasses",
    body: { apiVersion: `${API.group}/${API.version}`, kind: "VolumeSnapshotClass", metadata: { name: "e2e-snapshots" }, driver: DRIVER, deletionPolicy },
  });
}

/** One round of the snapshot controller and the provisioner; returns how many objects it moved on. */
export async function runCsi(kc: k8s.KubeConfig, namespace: string): Promise<number> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  let moved = 0;
  const snapshots = ((await custom.listNamespacedCustomObject({ ...API, namespace, plural: "volumesnapshots" })) as { items: Obj[] }).items;
  for (const vs of snapshots.filter((s) => !s.status?.readyToUse)) {
    await readySnapshot(core, custom, namespace, vs);
    moved += 1;
  }
  const ready = new Map(snapshots.map((s) => [s.metadata.name, s]));
  for (const pvc of (await core.listNamespacedPersistentVolumeClaim({ namespace })).items) {
    const from = pvc.spec?.dataSource;
    if (pvc.spec?.volumeName || from?.kind !== "VolumeSnapshot" || !ready.get(from.name)?.status?.readyToUse) continue;
    const content = (await custom.getClusterCustomObject({
      ...API,
      plural: "volumesnapshotcontents",
      name: ready.get(from.name)!.status.boundVolumeSnapshotContentName,
    })) as Obj;
    await core.createPersistentVolume({
      body: {
        metadata: { name: `pvc-${pvc.metadata!.uid}` },
        spec: {
          capacity: { storage: pvc.spec!.resources!.requests!.storage },
          accessModes: pvc.spec!.accessModes,
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: pvc.spec!.storageClassName ?? "",
          csi: { driver: DRIVER, volumeHandle: `from-${content.status.snapshotHandle}` },
          claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name: pvc.metadata!.name!, uid: pvc.metadata!.uid },
        },
      },
    });
    moved += 1;
  }
  return moved;
}

/** A dynamic snapshot gets a content cut from its claim's volume; a pre-provisioned one, its content's handle. */
async function readySnapshot(core: k8s.CoreV1Api, custom: k8s.CustomObjectsApi, namespace: string, vs: Obj): Promise<void> {
  const contents = { ...API, plural: "volumesnapshotcontents" };
  let name = vs.spec.source.volumeSnapshotContentName as string | undefined;
  if (!name) {
    const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace, name: vs.spec.source.persistentVolumeClaimName });
    const pv = await core.readPersistentVolume({ name: pvc.spec!.volumeName! });
    const cls = (await custom.getClusterCustomObject({ ...API, plural: "volumesnapshotclasses", name: vs.spec.volumeSnapshotClassName })) as Obj;
    name = `snapcontent-${vs.metadata.uid}`;
    await custom.createClusterCustomObject({
      ...contents,
      body: {
        apiVersion: `${API.group}/${API.version}`,
        kind: "VolumeSnapshotContent",
        metadata: { name },
        spec: {
          deletionPolicy: cls.deletionPolicy,
          driver: pv.spec!.csi!.driver,
          source: { volumeHandle: pv.spec!.csi!.volumeHandle },
          volumeSnapshotClassName: cls.metadata.name,
          volumeSnapshotRef: { apiVersion: `${API.group}/${API.version}`, kind: "VolumeSnapshot", namespace, name: vs.metadata.name, uid: vs.metadata.uid },
        },
      },
    });
  }
  const content = (await readIfExists(custom.getClusterCustomObject({ ...contents, name }))) as Obj;
  content.status = { readyToUse: true, snapshotHandle: content.spec.source.snapshotHandle ?? `snap-${vs.metadata.uid}`, creationTime: Date.now() * 1e6 };
  await custom.replaceClusterCustomObjectStatus({ ...contents, name, body: content });
  const fresh = (await custom.getNamespacedCustomObject({ ...API, namespace, plural: "volumesnapshots", name: vs.metadata.name })) as Obj;
  fresh.status = { boundVolumeSnapshotContentName: name, readyToUse: true, creationTime: new Date().toISOString() };
  await custom.replaceNamespacedCustomObjectStatus({ ...API, namespace, plural: "volumesnapshots", name: vs.metadata.name, body: fresh });
}

/** Runs the CSI rounds every second until `work` settles, and returns its result. */
export async function whileCsiRuns<T>(kc: k8s.KubeConfig, namespace: string, work: Promise<T>): Promise<T> {
  let done = false;
  const loop = (async () => {
    while (!done) {
      await runCsi(kc, namespace).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  try {
    return await work;
  } finally {
    done = true;
    await loop;
  }
}
