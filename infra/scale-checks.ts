/**
 * Size changes the cluster cannot take are refused before anything is registered, from what the
 * running cluster reports (as `pulumi preview` runs the program): a quorum's new size, a volume
 * that would shrink or cannot grow, and a scale-down whose removed pods still hold data.
 */
import { kubeConfigFor, kubernetesClient, readIfExists } from "./cluster";
import { DATANODE_NAME, JOURNALNODE_NAME, NAMENODE_NAME } from "../components/hdfs/spec";
import { BROKER_NAME, CONTROLLER_NAME, removedBrokerIds, replicasOnBrokersScript } from "../components/kafka/spec";
import { NAME as MINIO_NAME } from "../components/minio/spec";
import { NAME as MYSQL_NAME } from "../components/mysql/spec";
import { NAME as ZOOKEEPER_NAME } from "../components/zookeeper/spec";
import { FIXED_SIZE_ANNOTATION } from "../components/kit/manifests";
import { quantityBytes } from "../components/kit/quantity";
import type { Storage } from "../components/kit/sizing";
import { ConfigError } from "./config/load";
import { section } from "./config/schema";
import type { LoadedPlatform } from "./config/stack";

/** What the checks read from the cluster. */
export interface LiveStatefulSet {
  replicas: number;
  annotations: Record<string, string>;
  /**
   * Its volumeClaimTemplates: the size each claim asks for, and the StorageClass its volumes are on
   * (the first pod's claim's, which the API server set from the default class when none was named).
   */
  claims: { name: string; size: string; storageClass?: string; templateClass?: string }[];
}

export interface LiveCluster {
  /** A deployed StatefulSet; undefined when it does not exist (a first deploy). */
  statefulSet(namespace: string, name: string): Promise<LiveStatefulSet | undefined>;
  /** Whether a StorageClass lets claims grow (`allowVolumeExpansion`); undefined when there is no such class. */
  expandable(storageClass: string): Promise<{ name: string; expandable: boolean } | undefined>;
  /** A command in a running pod's container, as `kubectl exec` runs it. */
  exec(namespace: string, pod: string, container: string, command: string[]): Promise<{ code: number; output: string }>;
  /** The namespace's claims: name, the size each asks for, and its phase. */
  claims(namespace: string): Promise<{ name: string; size: string; phase?: string }[]>;
  /** Asks for a larger size on a claim (the API server refuses it unless its StorageClass lets it expand); `dryRun`: only asks whether it would. */
  growClaim(namespace: string, name: string, size: string, o?: { dryRun?: boolean }): Promise<void>;
  /** Deletes a StatefulSet leaving its pods running (orphan propagation), and returns once it is gone. */
  orphanStatefulSet(namespace: string, name: string): Promise<void>;
}

/** A volume to grow: the StatefulSet whose claims it sizes, the claim template, and its sizes. */
export interface VolumeGrowth {
  setting: string;
  statefulSet: string;
  /** Its claim templates (MinIO has one per drive): claims `<template>-<statefulSet>-<ordinal>`. */
  templates: string[];
  from: string;
  to: string;
}

const SHOWN = 10;

/** The last line a command printed: what it says when it fails. */
export const lastLine = (output: string) => output.trim().split("\n").pop() ?? "";

/** Whether an exec failed for want of the right to exec (pods/exec), and what to grant. */
export const execForbidden = (why: string) => /\b(401|403)\b|forbidden/i.test(why);
export const EXEC_RIGHT = "The deployer needs the right to exec into pods (pods/exec, create) in the namespace";

const EXEC_TIMEOUT_S = 120;
const ORPHAN_TIMEOUT_S = 120;

/** The deployed StatefulSet a setting sizes, or undefined before the first deploy. */
async function deployed(p: LoadedPlatform, cluster: LiveCluster, setting: string, name: string) {
  const ns = p.settings.namespace;
  try {
    return await cluster.statefulSet(ns, name);
  } catch (e) {
    throw new ConfigError([
      `${setting} (stack ${p.stack}): cannot read the deployed StatefulSet ${ns}/${name} (and its first claims) to compare with: ${(e as Error).message.split("\n")[0]}`,
    ]);
  }
}

/** [setting, the StatefulSet it applies to, its value]: the rows of the engines that are on. */
type Row<T> = [string, string, T];
const rows = <T>(candidates: (Row<T> | false | undefined)[]): Row<T>[] => candidates.filter((r): r is Row<T> => !!r);

