/**
 * npm run restore -- --stack <stack> --from BACKUP [--dir DIR] [--volumes retained|snapshots] [--claim NAME ...] [--skip-up]
 *
 * The inverse of npm run backup, in the order that works: the stack file and state when they are
 * lost, the namespace and its Secrets, the claims' data (their retained volumes pre-bound to the
 * same claim names, or new claims made from the snapshots), then `pulumi refresh` and `pulumi up`.
 * Every step leaves what is already there, so a restore stopped half-way is run again. `--claim`
 * limits the data step to those claims (one lost volume, its claim deleted first).
 * Exit codes: 0 restored; 1 a problem (each named; `pulumi up` is not run while a claim's data is
 * in doubt); 2 bad usage, config or backup; 3 the cluster cannot be reached or refused; 4 pulumi failed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type * as k8s from "@kubernetes/client-node";
import type { Deployment, PulumiFn } from "@pulumi/pulumi/automation";
import { type Backup, readBackup, stackFileName } from "../infra/backup/manifest";
import { checkedPassphrase } from "../infra/backup/sealed";
import { restoreSecrets, type SavedSecret } from "../infra/backup/secrets";
import { claimsFromSnapshots, type Report } from "../infra/backup/snapshots";
import { ensureState, refreshAndUp } from "../infra/backup/state";
import { restoreVolumes } from "../infra/backup/volumes";
import { clusterFailure, kubeConfigFor, kubernetesClient, readIfExists } from "../infra/cluster";
import { ConfigError } from "../infra/config/load";
import { type LoadedPlatform, loadPlatform } from "../infra/config/stack";
import { inlineProgram, ROOT_DIR } from "../infra/program";
import { identitiesOf } from "./backup";
import { type Lines, loadOrReport, runAsCli, start, userPath } from "./cli";
import { readStackFile } from "./plan";

const USAGE = "usage: npm run restore -- --stack <stack> --from BACKUP [--dir DIR] [--volumes retained|snapshots] [--claim NAME ...] [--skip-up]";
export const EXIT = { ok: 0, problems: 1, invalid: 2, unreachable: 3, pulumi: 4 } as const;
const NEEDS =
  "get and create on namespaces and secrets; get, create and update on persistentvolumes; get and create on persistentvolumeclaims and volumesnapshots; get, create and patch on volumesnapshotcontents";
const VOLUME_SOURCES = ["retained", "snapshots"] as const;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      dir: { type: "string" },
      from: { type: "string" },
      volumes: { type: "string", default: "retained" },
      claim: { type: "string", multiple: true },
      "skip-up": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
}

interface Plan {
  stack: string;
  dir: string;
  backup: Backup;
  loaded: LoadedPlatform;
  secrets: SavedSecret[];
  fromSnapshots: boolean;
  /** The claims whose data is restored; all of the backup's when empty. */
  claims: string[];
}

/** Everything checked before the cluster is touched: the backup, the stack file, the identities, the passphrase. */
function prepare(stack: string, dir: string, from: string, fromSnapshots: boolean, claims: string[], progress: (line: string) => void): Plan {
  const backup = readBackup(from);
  const m = backup.manifest;
  if (m.stack !== stack) throw new ConfigError([`${from}: a backup of stack ${m.stack}, not ${stack}`]);
  const stackFile = path.join(dir, stackFileName(stack));
  // A lost stack file is read from the backup and copied back only once every check has passed.
  const lost = !fs.existsSync(stackFile);
  const usedStackFile = lost ? backup.stackFile : stackFile;
  const loaded = loadPlatform(ROOT_DIR, stack, readStackFile(stack, lost ? from : dir));
  const problems: string[] = [];
  if (loaded.settings.namespace !== m.namespace) {
    problems.push(`${stackFileName(stack)}: dataplatform:namespace is ${loaded.settings.namespace}, the backup's is ${m.namespace}`);
  }
  const ids = identitiesOf(loaded);
  for (const [id, value] of Object.entries(m.identities)) {
    if (ids[id] !== value)
      problems.push(`${stackFileName(stack)}: ${id} is ${ids[id] ?? "not set"}, but the backup's volumes are formatted for ${value}: pin it back`);
  }
  if (fromSnapshots && m.snapshots.skipped) problems.push(`${from}: --volumes snapshots, but the backup took none: ${m.snapshots.skipped}`);
  const known = fromSnapshots ? m.snapshots.records.map((r) => r.claim) : backup.inventory.volumes.map((v) => v.claim);
  if (fromSnapshots && !claims.length) {
    // A claim without a snapshot would come back empty from pulumi up: named rather than lost.
    const missing = backup.inventory.volumes.map((v) => v.claim).filter((c) => !known.includes(c));
    if (missing.length)
      problems.push(`${from}: no snapshot of ${missing.join(", ")}: restore those from their retained volumes first (--claim), or take a new backup`);
  }
  for (const c of claims.filter((c) => !known.includes(c))) {
    problems.push(`--claim ${c}: the backup has no ${fromSnapshots ? "snapshot" : "volume"} of it; allowed: ${known.join(", ") || "none"}`);
  }
  if (problems.length) throw new ConfigError(problems);
  // Opened now: a wrong passphrase must stop the restore before it changes anything.
  const secrets = backup.readSecrets(checkedPassphrase(usedStackFile));
  if (lost) {
    fs.copyFileSync(backup.stackFile, stackFile);
    progress(`${stackFileName(stack)} was missing: copied from the backup`);
  }
  return { stack, dir, backup, loaded, secrets, fromSnapshots, claims };
}

