/**
 * The inventory of a stack's data volumes: for every claim, the PersistentVolume bound to it, and
 * those volumes put back pre-bound to the same claim names (npm run volumes, npm run backup/restore).
 */
import * as fs from "node:fs";
import type * as k8s from "@kubernetes/client-node";
import { z } from "zod";
import { readIfExists } from "../cluster";
import { ConfigError } from "../config/load";
import type { Report } from "./snapshots";

export const INVENTORY_KIND = "dataplatform.volumes/v1";

const inventorySchema = z.strictObject({
  kind: z.literal(INVENTORY_KIND),
  stack: z.string(),
  namespace: z.string(),
  exportedAt: z.string(),
  volumes: z.array(
    z.strictObject({
      claim: z.string().min(1),
      /** The PersistentVolume as the cluster held it, bound to the claim by name only. */
      volume: z.looseObject({ metadata: z.looseObject({ name: z.string().min(1) }), spec: z.looseObject({}) }),
    }),
  ),
});
export type Inventory = z.infer<typeof inventorySchema>;

/** What a volume keeps across clusters: no server-set fields, no binding to a claim's UID. */
function portable(pv: k8s.V1PersistentVolume, namespace: string, claim: string) {
  const annotations = Object.fromEntries(Object.entries(pv.metadata?.annotations ?? {}).filter(([k]) => !k.startsWith("pv.kubernetes.io/bound-by")));
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: pv.metadata!.name!, labels: pv.metadata?.labels ?? {}, annotations },
    spec: { ...pv.spec, claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name: claim } },
  };
}

/** Every bound claim of the namespace and its volume; `retain` switches Delete volumes to Retain first. */
export async function exportVolumes(core: k8s.CoreV1Api, stack: string, namespace: string, retain = false): Promise<{ inventory: Inventory; report: Report }> {
  const report: Report = { lines: [], problems: [] };
  const volumes: Inventory["volumes"] = [];
  const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items;
  for (const pvc of claims.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!))) {
    const claim = pvc.metadata!.name!;
    const volumeName = pvc.spec?.volumeName;
    if (pvc.status?.phase !== "Bound" || !volumeName) {
      report.problems.push(`claim ${namespace}/${claim} is ${pvc.status?.phase ?? "Pending"}: it has no volume to keep`);
      continue;
    }
    let pv = await core.readPersistentVolume({ name: volumeName });
    if (pv.spec?.persistentVolumeReclaimPolicy !== "Retain") {
      if (retain) {
        pv = await core.replacePersistentVolume({ name: volumeName, body: { ...pv, spec: { ...pv.spec, persistentVolumeReclaimPolicy: "Retain" } } });
        report.lines.push(`${claim}: volume ${volumeName} switched to reclaim policy Retain`);
      } else {
        report.problems.push(
          `volume ${volumeName} of ${namespace}/${claim} has reclaim policy ${pv.spec?.persistentVolumeReclaimPolicy}: deleting the claim deletes the data; --retain switches it to Retain`,
        );
      }
    }
    volumes.push({ claim, volume: portable(pv, namespace, claim) });
    report.lines.push(`${claim}: volume ${volumeName} (${pv.spec?.capacity?.storage ?? "?"})`);
  }
  return { inventory: { kind: INVENTORY_KIND, stack, namespace, exportedAt: new Date().toISOString(), volumes }, report };
}

/** Each volume back, bound by name to its claim: created when missing, freed when Released. */
export async function restoreVolumes(core: k8s.CoreV1Api, inventory: Inventory): Promise<Report> {
  const report: Report = { lines: [], problems: [] };
  for (const { claim, volume } of inventory.volumes) {
    const name = volume.metadata.name;
    const wanted = { namespace: inventory.namespace, name: claim };
    const pvc = await readIfExists(core.readNamespacedPersistentVolumeClaim({ namespace: inventory.namespace, name: claim }));
    if (pvc?.spec?.volumeName && pvc.spec.volumeName !== name) {
      report.problems.push(
        `claim ${inventory.namespace}/${claim} is already bound to volume ${pvc.spec.volumeName}, not ${name}: restore runs before pulumi up; delete that claim (and its volume if it is new and empty), then restore again`,
      );
      continue;
    }
    const live = await readIfExists(core.readPersistentVolume({ name }));
    if (!live && volume.spec.persistentVolumeReclaimPolicy === "Delete") {
      // Its disk went with the volume object: a volume made again would point at nothing.
      report.problems.push(
        `volume ${name} of ${inventory.namespace}/${claim} is gone and had reclaim policy Delete when it was recorded: its disk was deleted with it; restore ${claim} from a snapshot (--volumes snapshots --claim ${claim})`,
      );
      continue;
    }
    if (!live) {
      // Retained whatever the inventory says: a restored volume must outlive the next mistake.
      const body = { ...volume, spec: { ...volume.spec, persistentVolumeReclaimPolicy: "Retain" } } as k8s.V1PersistentVolume;
      await core.createPersistentVolume({ body });
      report.lines.push(`${claim}: volume ${name} created, waiting for its claim`);
      continue;
    }
    const ref = live.spec?.claimRef;
    if (ref && (ref.namespace !== wanted.namespace || ref.name !== wanted.name)) {
      report.problems.push(`volume ${name} exists and belongs to ${ref.namespace}/${ref.name}, not ${wanted.namespace}/${claim}: left as it is`);
    } else if (live.status?.phase === "Released" || !ref) {
      // A Released volume still names the deleted claim's UID; without it the new claim can bind.
      await core.replacePersistentVolume({
        name,
        body: { ...live, spec: { ...live.spec, claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", ...wanted } } },
      });
      report.lines.push(`${claim}: volume ${name} freed for its new claim`);
    } else if (live.status?.phase === "Failed") {
      report.problems.push(`volume ${name} of ${wanted.namespace}/${claim} is Failed: ${live.status.message ?? "see its events"}`);
    } else {
      report.lines.push(`${claim}: volume ${name} already ${live.status?.phase ?? "present"}`);
    }
  }
  return report;
}

export function readInventory(file: string): Inventory {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError([`${file}: cannot read the volume inventory: ${(e as Error).message}`]);
  }
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${file}: ${i.path.join(".") || "(file)"}: ${i.message}; expected the output of npm run volumes -- export`),
    );
  }
  return parsed.data;
}
