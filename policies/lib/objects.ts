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

export const WORKLOAD_KINDS = [
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "CronJob",
  "ReplicationController",
  "PodTemplate",
] as const;

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
    case "ReplicationController":
      return props?.spec?.template?.spec;
    case "PodTemplate":
      return props?.template?.spec;
    default:
      return undefined;
  }
}

/** Long-running workloads (not Jobs) must answer probes and have disruption budgets. */
export function isLongRunning(type: string): boolean {
  return ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"].includes(kindOf(type) ?? "");
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

/** Replica count of a workload (undefined for kinds without one). */
export function replicasOf(type: string, props: any): number | undefined {
  const kind = kindOf(type);
  if (kind === "Deployment" || kind === "StatefulSet" || kind === "ReplicaSet" || kind === "ReplicationController") return props?.spec?.replicas ?? 1;
  return undefined;
}

/** True when a non-empty label selector (matchLabels and matchExpressions) picks the given labels. */
export function selects(selector: any, labels: Record<string, string>): boolean {
  const entries = Object.entries<string>(selector?.matchLabels ?? {});
  const expressions: any[] = selector?.matchExpressions ?? [];
  if (entries.length === 0 && expressions.length === 0) return false;
  const expressionHolds = (e: any) => {
    const has = e.key in labels;
    switch (e.operator) {
      case "In":
        return has && (e.values ?? []).includes(labels[e.key]);
      case "NotIn":
        return !has || !(e.values ?? []).includes(labels[e.key]);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
      default:
        return false;
    }
  };
  return entries.every(([k, v]) => labels[k] === v) && expressions.every(expressionHolds);
}

/** A property, or undefined when the engine cannot know it yet (an unknown value during preview). */
export function known(obj: any, key: string | number): unknown {
  try {
    return obj[key];
  } catch {
    return undefined;
  }
}

/** Every known string inside a value, with its path, for scans such as default credentials. */
export function* stringsIn(value: unknown, path = ""): Generator<{ path: string; value: string }> {
  if (typeof value === "string") yield { path, value };
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringsIn(known(value, i), `${path}[${i}]`);
  else if (value && typeof value === "object") {
    for (const k of Object.keys(value)) yield* stringsIn(known(value, k), path ? `${path}.${k}` : k);
  }
}

/** A Java properties file's keys and values (comments skipped). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([\w.-]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m && !line.trim().startsWith("#")) out[m[1]] = m[2];
  }
  return out;
}
