/**
 * CSI VolumeSnapshots of the stack's data volumes (snapshot.storage.k8s.io/v1), where the cluster
 * offers them: taken by `npm run backup`, turned back into the same claims by `npm run restore`.
 */
import type * as k8s from "@kubernetes/client-node";
import { apiStatus, kubernetesClient, readIfExists } from "../cluster";

export const SNAPSHOT_API = { group: "snapshot.storage.k8s.io", version: "v1" } as const;
const DEFAULT_CLASS = "snapshot.storage.kubernetes.io/is-default-class";

/** What a claim is made of, to make it again around a snapshot. */
export interface ClaimShape {
  storageClassName?: string;
  accessModes: string[];
  storage: string;
  volumeMode?: string;
  labels: Record<string, string>;
}

export interface SnapshotRecord {
  claim: string;
  snapshot: string;
  content: string;
  driver: string;
  snapshotHandle: string;
  snapshotClass: string;
  shape: ClaimShape;
}

export interface Report {
  lines: string[];
  problems: string[];
}

interface KubeObject {
  metadata: k8s.V1ObjectMeta;
  // The snapshot kinds are not in the client's models: their fields are read as the CRDs define them.
  spec?: Record<string, any>;
  status?: Record<string, any>;
  driver?: string;
  deletionPolicy?: string;
}

const namespaced = (namespace: string, plural: string) => ({ ...SNAPSHOT_API, namespace, plural });
const clusterWide = (plural: string) => ({ ...SNAPSHOT_API, plural });

/** A merge patch of a snapshot content: only the fields named, so a controller's concurrent status update is no conflict. */
async function patchContent(custom: k8s.CustomObjectsApi, name: string, spec: Record<string, unknown>): Promise<void> {
  const client = kubernetesClient();
  await custom.patchClusterCustomObject(
    { ...clusterWide("volumesnapshotcontents"), name, body: { spec } },
    client.setHeaderOptions("Content-Type", client.PatchStrategy.MergePatch),
  );
}

/** The snapshot classes, or why snapshots are skipped: the API is missing. */
export async function snapshotClasses(custom: k8s.CustomObjectsApi): Promise<KubeObject[] | string> {
  try {
    const list = (await custom.listClusterCustomObject(clusterWide("volumesnapshotclasses"))) as { items: KubeObject[] };
    return list.items;
  } catch (e) {
    if (apiStatus(e) === 404) return "the cluster offers no VolumeSnapshot API (snapshot.storage.k8s.io/v1, the CSI snapshot CRDs and controller)";
    throw e;
  }
}

/** The class that snapshots a driver's volumes: the driver's default, else its only one. */
export function classFor(classes: KubeObject[], driver: string): KubeObject | string {
  const mine = classes.filter((c) => c.driver === driver).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  const chosen = mine.find((c) => c.metadata.annotations?.[DEFAULT_CLASS] === "true") ?? (mine.length === 1 ? mine[0] : undefined);
  if (chosen) return chosen;
  if (!mine.length) return `no VolumeSnapshotClass has driver ${driver}`;
  return `VolumeSnapshotClasses ${mine.map((c) => c.metadata.name).join(", ")} have driver ${driver} and none is marked ${DEFAULT_CLASS}`;
}

export function shapeOf(pvc: k8s.V1PersistentVolumeClaim): ClaimShape {
  return {
    storageClassName: pvc.spec?.storageClassName,
    accessModes: pvc.spec?.accessModes ?? ["ReadWriteOnce"],
    storage: String(pvc.status?.capacity?.storage ?? pvc.spec?.resources?.requests?.storage),
    volumeMode: pvc.spec?.volumeMode,
    labels: pvc.metadata?.labels ?? {},
  };
}

/**
 * One snapshot per bound CSI claim, waited for up to `waitSeconds`; each ready snapshot's content is
 * switched to deletionPolicy Retain, so a deleted namespace does not take it along.
 */
