/**
 * npm run backup -- --stack <stack> --out DIR [--dir DIR] [--retain] [--wait SECONDS]
 *
 * Everything needed to rebuild the stack's platform, in a new directory DIR: the stack's state
 * export and its stack file (their secrets stay encrypted under the stack's passphrase), the pinned
 * cluster IDs, the namespace's Secrets sealed under that passphrase, the inventory of its data
 * volumes, and a CSI VolumeSnapshot of each data volume where the cluster offers them.
 * Exit codes: 0 done; 1 done with problems (each named); 2 bad usage, config, passphrase or --out
 * (nothing is asked of the cluster); 3 the cluster cannot be reached or refused.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type * as k8s from "@kubernetes/client-node";
import { BACKUP_KIND, FILES, type Manifest, stackFileName } from "../infra/backup/manifest";
import { checkedPassphrase, seal } from "../infra/backup/sealed";
import { saveSecrets } from "../infra/backup/secrets";
import { type Report, snapshotClasses, takeSnapshots } from "../infra/backup/snapshots";
import { exportState } from "../infra/backup/state";
import { exportVolumes } from "../infra/backup/volumes";
import { clusterFailure, kubeConfigFor, kubernetesClient } from "../infra/cluster";
import { ConfigError } from "../infra/config/load";
import { type LoadedPlatform, loadPlatform } from "../infra/config/stack";
import { ROOT_DIR } from "../infra/program";
import { type Lines, loadOrReport, runAsCli, start, userPath } from "./cli";
import { readStackFile } from "./plan";

const USAGE = "usage: npm run backup -- --stack <stack> --out DIR [--dir DIR] [--retain] [--wait SECONDS]";
export const EXIT = { ok: 0, problems: 1, invalid: 2, unreachable: 3 } as const;
const NEEDS =
  "get on namespaces; list on secrets; list on persistentvolumeclaims; get and update on persistentvolumes; list on volumesnapshotclasses, create and get on volumesnapshots, get and patch on volumesnapshotcontents";

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      dir: { type: "string" },
      out: { type: "string" },
      retain: { type: "boolean", default: false },
      wait: { type: "string", default: "600" },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
}

/** A time stamp usable in object names: 20261205-231500. */
export const stampOf = (d: Date) => d.toISOString().replace(/\..*$/, "").replace(/[-:]/g, "").replace("T", "-");

