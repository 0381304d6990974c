/**
 * Scale-downs that would lose data are refused before anything is registered: the program asks the
 * running cluster (as `pulumi preview` runs it) what the pods to be removed still hold.
 */
import { apiStatus, kubeConfigFor, kubernetesClient } from "./cluster";
import { BROKER_NAME, removedBrokerIds, replicasOnBrokersScript } from "../components/kafka/spec";
import { ConfigError } from "./config/load";
import { section } from "./config/schema";
import type { LoadedPlatform } from "./config/stack";

/** What the checks read from the cluster. */
export interface LiveCluster {
  /** A StatefulSet's spec.replicas; undefined when it does not exist (a first deploy). */
  replicas(namespace: string, name: string): Promise<number | undefined>;
  /** A command in a running pod's container, as `kubectl exec` runs it. */
  exec(namespace: string, pod: string, container: string, command: string[]): Promise<{ code: number; output: string }>;
}

const SHOWN = 10;

export async function checkScaleDown(p: LoadedPlatform, cluster: LiveCluster): Promise<void> {
  if (!p.config.engines.kafka) return;
  const ns = p.settings.namespace;
  const wanted = section(p.config, "kafka").brokers;
  let live: number | undefined;
  try {
    live = await cluster.replicas(ns, BROKER_NAME);
  } catch (e) {
    throw new ConfigError([`kafka.brokers (stack ${p.stack}): cannot read StatefulSet ${ns}/${BROKER_NAME} to compare the count with: ${(e as Error).message.split("\n")[0]}`]);
  }
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
    async replicas(namespace, name) {
      try {
        return (await kc.makeApiClient(client.AppsV1Api).readNamespacedStatefulSet({ name, namespace })).spec?.replicas ?? 1;
      } catch (e) {
        if (apiStatus(e) === 404) return undefined;
        throw e;
      }
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
