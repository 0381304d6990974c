/**
 * Lowering `hdfs.dataNodes.replicas` never loses a block: at `up`, before the StatefulSet shrinks,
 * the NameNodes exclude the DataNodes that go (the exclude file on their volumes, then
 * `dfsadmin -refreshNodes`), and the run waits until the NameNode reports them Decommissioned, every
 * block of theirs copied to the DataNodes that stay. The excluded ordinals are marked on the
 * StatefulSet, so a later scale-up readmits them before their pods start again. The schema already
 * refuses a count below `hdfs.replication`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DATANODE_NAME, dataNodeHost, dataNodeStatesScript, excludedScript, excludeScript, NAMENODE_NAME, refreshNodesScript } from "../components/hdfs/spec";
import { DECOMMISSIONED_ANNOTATION } from "../components/kit/manifests";
import { ConfigError } from "./config/load";
import { section } from "./config/schema";
import type { LoadedPlatform } from "./config/stack";
import { markStatefulSet } from "./marks";
import { EXEC_RIGHT, execForbidden, lastLine, type LiveCluster } from "./scale-checks";

const SETTING = "hdfs.dataNodes.replicas";
const CONTAINER = "namenode";
/** How long a DataNode may still read Normal after the refresh before the exclusion counts as ignored. */
const IGNORED_AFTER_S = 60;

/** What a run changes in the NameNodes' exclude list. */
export interface DataNodeChange {
  from: number;
  to: number;
  /** Ordinals to decommission now (those the scale-down removes). */
  decommission: number[];
  /** Ordinals excluded earlier that the new count brings back. */
  readmit: number[];
  /** The exclude list afterwards. */
  excluded: number[];
  /** The NameNode pods, each with its own exclude file. */
  nameNodes: string[];
  /** The exclude list before: put back when the run gives up. */
  previous: number[];
  /** How long to wait for the decommission. */
  timeoutS: number;
}

