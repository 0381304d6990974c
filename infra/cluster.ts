/** The cluster a stack deploys to, as the kubernetes provider reaches it: for checks and tools outside the engine. */
import type * as k8s from "@kubernetes/client-node";
import { ConfigError } from "./config/load";
import { PROJECT, type StackSettings } from "./config/stack";

/** Loaded on use: the client is an ES module, which only a real run (Node 22) needs. */
export function kubernetesClient(): typeof k8s {
  return require("@kubernetes/client-node");
}

/** The stack's `kubeconfig` (a path or the file's contents) and `context`; omitted: the ambient kubeconfig. */
export function kubeConfigFor(settings: Pick<StackSettings, "kubeconfig" | "context">, stackFile = "the stack file"): k8s.KubeConfig {
  const kc = new (kubernetesClient().KubeConfig)();
  const inline = settings.kubeconfig && (settings.kubeconfig.trimStart().startsWith("apiVersion") || settings.kubeconfig.includes("\n"));
  try {
    if (!settings.kubeconfig) kc.loadFromDefault();
    else if (inline) kc.loadFromString(settings.kubeconfig);
    else kc.loadFromFile(settings.kubeconfig);
  } catch (e) {
    const what = inline ? "its contents" : (settings.kubeconfig ?? "the ambient kubeconfig");
    throw new ConfigError([`${stackFile}: ${PROJECT}:kubeconfig: cannot load ${what}: ${(e as Error).message.split("\n")[0]}`]);
  }
  if (settings.context && !kc.getContexts().some((c) => c.name === settings.context)) {
    throw new ConfigError([
      `${stackFile}: ${PROJECT}:context: ${settings.context} is not in the kubeconfig; allowed: ${kc
        .getContexts()
        .map((c) => c.name)
        .join(", ")}`,
    ]);
  }
  if (settings.context) kc.setCurrentContext(settings.context);
  return kc;
}

/** An object read from the API server, or undefined when it does not exist (404); other failures throw. */
export async function readIfExists<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (e) {
    if (apiStatus(e) === 404) return undefined;
    throw e;
  }
}

/** The API's HTTP status of a failed call, when it has one (a network error's code is a string such as ECONNREFUSED). */
export function apiStatus(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

/**
 * The one line a tool prints when the API server refuses or cannot be reached while it does `action`
 * (e.g. "export"): the server, the status or network error, and for a refusal the rights it needs.
 */
export function clusterFailure(e: unknown, server: string | undefined, action: string, needs: string): string {
  const status = apiStatus(e);
  const first = (e as Error).message.split("\n")[0];
  if (status === 401 || status === 403) return `the cluster at ${server} refused ${action}: HTTP ${status}; it needs ${needs}`;
  if (status !== undefined)
    return `the cluster at ${server} answered ${action} with HTTP ${status}: ${((e as { body?: { message?: string } }).body)?.message ?? first}`;
  return `cannot reach the cluster at ${server}: ${first}`;
}
