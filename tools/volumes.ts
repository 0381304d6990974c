/**
 * npm run volumes -- export  --stack <stack> [--dir DIR] [--out FILE] [--retain]
 * npm run volumes -- restore --stack <stack> [--dir DIR] FILE
 *
 * The disaster-recovery inventory of a stack's data volumes. `export` records, for every claim in the
 * stack's namespace, the PersistentVolume bound to it (keep the file outside the cluster, next to the
 * stack's state). `restore` puts those volumes back pre-bound to the same claim names, so the
 * StatefulSets that `pulumi up` recreates find their data again: after a lost cluster it creates
 * them, after a deleted namespace it frees the Released ones for their new claims.
 * Exit codes: 0 done; 1 some volume could not be kept or restored (each one named); 2 bad usage,
 * config or file; 3 the cluster cannot be reached.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type * as k8s from "@kubernetes/client-node";
import { z } from "zod";
import { clusterFailure, kubeConfigFor, kubernetesClient, readIfExists } from "../infra/cluster";
import { ConfigError } from "../infra/config/load";
import { loadPlatform } from "../infra/config/stack";
import { ROOT_DIR } from "../infra/program";
import { parseOrUsage, runAsCli } from "./cli";
import { readStackFile } from "./plan";

export const INVENTORY_KIND = "dataplatform.volumes/v1";
const USAGE = [
  "usage: npm run volumes -- export --stack <stack> [--dir DIR] [--out FILE] [--retain]",
  "       npm run volumes -- restore --stack <stack> [--dir DIR] FILE",
].join("\n");
export const EXIT = { ok: 0, problems: 1, invalid: 2, unreachable: 3 } as const;

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

export interface Report {
  lines: string[];
  problems: string[];
}

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
          `volume ${volumeName} of ${namespace}/${claim} has reclaim policy ${pv.spec?.persistentVolumeReclaimPolicy}: deleting the claim deletes the data; run export with --retain`,
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

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      dir: { type: "string" },
      out: { type: "string" },
      retain: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: true,
  });
}

/** The CLI: returns its exit code; every expected failure is one readable line per problem. */
export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const args = parseOrUsage(parse, argv, USAGE, err);
  if (!args) return EXIT.invalid;
  const [command, file, ...extra] = args.positionals;
  if (args.values.help) {
    out(USAGE);
    return EXIT.ok;
  }
  const usage = (why: string) => {
    err(`${why}\n${USAGE}`);
    return EXIT.invalid;
  };
  if (command !== "export" && command !== "restore") return usage(`the command must be export or restore, not ${command ?? "nothing"}`);
  if (!args.values.stack) return usage("--stack is required");
  if (command === "restore" && !file) return usage("restore needs the inventory file that export wrote");
  if (extra.length || (command === "export" && file)) return usage(`unexpected arguments: ${[...(command === "export" ? [file] : []), ...extra].join(" ")}`);
  let settings: ReturnType<typeof loadPlatform>["settings"];
  let inventory: Inventory | undefined;
  let kc: k8s.KubeConfig;
  try {
    const stack = args.values.stack;
    settings = loadPlatform(ROOT_DIR, stack, readStackFile(stack, args.values.dir ? path.resolve(args.values.dir) : ROOT_DIR)).settings;
    if (command === "restore") {
      inventory = readInventory(file!);
      if (inventory.namespace !== settings.namespace) {
        throw new ConfigError([
          `${file}: namespace ${inventory.namespace} is not stack ${stack}'s namespace ${settings.namespace} (Pulumi.${stack}.yaml: dataplatform:namespace)`,
        ]);
      }
    }
    kc = kubeConfigFor(settings, `Pulumi.${stack}.yaml`);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) err(p);
    return EXIT.invalid;
  }
  const core = kc.makeApiClient(kubernetesClient().CoreV1Api);
  let report: Report;
  try {
    if (command === "export") {
      const exported = await exportVolumes(core, args.values.stack, settings.namespace, args.values.retain);
      const json = `${JSON.stringify(exported.inventory, null, 2)}\n`;
      if (args.values.out) fs.writeFileSync(args.values.out, json);
      else process.stdout.write(json);
      report = exported.report;
    } else {
      report = await restoreVolumes(core, inventory!);
    }
  } catch (e) {
    const needs = "get, list, create and update on persistentvolumes and get and list on persistentvolumeclaims";
    err(clusterFailure(e, kc.getCurrentCluster()?.server, command, needs));
    return EXIT.unreachable;
  }
  // With the inventory on stdout, the report goes to stderr.
  const log = command === "export" && !args.values.out ? err : out;
  for (const l of report.lines) log(l);
  for (const p of report.problems) err(`problem: ${p}`);
  return report.problems.length ? EXIT.problems : EXIT.ok;
}

if (require.main === module) runAsCli((argv) => main(argv));