export async function takeSnapshots(
  custom: k8s.CustomObjectsApi,
  namespace: string,
  claims: { pvc: k8s.V1PersistentVolumeClaim; pv: k8s.V1PersistentVolume }[],
  classes: KubeObject[],
  stamp: string,
  waitSeconds: number,
  progress: (line: string) => void,
): Promise<{ records: SnapshotRecord[]; report: Report }> {
  const report: Report = { lines: [], problems: [] };
  const taken: { claim: string; snapshot: string; driver: string; snapshotClass: string; shape: ClaimShape }[] = [];
  for (const { pvc, pv } of claims) {
    const claim = pvc.metadata!.name!;
    const driver = pv.spec?.csi?.driver;
    if (!driver) {
      report.lines.push(`${claim}: volume ${pv.metadata!.name} is not a CSI volume: no snapshot (its retained volume is its backup)`);
      continue;
    }
    const cls = classFor(classes, driver);
    if (typeof cls === "string") {
      report.lines.push(`${claim}: no snapshot: ${cls}`);
      continue;
    }
    const snapshot = `${claim}-${stamp}`.slice(0, 253);
    await custom.createNamespacedCustomObject({
      ...namespaced(namespace, "volumesnapshots"),
      body: {
        apiVersion: `${SNAPSHOT_API.group}/${SNAPSHOT_API.version}`,
        kind: "VolumeSnapshot",
        metadata: { name: snapshot, labels: { "dataplatform.io/backup": stamp, "dataplatform.io/claim": claim } },
        spec: { volumeSnapshotClassName: cls.metadata.name, source: { persistentVolumeClaimName: claim } },
      },
    });
    progress(`${claim}: snapshot ${snapshot} requested (class ${cls.metadata.name})`);
    taken.push({ claim, snapshot, driver, snapshotClass: cls.metadata.name!, shape: shapeOf(pvc) });
  }
  const records: SnapshotRecord[] = [];
  const deadline = Date.now() + waitSeconds * 1000;
  let pending = taken;
  while (pending.length) {
    const still: typeof taken = [];
    for (const t of pending) {
      const vs = (await custom.getNamespacedCustomObject({ ...namespaced(namespace, "volumesnapshots"), name: t.snapshot })) as KubeObject;
      if (vs.status?.error?.message) report.problems.push(`snapshot ${t.snapshot} of ${t.claim} failed: ${vs.status.error.message}`);
      else if (vs.status?.readyToUse === true && vs.status.boundVolumeSnapshotContentName) {
        const record = await keepContent(custom, t, vs.status.boundVolumeSnapshotContentName, report);
        if (record) records.push(record);
        progress(`${t.claim}: snapshot ${t.snapshot} ready`);
      } else still.push(t);
    }
    pending = still;
    if (pending.length && Date.now() > deadline) {
      for (const t of pending)
        report.problems.push(`snapshot ${t.snapshot} of ${t.claim} was not ready within ${waitSeconds}s (see its events; --wait gives it longer)`);
      break;
    }
    if (pending.length) await new Promise((r) => setTimeout(r, 2000));
  }
  return { records: records.sort((a, b) => a.claim.localeCompare(b.claim)), report };
}

async function keepContent(
  custom: k8s.CustomObjectsApi,
  t: Omit<SnapshotRecord, "content" | "snapshotHandle">,
  name: string,
  report: Report,
): Promise<SnapshotRecord | undefined> {
  const content = (await custom.getClusterCustomObject({ ...clusterWide("volumesnapshotcontents"), name })) as KubeObject;
  if (content.spec!.deletionPolicy !== "Retain") {
    await patchContent(custom, name, { deletionPolicy: "Retain" });
    report.lines.push(`${t.claim}: snapshot content ${name} switched to deletionPolicy Retain`);
  }
  const snapshotHandle: string | undefined = content.status?.snapshotHandle ?? content.spec!.source?.snapshotHandle;
  if (!snapshotHandle) {
    // Without the storage's handle a lost content cannot be made again: this snapshot would not restore.
    report.problems.push(
      `snapshot ${t.snapshot} of ${t.claim}: its content ${name} names no snapshotHandle (status or spec.source); the snapshot cannot be restored after a lost cluster`,
    );
    return undefined;
  }
  report.lines.push(`${t.claim}: snapshot ${t.snapshot} (content ${name})`);
  return { ...t, content: name, snapshotHandle };
}