/** The pinned identities of the stack's config: the volumes are formatted for them. */
export function identitiesOf(loaded: LoadedPlatform): Record<string, string> {
  const ids: Record<string, string | undefined> = { kafkaClusterId: loaded.config.kafka?.clusterId, hdfsClusterId: loaded.config.hdfs?.clusterId };
  return Object.fromEntries(Object.entries(ids).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The backup's directory: new or empty, and writable, checked before the cluster is asked anything (made once it answers). */
function checkOut(out: string): void {
  if (fs.existsSync(out) && fs.readdirSync(out).length)
    throw new ConfigError([`--out ${out}: exists and is not empty; a backup is written into a new directory`]);
  let existing = out;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch {
    throw new ConfigError([`--out ${out}: cannot be written (${existing} is not writable)`]);
  }
}

/** A failure to write the backup's own files, told apart from the cluster's. */
class LocalWriteError extends Error {}

interface Options {
  stack: string;
  dir: string;
  out: string;
  retain: boolean;
  wait: number;
}

async function backUp(o: Options, loaded: LoadedPlatform, kc: k8s.KubeConfig, passphrase: string, progress: (line: string) => void): Promise<Report> {
  const client = kubernetesClient();
  const core = kc.makeApiClient(client.CoreV1Api);
  const custom = kc.makeApiClient(client.CustomObjectsApi);
  const namespace = loaded.settings.namespace;
  const report: Report = { lines: [], problems: [] };
  const local = (what: string, act: () => void) => {
    try {
      act();
    } catch (e) {
      throw new LocalWriteError(`${what}: ${(e as Error).message}`);
    }
  };
  const write = (file: string, text: string, mode = 0o644) => local(path.join(o.out, file), () => fs.writeFileSync(path.join(o.out, file), text, { mode }));
  const ns = await core.readNamespace({ name: namespace });
  local(o.out, () => fs.mkdirSync(o.out, { recursive: true, mode: 0o700 }));

  let state = true;
  try {
    write(FILES.state, `${JSON.stringify(await exportState(o.dir, o.stack), null, 2)}\n`, 0o600);
    progress(`state of stack ${o.stack} exported`);
  } catch (e) {
    state = false;
    report.problems.push(`the state of stack ${o.stack} could not be exported (pulumi stack export in ${o.dir}): ${(e as Error).message.split("\n")[0]}`);
  }
  const stackFile = stackFileName(o.stack);
  local(path.join(o.out, stackFile), () => fs.copyFileSync(path.join(o.dir, stackFile), path.join(o.out, stackFile)));

  const secrets = await saveSecrets(core, namespace);
  write(FILES.secrets, `${JSON.stringify(seal(JSON.stringify(secrets), passphrase), null, 2)}\n`, 0o600);
  progress(`${secrets.length} Secrets sealed: ${secrets.map((s) => s.name).join(", ")}`);

  const volumes = await exportVolumes(core, o.stack, namespace, o.retain);
  write(FILES.volumes, `${JSON.stringify(volumes.inventory, null, 2)}\n`);
  report.lines.push(...volumes.report.lines);
  report.problems.push(...volumes.report.problems);

  const classes = await snapshotClasses(custom);
  let snapshots: Manifest["snapshots"];
  if (typeof classes === "string") {
    snapshots = { skipped: classes, records: [] };
    report.lines.push(`snapshots skipped: ${classes}; the retained volumes are the data's only copy`);
  } else {
    const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items.filter((c) => c.status?.phase === "Bound" && c.spec?.volumeName);
    const bound = await Promise.all(claims.map(async (pvc) => ({ pvc, pv: await core.readPersistentVolume({ name: pvc.spec!.volumeName! }) })));
    bound.sort((a, b) => a.pvc.metadata!.name!.localeCompare(b.pvc.metadata!.name!));
    const taken = await takeSnapshots(custom, namespace, bound, classes, stampOf(new Date()), o.wait, progress);
    snapshots = { records: taken.records };
    report.lines.push(...taken.report.lines);
    report.problems.push(...taken.report.problems);
  }

  const manifest: Manifest = {
    kind: BACKUP_KIND,
    stack: o.stack,
    namespace,
    takenAt: new Date().toISOString(),
    identities: identitiesOf(loaded),
    namespaceMetadata: { labels: ns.metadata?.labels ?? {}, annotations: ns.metadata?.annotations ?? {} },
    state,
    snapshots,
  };
  write(FILES.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return report;
}

/** The CLI: returns its exit code; `out` takes the summary, `err` progress and problems. */
export async function main(argv: string[], out: Lines = console.log, err: Lines = console.error): Promise<number> {
  const cli = start(argv, { usage: USAGE, invalid: EXIT.invalid, parse }, out, err);
  if (typeof cli === "number") return cli;
  const args = cli.values;
  if (!args.out) return cli.usage("--out is required: the new directory the backup is written into");
  const wait = Number(args.wait);
  if (!Number.isInteger(wait) || wait < 0) return cli.usage(`--wait ${args.wait}: must be a whole number of seconds`);
  const o: Options = { stack: args.stack, dir: args.dir ? userPath(args.dir) : ROOT_DIR, out: userPath(args.out), retain: args.retain, wait };
  const ready = await loadOrReport(err, () => {
    const loaded = loadPlatform(ROOT_DIR, o.stack, readStackFile(o.stack, o.dir));
    checkOut(o.out);
    const passphrase = checkedPassphrase(path.join(o.dir, stackFileName(o.stack)));
    const kc = kubeConfigFor(loaded.settings, stackFileName(o.stack));
    return { loaded, passphrase, kc };
  });
  if (!ready) return EXIT.invalid;
  const { loaded, passphrase, kc } = ready;
  let report: Report;
  try {
    report = await backUp(o, loaded, kc, passphrase, err);
  } catch (e) {
    if (e instanceof LocalWriteError) {
      err(`the backup could not be written: ${e.message}`);
      return EXIT.invalid;
    }
    err(clusterFailure(e, kc.getCurrentCluster()?.server, "the backup", NEEDS));
    return EXIT.unreachable;
  }
  for (const l of report.lines) out(l);
  for (const p of report.problems) err(`problem: ${p}`);
  out(
    `backup of stack ${o.stack} (namespace ${loaded.settings.namespace}) in ${o.out}${report.problems.length ? `, with ${report.problems.length} problems` : ""}`,
  );
  return report.problems.length ? EXIT.problems : EXIT.ok;
}

if (require.main === module) runAsCli((argv) => main(argv));
