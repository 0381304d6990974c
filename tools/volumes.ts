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
import { parseArgs } from "node:util";
import { exportVolumes, readInventory, restoreVolumes } from "../infra/backup/volumes";
import type { Report } from "../infra/backup/snapshots";
import { clusterFailure, kubeConfigFor, kubernetesClient } from "../infra/cluster";
import { ConfigError } from "../infra/config/load";
import { loadPlatform } from "../infra/config/stack";
import { ROOT_DIR } from "../infra/program";
import { type Lines, loadOrReport, runAsCli, start, userPath } from "./cli";
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
export async function main(argv: string[], out: Lines = console.log, err: Lines = console.error): Promise<number> {
  const cli = start(argv, { usage: USAGE, invalid: EXIT.invalid, parse }, out, err);
  if (typeof cli === "number") return cli;
  const [command, file, ...extra] = cli.positionals;
  const stack = cli.values.stack;
  if (command !== "export" && command !== "restore") return cli.usage(`the command must be export or restore, not ${command ?? "nothing"}`);
  if (command === "restore" && !file) return cli.usage("restore needs the inventory file that export wrote");
  if (extra.length || (command === "export" && file))
    return cli.usage(`unexpected arguments: ${[...(command === "export" ? [file] : []), ...extra].join(" ")}`);
  const ready = await loadOrReport(err, () => {
    const settings = loadPlatform(ROOT_DIR, stack, readStackFile(stack, cli.values.dir ? userPath(cli.values.dir) : ROOT_DIR)).settings;
    const inventory = command === "restore" ? readInventory(userPath(file!)) : undefined;
    if (inventory && inventory.namespace !== settings.namespace) {
      throw new ConfigError([
        `${file}: namespace ${inventory.namespace} is not stack ${stack}'s namespace ${settings.namespace} (Pulumi.${stack}.yaml: dataplatform:namespace)`,
      ]);
    }
    return { settings, inventory, kc: kubeConfigFor(settings, `Pulumi.${stack}.yaml`) };
  });
  if (!ready) return EXIT.invalid;
  const { settings, inventory, kc } = ready;
  const core = kc.makeApiClient(kubernetesClient().CoreV1Api);
  let report: Report;
  let inventoryText: string | undefined;
  try {
    if (command === "export") {
      const exported = await exportVolumes(core, stack, settings.namespace, cli.values.retain);
      inventoryText = `${JSON.stringify(exported.inventory, null, 2)}\n`;
      report = exported.report;
    } else {
      report = await restoreVolumes(core, inventory!);
    }
  } catch (e) {
    const needs = "get, list, create and update on persistentvolumes and get and list on persistentvolumeclaims";
    err(clusterFailure(e, kc.getCurrentCluster()?.server, command, needs));
    return EXIT.unreachable;
  }
  if (inventoryText !== undefined) {
    if (!cli.values.out) process.stdout.write(inventoryText);
    else {
      try {
        fs.writeFileSync(userPath(cli.values.out), inventoryText);
      } catch (e) {
        err(`--out ${cli.values.out}: the inventory could not be written: ${(e as Error).message}`);
        return EXIT.invalid;
      }
    }
  }
  // With the inventory on stdout, the report goes to stderr.
  const log = command === "export" && !cli.values.out ? err : out;
  for (const l of report.lines) log(l);
  for (const p of report.problems) err(`problem: ${p}`);
  return report.problems.length ? EXIT.problems : EXIT.ok;
}

if (require.main === module) runAsCli((argv) => main(argv));