export const parseOrdinals = (mark: string | undefined) =>
  (mark ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** A script in a NameNode's container; its output, or an Error with its last line. */
async function inNameNode(cluster: LiveCluster, namespace: string, nameNode: string, script: string): Promise<string> {
  const r = await cluster.exec(namespace, nameNode, CONTAINER, ["/bin/bash", "-c", script]);
  if (r.code !== 0) throw new Error(lastLine(r.output) || `exit ${r.code}`);
  return r.output;
}

/** The DataNodes' decommission states as the (active) NameNode reports them: host -> status. */
export async function dataNodeStates(cluster: LiveCluster, namespace: string, nameNode: string): Promise<Map<string, string>> {
  const output = await inNameNode(cluster, namespace, nameNode, dataNodeStatesScript());
  const states = new Map<string, string>();
  for (const line of output.split("\n")) {
    const m = /^datanode (\S+) (.+)$/.exec(line.trim());
    if (m) states.set(m[1], m[2]);
  }
  return states;
}

/** The ordinals the NameNode's exclude file lists. */
async function listedOrdinals(cluster: LiveCluster, namespace: string, nameNode: string): Promise<number[]> {
  const output = await inNameNode(cluster, namespace, nameNode, excludedScript());
  const own = new RegExp(`^${DATANODE_NAME}-(\\d+)\\.`);
  return output
    .split("\n")
    .map((l) => own.exec(l.trim())?.[1])
    .filter((o): o is string => o !== undefined)
    .map(Number);
}

/**
 * The change a run makes, from the deployed StatefulSet (its count and mark) and the NameNode's
 * exclude file (which a restored cluster's mark may have lost); undefined when the exclude list
 * stays as it is. Refused when the change needs the NameNode and it cannot be asked: nothing is
 * changed then. A scale-up that readmits nothing the program knows of goes ahead without it.
 */
export async function planDataNodes(p: LoadedPlatform, cluster: LiveCluster): Promise<DataNodeChange | undefined> {
  if (!p.config.engines.hdfs) return undefined;
  const hdfs = section(p.config, "hdfs");
  const ns = p.settings.namespace;
  const live = await cluster.statefulSet(ns, DATANODE_NAME);
  if (!live) return undefined;
  const wanted = hdfs.dataNodes.replicas;
  const marked = parseOrdinals(live.annotations[DECOMMISSIONED_ANNOTATION]);
  // The exclude file is read at every run, not only when the count changes: a scale-down whose run
  // stopped before the StatefulSet shrank, then reverted, leaves DataNodes to readmit.
  const nameNodes = range(0, hdfs.highAvailability ? 2 : 1).map((i) => `${NAMENODE_NAME}-${i}`);
  let listed: number[] | undefined;
  let unreachable = "";
  try {
    listed = await listedOrdinals(cluster, ns, nameNodes[0]);
  } catch (e) {
    unreachable = (e as Error).message.split("\n")[0];
  }
  const before = [...new Set([...marked, ...(listed ?? [])])].sort((a, b) => a - b);
  const decommission = range(wanted, live.replicas);
  const readmit = before.filter((o) => o < wanted);
  if (!decommission.length && !readmit.length) return undefined;
  if (listed === undefined) {
    const hint = execForbidden(unreachable)
      ? EXEC_RIGHT
      : /No such file/.test(unreachable)
        ? "The running NameNode has no exclude file yet: deploy this version first (its NameNodes restart with one), then change the count"
        : "Change the count once the NameNode runs";
    throw new ConfigError([
      `${SETTING} (stack ${p.stack}): ${describe({ from: live.replicas, to: wanted, decommission, readmit })}, and the program cannot reach the NameNode to do it (${nameNodes[0]}: ${unreachable}). ${hint}; nothing was changed.`,
    ]);
  }
  const excluded = [...new Set([...before.filter((o) => o >= wanted), ...decommission])].sort((a, b) => a - b);
  return {
    from: live.replicas,
    to: wanted,
    decommission,
    readmit,
    excluded,
    nameNodes,
    previous: before,
    timeoutS: hdfs.dataNodes.decommissionTimeoutMinutes * 60,
  };
}

const names = (ordinals: number[]) => ordinals.map((o) => `${DATANODE_NAME}-${o}`).join(", ");

function describe(c: Pick<DataNodeChange, "from" | "to" | "decommission" | "readmit">): string {
  const parts = [
    c.decommission.length &&
      `lowering it from ${c.from} to ${c.to} decommissions ${names(c.decommission)} first (their blocks are copied to the DataNodes that stay, then the pods go)`,
    c.readmit.length && `${c.to} DataNodes readmit ${names(c.readmit)}, decommissioned earlier, before their pods start`,
  ];
  return parts.filter(Boolean).join("; ");
}

export const describeDataNodes = (c: DataNodeChange) => `${SETTING}: ${describe(c)}.`;

/**
 * At `up`, before the StatefulSet changes: the exclude files, the NameNodes' refresh, and for a
 * scale-down the wait until the NameNode reports every removed DataNode Decommissioned. A run that
 * fails, runs out of time, or finds a DataNode ignored or unreported puts the exclude list back as it was
 * (the DataNodes return to service) and refuses: the StatefulSet keeps its count.
 */
export interface ApplyOptions {
  intervalMs?: number;
  /** How long a leaving DataNode may read Normal, or be missing from the report, before the run gives up. */
  ignoredAfterS?: number;
  /** Told the pending DataNodes' states about once a minute, while the blocks are copied. */
  progress?: (message: string) => unknown;
}

export async function applyDataNodes(p: LoadedPlatform, cluster: LiveCluster, c: DataNodeChange, o: ApplyOptions = {}): Promise<void> {
  const ignoredAfterS = o.ignoredAfterS ?? IGNORED_AFTER_S;
  const ns = p.settings.namespace;
  const at = `${SETTING} (stack ${p.stack})`;
  const run = (pod: string, script: string, what: string) =>
    inNameNode(cluster, ns, pod, script).catch((e) => {
      throw new Error(`${what} failed in ${pod}: ${(e as Error).message}`);
    });
  const exclude = async (ordinals: number[]) => {
    for (const nn of c.nameNodes) await run(nn, excludeScript(ordinals.map((i) => dataNodeHost(i, ns, p.settings.clusterDomain))), "writing the exclude file");
    await run(c.nameNodes[0], refreshNodesScript(), "dfsadmin -refreshNodes");
  };
  const giveUp = async (why: string) => {
    const back = await exclude(c.previous).then(
      () => "they are back in service",
      (e) => `putting the exclude list back failed too (${(e as Error).message})`,
    );
    return new ConfigError([`${at}: ${why}; ${back}. The DataNodes keep their count (${c.from}); nothing else was changed.`]);
  };
  try {
    await exclude(c.excluded);
  } catch (e) {
    throw await giveUp((e as Error).message);
  }
  const leaving = c.decommission.map((i) => dataNodeHost(i, ns, p.settings.clusterDomain));
  const started = Date.now();
  let lastTold = started;
  const deadline = Date.now() + c.timeoutS * 1000;
  for (;;) {
    let states: Map<string, string>;
    try {
      states = await dataNodeStates(cluster, ns, c.nameNodes[0]);
    } catch (e) {
      throw await giveUp(`reading the DataNodes' states failed: ${(e as Error).message}`);
    }
    const pending = leaving.filter((h) => states.get(h) !== "Decommissioned");
    if (!pending.length) return;
    const short = (hs: string[]) => hs.map((h) => h.split(".")[0]).join(", ");
    if (Date.now() - started >= ignoredAfterS * 1000) {
      // A DataNode the NameNode does not report may register under another name: nothing vouches for its blocks.
      const unknown = pending.filter((h) => !states.has(h));
      if (unknown.length)
        throw await giveUp(
          `the NameNode does not report ${short(unknown)} among its DataNodes, so nothing confirms its blocks are elsewhere (does it register under another name?)`,
        );
      // A NameNode ignores an excluded name it cannot resolve ("Failed to resolve address" in its log).
      const ignored = pending.filter((h) => states.get(h) === "Normal");
      if (ignored.length)
        throw await giveUp(
          `the NameNode still reports ${short(ignored)} Normal ${ignoredAfterS}s after dfsadmin -refreshNodes: it ignores a host name it cannot resolve (its log says "Failed to resolve address"); check the DataNodes' headless Service`,
        );
    }
    if (Date.now() - lastTold >= 60_000) {
      lastTold = Date.now();
      await o.progress?.(
        `${SETTING}: waiting for ${pending.map((h) => `${h.split(".")[0]} (${states.get(h) ?? "not reported"})`).join(", ")}; ${Math.round((Date.now() - started) / 60_000)} of ${c.timeoutS / 60} min.`,
      );
    }
    if (Date.now() > deadline) {
      const list = pending.map((h) => `${h.split(".")[0]} (${states.get(h) ?? "not reported"})`).join(", ");
      throw await giveUp(
        `${list} still decommissioning after hdfs.dataNodes.decommissionTimeoutMinutes (${c.timeoutS / 60}): their blocks were not all copied yet. Raise it, or lower the count in smaller steps`,
      );
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 10_000));
  }
}

/** The DataNode StatefulSet as this run registers it: marked with the exclude list. */
export function dataNodesTransform(namespace: string, c: DataNodeChange): pulumi.ResourceTransform {
  return markStatefulSet(namespace, DATANODE_NAME, { [DECOMMISSIONED_ANNOTATION]: c.excluded.join(",") });
}