/** The sections of the engines with quorums or volumes, when on; the JournalNodes only with HA. */
function parts(c: LoadedPlatform["config"]) {
  const on = c.engines;
  const hdfs = on.hdfs ? section(c, "hdfs") : undefined;
  return {
    zookeeper: on.zookeeper ? section(c, "zookeeper") : undefined,
    kafka: on.kafka ? section(c, "kafka") : undefined,
    minio: on.minio ? section(c, "minio") : undefined,
    mysql: on.mysql ? section(c, "mysql") : undefined,
    hdfs,
    journalNodes: hdfs?.highAvailability ? hdfs.journalNodes : undefined,
  };
}

/** Each size the guard fixes (kit/size-guard). */
export function fixedSizes(p: LoadedPlatform): Row<number>[] {
  const { zookeeper, kafka, minio, journalNodes } = parts(p.config);
  return rows([
    zookeeper && ["zookeeper.replicas", ZOOKEEPER_NAME, zookeeper.replicas],
    kafka && ["kafka.controllers.replicas", CONTROLLER_NAME, kafka.controllers.replicas],
    journalNodes && ["hdfs.journalNodes.replicas", JOURNALNODE_NAME, journalNodes.replicas],
    minio && ["minio.replicas", MINIO_NAME, minio.replicas],
  ]);
}

/**
 * A quorum keeps the size it was deployed with: the deployed StatefulSet's own reason is the
 * message (the API server's size guard refuses the same change to any other client).
 */
export async function checkFixedSizes(p: LoadedPlatform, cluster: LiveCluster): Promise<void> {
  const problems: string[] = [];
  for (const [setting, name, wanted] of fixedSizes(p)) {
    const live = await deployed(p, cluster, setting, name);
    const reason = live?.annotations[FIXED_SIZE_ANNOTATION];
    if (!live || !reason || live.replicas === wanted) continue;
    problems.push(`${setting} (stack ${p.stack}): StatefulSet ${name} keeps ${live.replicas} replicas (asked: ${wanted}): ${reason}`);
  }
  // MinIO's drives per server are claim templates: the pool's layout, as fixed as its server count.
  const { minio } = parts(p.config);
  const live = minio && (await deployed(p, cluster, "minio.drivesPerNode", MINIO_NAME));
  if (minio && live?.claims.length && live.claims.length !== minio.drivesPerNode) {
    problems.push(
      `minio.drivesPerNode (stack ${p.stack}): StatefulSet ${MINIO_NAME} keeps ${live.claims.length} drive${live.claims.length > 1 ? "s" : ""} per server (asked: ${minio.drivesPerNode}): its erasure-coded pool was cut from them when it was created. Keep ${live.claims.length} (README: Resizing a quorum).`,
    );
  }
  if (problems.length) throw new ConfigError(problems);
}

/** Each volume the stack keeps, by the StatefulSet whose claims it sizes. */
function volumes(p: LoadedPlatform): Row<Storage>[] {
  const { zookeeper, kafka, minio, mysql, hdfs, journalNodes } = parts(p.config);
  return rows([
    kafka && ["kafka.storage", BROKER_NAME, kafka.storage],
    kafka && ["kafka.controllers.storage", CONTROLLER_NAME, kafka.controllers.storage],
    zookeeper && ["zookeeper.storage", ZOOKEEPER_NAME, zookeeper.storage],
    minio && ["minio.storage", MINIO_NAME, minio.storage],
    mysql && ["mysql.storage", MYSQL_NAME, mysql.storage],
    hdfs && ["hdfs.nameNode.storage", NAMENODE_NAME, hdfs.nameNode.storage],
    hdfs && ["hdfs.dataNodes.storage", DATANODE_NAME, hdfs.dataNodes.storage],
    journalNodes && ["hdfs.journalNodes.storage", JOURNALNODE_NAME, journalNodes.storage],
  ]);
}

/** The StatefulSets that keep volumes, by name. */
export const statefulSetsWithVolumes = (p: LoadedPlatform) => volumes(p).map(([, name]) => name);

/**
 * A volume size may only grow, and only on a StorageClass that lets claims expand; a claim keeps
 * its StorageClass. Checked against the deployed StatefulSets' claim templates; returns the growths
 * asked for (kit/volume-growth carries them out).
 */
