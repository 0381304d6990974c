/**
 * Size changes the cluster cannot take are refused before anything is registered, from what the
 * running cluster reports (as `pulumi preview` runs the program): a quorum's new size, a volume
 * that would shrink or cannot grow, and a scale-down whose removed pods still hold data.
 */
import { apiStatus, kubeConfigFor, kubernetesClient } from "./cluster";
import { BROKER_NAME, removedBrokerIds, replicasOnBrokersScript } from "../components/kafka/spec";
import { FIXED_SIZE_ANNOTATION } from "../components/kit/manifests";
import { memoryBytes } from "../components/kit/quantity";
import type { Storage } from "../components/kit/sizing";
import { ConfigError } from "./config/load";
import { section } from "./config/schema";
import type { LoadedPlatform } from "./config/stack";

/** What the checks read from the cluster. */
export interface LiveStatefulSet {
  replicas: number;
  annotations: Record<string, string>;
  /** Its volumeClaimTemplates: the size each claim asks for, and its StorageClass. */
  claims: { name: string; size: string; storageClass?: string }[];
}

export interface LiveCluster {
  /** A deployed StatefulSet; undefined when it does not exist (a first deploy). */
  statefulSet(namespace: string, name: string): Promise<LiveStatefulSet | undefined>;
  /** Whether a StorageClass lets claims grow (`allowVolumeExpansion`); undefined when there is no such class. */
  expandable(storageClass: string | undefined): Promise<{ name: string; expandable: boolean } | undefined>;
  /** A command in a running pod's container, as `kubectl exec` runs it. */
  exec(namespace: string, pod: string, container: string, command: string[]): Promise<{ code: number; output: string }>;
}

const SHOWN = 10;

/** The deployed StatefulSet a setting sizes, or undefined before the first deploy. */
async function deployed(p: LoadedPlatform, cluster: LiveCluster, setting: string, name: string) {
  const ns = p.settings.namespace;
  try {
    return await cluster.statefulSet(ns, name);
  } catch (e) {
    throw new ConfigError([`${setting} (stack ${p.stack}): cannot read StatefulSet ${ns}/${name} to compare the count with: ${(e as Error).message.split("\n")[0]}`]);
  }
}

/** [setting, the StatefulSet it sizes, its value] for each size the guard fixes (kit/size-guard). */
function fixedSizes(p: LoadedPlatform): [string, string, number][] {
  const c = p.config;
  const hdfs = c.engines.hdfs ? section(c, "hdfs") : undefined;
  return [
    ...(c.engines.zookeeper ? [["zookeeper.replicas", "zookeeper", section(c, "zookeeper").replicas] as [string, string, number]] : []),
    ...(c.engines.kafka ? [["kafka.controllers.replicas", "kafka-controller", section(c, "kafka").controllers.replicas] as [string, string, number]] : []),
    ...(hdfs?.journalNodes ? [["hdfs.journalNodes.replicas", "hdfs-journalnode", hdfs.journalNodes.replicas] as [string, string, number]] : []),
    ...(c.engines.minio ? [["minio.replicas", "minio", section(c, "minio").replicas] as [string, string, number]] : []),
  ];
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
  if (problems.length) throw new ConfigError(problems);
}

/** [setting, the StatefulSet whose claims it sizes, its value] for each volume the stack keeps. */
function volumes(p: LoadedPlatform): [string, string, Storage][] {
  const c = p.config;
  const on = c.engines;
  const hdfs = on.hdfs ? section(c, "hdfs") : undefined;
  const kafka = on.kafka ? section(c, "kafka") : undefined;
  const rows: ([string, string, Storage | undefined] | false)[] = [
    !!kafka && ["kafka.storage", "kafka-broker", kafka.storage],
    !!kafka && ["kafka.controllers.storage", "kafka-controller", kafka.controllers.storage],
    on.zookeeper && ["zookeeper.storage", "zookeeper", section(c, "zookeeper").storage],
    on.minio && ["minio.storage", "minio", section(c, "minio").storage],
    on.mysql && ["mysql.storage", "mysql", section(c, "mysql").storage],
    !!hdfs && ["hdfs.nameNode.storage", "hdfs-namenode", hdfs.nameNode.storage],
    !!hdfs && ["hdfs.dataNodes.storage", "hdfs-datanode", hdfs.dataNodes.storage],
    !!hdfs?.journalNodes && ["hdfs.journalNodes.storage", "hdfs-journalnode", hdfs.journalNodes.storage],
  ];
  return rows.filter((r): r is [string, string, Storage] => !!r && !!r[2]);
}

/**
 * A volume size may only grow, and only on a StorageClass that lets claims expand; a claim keeps
 * its StorageClass. Checked against the deployed StatefulSets' claim templates.
 */