const TERMINATING_WAIT_S = 300;

/** Whether the namespace is there to stay; one still being deleted is waited for, since nothing can be made in it. */
async function namespaceStays(core: k8s.CoreV1Api, name: string, progress: Lines): Promise<boolean> {
  const deadline = Date.now() + TERMINATING_WAIT_S * 1000;
  for (let said = false; ; said = true) {
    const ns = await readIfExists(core.readNamespace({ name }));
    if (!ns) return false;
    if (ns.status?.phase !== "Terminating") return true;
    if (Date.now() > deadline)
      throw new NamespaceStuck(
        `namespace ${name} is still Terminating after ${TERMINATING_WAIT_S}s: see its status.conditions (finalizers left by a removed controller), then run the restore again`,
      );
    if (!said) progress(`namespace ${name} is being deleted: waiting for it to go (up to ${TERMINATING_WAIT_S}s)`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

class NamespaceStuck extends Error {}

async function restoreCluster(p: Plan, kc: k8s.KubeConfig, progress: (line: string) => void): Promise<Report> {
  const client = kubernetesClient();
  const core = kc.makeApiClient(client.CoreV1Api);
  const m = p.backup.manifest;
  const report: Report = { lines: [], problems: [] };
  const add = (r: Report) => {
    for (const l of r.lines) progress(l);
    report.lines.push(...r.lines);
    report.problems.push(...r.problems);
  };
  if (await namespaceStays(core, m.namespace, progress)) progress(`namespace ${m.namespace}: present`);
  else {
    await core.createNamespace({ body: { metadata: { name: m.namespace, ...m.namespaceMetadata } } });
    progress(`namespace ${m.namespace}: made again`);
  }
  add(await restoreSecrets(core, m.namespace, p.secrets));
  const chosen = (claim: string) => !p.claims.length || p.claims.includes(claim);
  if (p.fromSnapshots) {
    add(
      await claimsFromSnapshots(
        core,
        kc.makeApiClient(client.CustomObjectsApi),
        m.namespace,
        m.snapshots.records.filter((r) => chosen(r.claim)),
      ),
    );
  } else {
    add(await restoreVolumes(core, { ...p.backup.inventory, volumes: p.backup.inventory.volumes.filter((v) => chosen(v.claim)) }));
  }
  return report;
}

/** The CLI: returns its exit code. `program` is what `pulumi up` runs: the stack's entry point. */
export async function main(argv: string[], out: Lines = console.log, err: Lines = console.error, program: PulumiFn = inlineProgram): Promise<number> {
  const cli = start(argv, { usage: USAGE, invalid: EXIT.invalid, parse }, out, err);
  if (typeof cli === "number") return cli;
  const args = cli.values;
  if (!args.from) return cli.usage("--from is required: the directory npm run backup wrote");
  if (!(VOLUME_SOURCES as readonly string[]).includes(args.volumes)) return cli.usage(`--volumes ${args.volumes}: allowed: ${VOLUME_SOURCES.join(", ")}`);
  const dir = args.dir ? userPath(args.dir) : ROOT_DIR;
  const ready = await loadOrReport(err, () => {
    if (!fs.existsSync(dir)) throw new ConfigError([`--dir ${dir}: no such directory (the one holding ${stackFileName(args.stack)})`]);
    const plan = prepare(args.stack, dir, userPath(args.from!), args.volumes === "snapshots", args.claim ?? [], out);
    return { plan, kc: kubeConfigFor(plan.loaded.settings, stackFileName(args.stack)) };
  });
  if (!ready) return EXIT.invalid;
  const { plan, kc } = ready;
  try {
    const state = await ensureState(dir, plan.stack, plan.backup.state as Deployment | undefined);
    out(state === "kept" ? `state of stack ${plan.stack}: present in the backend` : `state of stack ${plan.stack}: imported from the backup`);
  } catch (e) {
    err(`the state of stack ${plan.stack} could not be checked or imported (in ${dir}): ${(e as Error).message.split("\n")[0]}`);
    return EXIT.pulumi;
  }
  let report: Report;
  try {
    report = await restoreCluster(plan, kc, out);
  } catch (e) {
    if (e instanceof NamespaceStuck) err(e.message);
    else err(clusterFailure(e, kc.getCurrentCluster()?.server, "the restore", NEEDS));
    return EXIT.unreachable;
  }
  for (const p of report.problems) err(`problem: ${p}`);
  if (report.problems.length) {
    err("pulumi up not run: a StatefulSet would make empty claims; fix the problems above and run the restore again");
    return EXIT.problems;
  }
  if (args["skip-up"]) {
    out(`next: pulumi refresh --stack ${plan.stack} --yes && pulumi up --stack ${plan.stack} --yes`);
    return EXIT.ok;
  }
  try {
    const result = await refreshAndUp(dir, plan.stack, program, (l) => err(l));
    const made = result.up.resourceChanges?.create ?? 0;
    out(`pulumi refresh: ${result.refresh.result}; pulumi up: ${result.up.result}, ${made} made again`);
    return EXIT.ok;
  } catch (e) {
    err(`pulumi refresh/up of stack ${plan.stack} failed: ${(e as Error).message.split("\n").slice(-3).join(" ").trim()}`);
    return EXIT.pulumi;
  }
}

if (require.main === module) runAsCli((argv) => main(argv));
