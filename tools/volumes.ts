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
import { exportVolumes, type Inventory, readInventory, restoreVolumes } from "../infra/backup/volumes";
import type { Report } from "../infra/backup/snapshots";
import { clusterFailure, kubeConfigFor, kubernetesClient } from "../infra/cluster";
import { ConfigError } from "../infra/config/load";
import { loadPlatform } from "../infra/config/stack";
import { ROOT_DIR } from "../infra/program";
import { parseOrUsage, runAsCli } from "./cli";
import { readStackFile } from "./plan";

const USAGE = [
  "usage: npm run volumes -- export --stack <stack> [--dir DIR] [--out FILE] [--retain]",
  "       npm run volumes -- restore --stack <stack> [--dir DIR] FILE",
].join("\n");
export const EXIT = { ok: 0, problems: 1, invalid: 2, unreachable: 3 } as const;

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
