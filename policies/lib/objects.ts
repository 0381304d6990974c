/** Reading Kubernetes objects as the pack sees them: Pulumi type tokens, pod specs, containers. */

/** `kubernetes:apps/v1:StatefulSet` -> `StatefulSet`; non-Kubernetes types -> undefined. */
export function kindOf(type: string): string | undefined {
  return type.startsWith("kubernetes:") ? type.slice(type.lastIndexOf(":") + 1) : undefined;
}

/** The Pulumi type token of a plain manifest (`apps/v1` + `StatefulSet`). */
export function typeOfManifest(apiVersion: string, kind: string): string {
  const groupVersion = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  return `kubernetes:${groupVersion}:${kind}`;
}

export const WORKLOAD_KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const;

/** The pod spec inside any pod-creating object, or undefined for other kinds. */
export function podSpecOf(type: string, props: any): any | undefined {
  switch (kindOf(type)) {
    case "Pod":
      return props?.spec;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return props?.spec?.template?.spec;
    case "CronJob":
      return props?.spec?.jobTemplate?.spec?.template?.spec;
    default:
      return undefined;
  }
}

/** Long-running workloads (not Jobs) must answer probes and have disruption budgets. */
export function isLongRunning(type: string): boolean {
  return ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(kindOf(type) ?? "");
}

export interface ContainerAt {
  container: any;
  /** "container kafka", "init container setup", "ephemeral container debug". */
  where: string;
}

export function containersOf(pod: any): ContainerAt[] {
  const list = (field: string, label: string) => ((pod?.[field] ?? []) as any[]).map((c) => ({ container: c, where: `${label} ${c?.name ?? "?"}` }));
  return [...list("initContainers", "init container"), ...list("containers", "container"), ...list("ephemeralContainers", "ephemeral container")];
}

/** A container's effective security setting: its own, else the pod's. */
export function effective<T>(pod: any, container: any, field: string): T | undefined {
  return container?.securityContext?.[field] ?? pod?.securityContext?.[field];
}

export function labelsOf(props: any): Record<string, string> {
  return props?.metadata?.labels ?? {};
}

/** Replica count of a workload (undefined for kinds without one). */
export function replicasOf(type: string, props: any): number | undefined {
  const kind = kindOf(type);
  if (kind === "Deployment" || kind === "StatefulSet" || kind === "ReplicaSet") return props?.spec?.replicas ?? 1;
  return undefined;
}

/** True when a label selector's matchLabels all appear in the given labels. */
export function selects(selector: any, labels: Record<string, string>): boolean {
  const match: Record<string, string> = selector?.matchLabels ?? {};
  const entries = Object.entries(match);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v) && !(selector?.matchExpressions?.length);
}

/** Every string inside a value, with its path, for scans such as default credentials. */
export function* stringsIn(value: unknown, path = ""): Generator<{ path: string; value: string }> {
  if (typeof value === "string") yield { path, value };
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringsIn(value[i], `${path}[${i}]`);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* stringsIn(v, path ? `${path}.${k}` : k);
  }
}