/**
 * Each claim made again from its snapshot: the snapshot first (bound to its retained content, which is
 * made again from the recorded handle when the cluster lost it), then the claim with the snapshot as
 * its data source, before `pulumi up` lets a StatefulSet make an empty one.
 */
export async function claimsFromSnapshots(core: k8s.CoreV1Api, custom: k8s.CustomObjectsApi, namespace: string, records: SnapshotRecord[]): Promise<Report> {
  const report: Report = { lines: [], problems: [] };
  for (const r of records) {
    const pvc = await readIfExists(core.readNamespacedPersistentVolumeClaim({ namespace, name: r.claim }));
    if (pvc) {
      const from = pvc.spec?.dataSource?.name;
      if (from === r.snapshot) report.lines.push(`${r.claim}: already made from snapshot ${r.snapshot}`);
      else
        report.problems.push(
          `claim ${namespace}/${r.claim} exists already (${from ? `from ${from}` : "not from a snapshot"}): delete it to restore it from ${r.snapshot}`,
        );
      continue;
    }
    await ensureSnapshot(custom, namespace, r, report);
    const shape = r.shape;
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: r.claim, labels: shape.labels },
        spec: {
          storageClassName: shape.storageClassName,
          accessModes: shape.accessModes,
          volumeMode: shape.volumeMode,
          resources: { requests: { storage: shape.storage } },
          dataSource: { apiGroup: SNAPSHOT_API.group, kind: "VolumeSnapshot", name: r.snapshot },
        },
      },
    });
    report.lines.push(`${r.claim}: claim made from snapshot ${r.snapshot}`);
  }
  return report;
}

async function ensureSnapshot(custom: k8s.CustomObjectsApi, namespace: string, r: SnapshotRecord, report: Report): Promise<void> {
  const vsApi = namespaced(namespace, "volumesnapshots");
  if (await readIfExists(custom.getNamespacedCustomObject({ ...vsApi, name: r.snapshot }))) return;
  const contentApi = clusterWide("volumesnapshotcontents");
  const content = (await readIfExists(custom.getClusterCustomObject({ ...contentApi, name: r.content }))) as KubeObject | undefined;
  const ref = { apiVersion: `${SNAPSHOT_API.group}/${SNAPSHOT_API.version}`, kind: "VolumeSnapshot", namespace, name: r.snapshot };
  if (content) {
    // A retained content still names the deleted snapshot's UID: pointed at the new one (uid null removes it), it binds again.
    await patchContent(custom, r.content, { volumeSnapshotRef: { ...ref, uid: null, resourceVersion: null } });
    report.lines.push(`${r.claim}: retained snapshot content ${r.content} given to its snapshot again`);
  } else {
    await custom.createClusterCustomObject({
      ...contentApi,
      body: {
        apiVersion: ref.apiVersion,
        kind: "VolumeSnapshotContent",
        metadata: { name: r.content },
        spec: {
          deletionPolicy: "Retain",
          driver: r.driver,
          source: { snapshotHandle: r.snapshotHandle },
          volumeSnapshotClassName: r.snapshotClass,
          volumeSnapshotRef: ref,
        },
      },
    });
    report.lines.push(`${r.claim}: snapshot content ${r.content} made again from handle ${r.snapshotHandle}`);
  }
  await custom.createNamespacedCustomObject({
    ...vsApi,
    body: {
      apiVersion: ref.apiVersion,
      kind: "VolumeSnapshot",
      metadata: { name: r.snapshot, labels: { "dataplatform.io/claim": r.claim } },
      spec: { volumeSnapshotClassName: r.snapshotClass, source: { volumeSnapshotContentName: r.content } },
    },
  });
}