export async function checkStorage(p: LoadedPlatform, cluster: LiveCluster): Promise<void> {
  const problems: string[] = [];
  for (const [setting, name, wanted] of volumes(p)) {
    const live = await deployed(p, cluster, setting, name);
    const claim = live?.claims[0];
    if (!claim) continue;
    const at = `${setting} (stack ${p.stack})`;
    if ((wanted.storageClass ?? undefined) !== (claim.storageClass ?? undefined)) {
      problems.push(`${at}: storageClass: StatefulSet ${name}'s volumes are on ${claim.storageClass ?? "no StorageClass"}; a volume cannot move to ${wanted.storageClass ?? "the default"}. Keep ${claim.storageClass ? `storageClass: ${claim.storageClass}` : "it unset"}.`);
      continue;
    }
    const [from, to] = [memoryBytes(claim.size), memoryBytes(wanted.size)];
    if (to < from) {
      problems.push(`${at}: size: ${wanted.size} is smaller than StatefulSet ${name}'s volumes (${claim.size}); volumes cannot shrink. Keep ${claim.size} or more.`);
    } else if (to > from) {
      const sc = await cluster.expandable(claim.storageClass);
      if (!sc?.expandable) {
        const which = !sc ? (claim.storageClass ? `StorageClass ${claim.storageClass} does not exist` : "the volumes have no StorageClass") : `StorageClass ${sc.name} does not set allowVolumeExpansion: true`;
        problems.push(`${at}: size: growing StatefulSet ${name}'s volumes from ${claim.size} to ${wanted.size} needs a StorageClass that lets claims expand, and ${which}. Keep ${claim.size} (README: Growing volumes).`);
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);
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
    const held = result.output.split("\n").filter((l) => l.startsWith("held ")).map((l) => l.slice("held ".length));
    const shown = held.slice(0, SHOWN).join("; ") + (held.length > SHOWN ? `; and ${held.length - SHOWN} more` : "");
    throw new ConfigError([
      `${what}, which still hold${ids.length > 1 ? "" : "s"} replicas of ${held.length} partition${held.length > 1 ? "s" : ""} (${shown}). ` +
      `Move them to brokers 0-${wanted - 1} first (README: Removing brokers), then lower the count; nothing was changed.`,
    ]);
  }
  throw new ConfigError([
    `${what}, and the program cannot confirm they hold no partition replicas (${BROKER_NAME}-0: ${result.output.trim().split("\n").pop() || `exit ${result.code}`}). ` +
    "Lower the count once the brokers run and hold nothing; nothing was changed.",
  ]);
}

/** The cluster of a real run: the stack's kubeconfig and context, as the provider uses them. */
export function liveCluster(settings: LoadedPlatform["settings"], stackFile?: string): LiveCluster {
  const client = kubernetesClient();
  const kc = kubeConfigFor(settings, stackFile);
  return {
    async statefulSet(namespace, name) {
      try {
        const sts = await kc.makeApiClient(client.AppsV1Api).readNamespacedStatefulSet({ name, namespace });
        const claims = (sts.spec?.volumeClaimTemplates ?? []).map((t) => ({
          name: t.metadata?.name ?? "", size: String(t.spec?.resources?.requests?.storage ?? "0"), storageClass: t.spec?.storageClassName,
        }));
        return { replicas: sts.spec?.replicas ?? 1, annotations: sts.metadata?.annotations ?? {}, claims };
      } catch (e) {
        if (apiStatus(e) === 404) return undefined;
        throw e;
      }
    },
    async expandable(storageClass) {
      const classes = (await kc.makeApiClient(client.StorageV1Api).listStorageClass()).items;
      // No class named: the cluster's default class, when it has one, is what the claim got.
      const sc = storageClass
        ? classes.find((c) => c.metadata?.name === storageClass)
        : classes.find((c) => c.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true");
      return sc && { name: sc.metadata!.name!, expandable: sc.allowVolumeExpansion === true };
    },
    async exec(namespace, pod, container, command) {
      const { Writable } = await import("node:stream");
      let output = "";
      const sink = new Writable({ write(chunk, _enc, done) { output += chunk.toString(); done(); } });
      const status = await new Promise<{ status?: string; details?: { causes?: { reason?: string; message?: string }[] }; message?: string }>((resolve, reject) => {
        new client.Exec(kc).exec(namespace, pod, container, command, sink, sink, null, false, (s) => resolve(s as never)).catch(reject);
      });
      if (status.status === "Success") return { code: 0, output };
      const exitCode = status.details?.causes?.find((c) => c.reason === "ExitCode")?.message;
      return { code: exitCode ? Number(exitCode) : -1, output: output || status.message || "" };
    },
  };
}