export async function checkStorage(p: LoadedPlatform, cluster: LiveCluster): Promise<VolumeGrowth[]> {
  const problems: string[] = [];
  const growths: VolumeGrowth[] = [];
  for (const [setting, name, wanted] of volumes(p)) {
    const live = await deployed(p, cluster, setting, name);
    const claim = live?.claims[0];
    if (!claim) continue;
    const at = `${setting} (stack ${p.stack})`;
    if ((wanted.storageClass ?? undefined) !== (claim.templateClass ?? undefined)) {
      problems.push(
        `${at}: storageClass: StatefulSet ${name}'s volumes are on ${claim.storageClass ?? claim.templateClass ?? "no StorageClass"}; a volume cannot move to ${wanted.storageClass ?? "the default class"}. Keep ${claim.templateClass ? `storageClass: ${claim.templateClass}` : "it unset"}.`,
      );
      continue;
    }
    // The config's sizes passed the schema's quantity pattern.
    const [from, to] = [quantityBytes(claim.size), quantityBytes(wanted.size)!];
    if (from === undefined) {
      problems.push(
        `${at}: size: StatefulSet ${name}'s volumes ask for ${claim.size}, a quantity this check cannot read; compare it with ${wanted.size} by hand.`,
      );
      continue;
    }
    if (to < from) {
      problems.push(
        `${at}: size: ${wanted.size} is smaller than StatefulSet ${name}'s volumes (${claim.size}); volumes cannot shrink. Keep ${claim.size} or more.`,
      );
    } else if (to > from) {
      let sc: { name: string; expandable: boolean } | undefined;
      try {
        sc = claim.storageClass ? await cluster.expandable(claim.storageClass) : undefined;
      } catch (e) {
        problems.push(`${at}: size: cannot read StorageClass ${claim.storageClass} to see whether claims may grow: ${(e as Error).message.split("\n")[0]}`);
        continue;
      }
      if (!sc?.expandable) {
        const which = !sc
          ? claim.storageClass
            ? `StorageClass ${claim.storageClass} does not exist`
            : "the volumes have no StorageClass"
          : `StorageClass ${sc.name} does not set allowVolumeExpansion: true`;
        problems.push(
          `${at}: size: growing StatefulSet ${name}'s volumes from ${claim.size} to ${wanted.size} needs a StorageClass that lets claims expand, and ${which}. Keep ${claim.size} (README: Growing storage).`,
        );
      } else {
        growths.push({ setting, statefulSet: name, templates: live!.claims.map((c) => c.name), from: claim.size, to: wanted.size });
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return growths;
}

export async function checkScaleDown(p: LoadedPlatform, cluster: LiveCluster): Promise<void> {
  if (!p.config.engines.kafka) return;
  const ns = p.settings.namespace;
  const wanted = section(p.config, "kafka").brokers;
  const live = (await deployed(p, cluster, "kafka.brokers", BROKER_NAME))?.replicas;
  if (live === undefined || wanted >= live) return;
  const ids = removedBrokerIds(live, wanted);
  const what = `kafka.brokers (stack ${p.stack}): lowering it from ${live} to ${wanted} removes broker${ids.length > 1 ? "s" : ""} ${ids.join(", ")}`;
  let result: { code: number; output: string };
  try {
    result = await cluster.exec(ns, `${BROKER_NAME}-0`, "kafka", ["/bin/bash", "-c", replicasOnBrokersScript(ids)]);
  } catch (e) {
    result = { code: -1, output: (e as Error).message.split("\n")[0] };
  }
  if (result.code === 0) return;
  if (result.code === 3) {
    const held = result.output
      .split("\n")
      .filter((l) => l.startsWith("held "))
      .map((l) => l.slice("held ".length));
    const shown = held.slice(0, SHOWN).join("; ") + (held.length > SHOWN ? `; and ${held.length - SHOWN} more` : "");
    throw new ConfigError([
      `${what}, which still hold${ids.length > 1 ? "" : "s"} replicas of ${held.length} partition${held.length > 1 ? "s" : ""} (${shown}). ` +
        `Move them to brokers 0-${wanted - 1} first (README: Removing brokers), then lower the count; nothing was changed.`,
    ]);
  }
  const why = lastLine(result.output) || `exit ${result.code}`;
  const hint = execForbidden(why) ? `${EXEC_RIGHT} for this check` : "Lower the count once the brokers run and hold nothing";
  throw new ConfigError([`${what}, and the program cannot confirm they hold no partition replicas (${BROKER_NAME}-0: ${why}). ${hint}; nothing was changed.`]);
}

/** The cluster of a real run: the stack's kubeconfig and context, as the provider uses them. */
export function liveCluster(settings: LoadedPlatform["settings"], stackFile?: string): LiveCluster {
  const client = kubernetesClient();
  const kc = kubeConfigFor(settings, stackFile);
  // Several checks ask about the same StatefulSet (its size, its volumes): read each once per run.
  const read = new Map<string, Promise<LiveStatefulSet | undefined>>();
  const readStatefulSet = async (namespace: string, name: string): Promise<LiveStatefulSet | undefined> => {
    const sts = await readIfExists(kc.makeApiClient(client.AppsV1Api).readNamespacedStatefulSet({ name, namespace }));
    if (!sts) return undefined;
    const core = kc.makeApiClient(client.CoreV1Api);
    const claims = await Promise.all(
      (sts.spec?.volumeClaimTemplates ?? []).map(async (t) => {
        const first = await readIfExists(core.readNamespacedPersistentVolumeClaim({ name: `${t.metadata?.name}-${name}-0`, namespace }));
        return {
          name: t.metadata?.name ?? "",
          size: String(t.spec?.resources?.requests?.storage ?? "0"),
          templateClass: t.spec?.storageClassName,
          storageClass: first?.spec?.storageClassName ?? t.spec?.storageClassName,
        };
      }),
    );
    return { replicas: sts.spec?.replicas ?? 1, annotations: sts.metadata?.annotations ?? {}, claims };
  };
  return {
    statefulSet(namespace, name) {
      const key = `${namespace}/${name}`;
      if (!read.has(key)) read.set(key, readStatefulSet(namespace, name));
      return read.get(key)!;
    },
    async expandable(storageClass) {
      const sc = await readIfExists(kc.makeApiClient(client.StorageV1Api).readStorageClass({ name: storageClass }));
      return sc && { name: storageClass, expandable: sc.allowVolumeExpansion === true };
    },
    async exec(namespace, pod, container, command) {
      const { Writable } = await import("node:stream");
      let output = "";
      const sink = new Writable({
        write(chunk, _enc, done) {
          output += chunk.toString();
          done();
        },
      });
      type Status = { status?: string; details?: { causes?: { reason?: string; message?: string }[] }; message?: string };
      // Ends with the exec's status, or without one when the connection closes or time runs out.
      const status = await new Promise<Status>((resolve, reject) => {
        const timer = setTimeout(() => resolve({ message: `no answer after ${EXEC_TIMEOUT_S}s` }), EXEC_TIMEOUT_S * 1000);
        const done = (s: Status) => {
          clearTimeout(timer);
          resolve(s);
        };
        new client.Exec(kc)
          .exec(namespace, pod, container, command, sink, sink, null, false, (s) => done(s as Status))
          .then((ws) => {
            ws.on("close", () => setTimeout(() => done({ message: "the connection closed without an exit status" }), 1000));
            ws.on("error", (e: Error) => done({ message: e.message }));
          })
          .catch((e) => {
            clearTimeout(timer);
            reject(e);
          });
      });
      if (status.status === "Success") return { code: 0, output };
      const exitCode = status.details?.causes?.find((c) => c.reason === "ExitCode")?.message;
      return { code: exitCode ? Number(exitCode) : -1, output: output || status.message || "" };
    },
    async claims(namespace) {
      const pvcs = await kc.makeApiClient(client.CoreV1Api).listNamespacedPersistentVolumeClaim({ namespace });
      return pvcs.items.map((c) => ({ name: c.metadata!.name!, size: String(c.spec?.resources?.requests?.storage ?? "0"), phase: c.status?.phase }));
    },
    async growClaim(namespace, name, size, o = {}) {
      const body = { spec: { resources: { requests: { storage: size } } } };
      await kc
        .makeApiClient(client.CoreV1Api)
        .patchNamespacedPersistentVolumeClaim(
          { name, namespace, body, ...(o.dryRun ? { dryRun: "All" } : {}) },
          client.setHeaderOptions("Content-Type", client.PatchStrategy.MergePatch),
        );
    },
    async orphanStatefulSet(namespace, name) {
      const apps = kc.makeApiClient(client.AppsV1Api);
      const gone = (await readIfExists(apps.deleteNamespacedStatefulSet({ name, namespace, propagationPolicy: "Orphan" }))) === undefined;
      // The garbage collector releases the pods (and revisions), then the StatefulSet goes.
      const deadline = Date.now() + ORPHAN_TIMEOUT_S * 1000;
      while (!gone && (await readIfExists(apps.readNamespacedStatefulSet({ name, namespace })))) {
        if (Date.now() > deadline) throw new Error(`still there after ${ORPHAN_TIMEOUT_S}s (is the garbage collector running?)`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
  };
}
