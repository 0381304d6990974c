/**
 * The platform's health as Kubernetes sees it: for every workload the program deploys (and every one
 * a chart made), ready against desired pods, crash loops and restarts, its claims bound, its Services
 * with endpoints, and the namespace's recent warning events. Pure: `readCluster` gathers, `assess` judges.
 */
import type * as k8s from "@kubernetes/client-node";
import type { EngineReport } from "./engine-health";

export type State = "healthy" | "degraded" | "down";
export const EXIT_OF: Record<State, number> = { healthy: 0, degraded: 1, down: 2 };

export interface WorkloadReport {
  kind: string;
  name: string;
  desired: number;
  ready: number;
  state: State;
  problems: string[];
}

export interface HealthReport {
  namespace: string;
  state: State;
  workloads: WorkloadReport[];
  /** Recent warning events: `<kind>/<name>: <reason>: <message>`. */
  warnings: string[];
  /** The engines' own view (infra/engine-health.ts), when they were asked. */
  engines?: EngineReport[];
}

/** What the cluster holds, reduced to what health needs. */
export interface Observed {
  workloads: {
    kind: string;
    name: string;
    desired: number;
    ready: number;
    selector: Record<string, string>;
    /** Its pod template's labels (a chart's selector may lack the platform's labels). */
    labels?: Record<string, string>;
    claimTemplates: string[];
    /** Ports its pods serve over HTTPS: their probes ask them so (MinIO), or they are named https (the Hadoop daemons). */
    httpsPorts?: number[];
  }[];
  pods: { name: string; labels: Record<string, string>; ready: boolean; restarts: number; waiting?: string }[];
  claims: { name: string; phase: string }[];
  services: { name: string; selector: Record<string, string>; headless: boolean; endpoints: number }[];
  events: { type: string; object: string; reason: string; message: string; last: number }[];
}

/** Restarts from this many up are a problem, not a hiccup. */
const RESTARTS_WORTH_TELLING = 3;
/** Warning events younger than this are reported. */
export const RECENT_MS = 60 * 60 * 1000;

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

export const worst = (states: State[]): State => (states.includes("down") ? "down" : states.includes("degraded") ? "degraded" : "healthy");

function assessWorkload(w: Observed["workloads"][number], o: Observed): WorkloadReport {
  const problems: string[] = [];
  let state: State = "healthy";
  const worse = (s: State, problem: string) => {
    problems.push(problem);
    state = worst([state, s]);
  };
  if (w.desired > 0 && w.ready === 0) worse("down", `0/${w.desired} pods ready`);
  else if (w.ready < w.desired) worse("degraded", `${w.ready}/${w.desired} pods ready`);
  for (const pod of o.pods.filter((p) => selects(w.selector, p.labels))) {
    if (pod.waiting === "CrashLoopBackOff") worse("degraded", `pod ${pod.name} is crash-looping (${pod.restarts} restarts)`);
    else if (pod.restarts >= RESTARTS_WORTH_TELLING) problems.push(`pod ${pod.name} restarted ${pod.restarts} times`);
  }
  for (const template of w.claimTemplates) {
    for (let i = 0; i < w.desired; i++) {
      const name = `${template}-${w.name}-${i}`;
      const claim = o.claims.find((c) => c.name === name);
      if (claim?.phase !== "Bound") worse("degraded", `claim ${name} is ${claim ? claim.phase : "missing"}`);
    }
  }
  for (const svc of o.services.filter((s) => !s.headless && selects(s.selector, { ...w.selector }))) {
    if (w.desired > 0 && svc.endpoints === 0) worse(w.ready === 0 ? "down" : "degraded", `Service ${svc.name} has no ready endpoint`);
  }
  return { kind: w.kind, name: w.name, desired: w.desired, ready: w.ready, state, problems };
}

/**
 * Every expected workload (`kind/name`, from the program's plan) and every other one the namespace
 * holds for the platform; a missing expected workload is down.
 */
export function assess(namespace: string, expected: string[], o: Observed, now = Date.now()): HealthReport {
  const present = new Set(o.workloads.map((w) => `${w.kind}/${w.name}`));
  const missing: WorkloadReport[] = expected
    .filter((e) => !present.has(e))
    .map((e) => {
      const [kind, name] = e.split("/");
      return { kind, name, desired: 0, ready: 0, state: "down" as State, problems: ["not in the cluster"] };
    });
  const workloads = [...o.workloads.map((w) => assessWorkload(w, o)), ...missing].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  const warnings = o.events
    .filter((e) => e.type === "Warning" && now - e.last <= RECENT_MS)
    .sort((a, b) => b.last - a.last)
    .map((e) => `${e.object}: ${e.reason}: ${e.message}`);
  return { namespace, state: worst(workloads.map((w) => w.state)), workloads, warnings: [...new Set(warnings)] };
}

const PART_OF = { "app.kubernetes.io/part-of": "data-platform" };

/** Reads what `assess` needs from the namespace, through the API server. */
export async function readCluster(kc: k8s.KubeConfig, client: typeof k8s, namespace: string): Promise<Observed> {
  const apps = kc.makeApiClient(client.AppsV1Api);
  const core = kc.makeApiClient(client.CoreV1Api);
  const partOf = (labels?: Record<string, string>) => labels?.["app.kubernetes.io/part-of"] === PART_OF["app.kubernetes.io/part-of"];
  const [sts, deploys, pods, claims, services, endpoints, events] = await Promise.all([
    apps.listNamespacedStatefulSet({ namespace }),
    apps.listNamespacedDeployment({ namespace }),
    core.listNamespacedPod({ namespace }),
    core.listNamespacedPersistentVolumeClaim({ namespace }),
    core.listNamespacedService({ namespace }),
    core.listNamespacedEndpoints({ namespace }),
    core.listNamespacedEvent({ namespace }),
  ]);
  const workloads = [
    ...sts.items
      .filter((s) => partOf(s.spec?.template.metadata?.labels))
      .map((s) => ({
        kind: "StatefulSet",
        name: s.metadata!.name!,
        desired: s.spec?.replicas ?? 1,
        ready: s.status?.readyReplicas ?? 0,
        selector: s.spec?.selector.matchLabels ?? {},
        labels: s.spec?.template.metadata?.labels ?? {},
        claimTemplates: (s.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata!.name!),
        httpsPorts: httpsPorts(s.spec?.template.spec),
      })),
    ...deploys.items
      .filter((d) => partOf(d.spec?.template.metadata?.labels))
      .map((d) => ({
        kind: "Deployment",
        name: d.metadata!.name!,
        desired: d.spec?.replicas ?? 1,
        ready: d.status?.readyReplicas ?? 0,
        selector: d.spec?.selector.matchLabels ?? {},
        labels: d.spec?.template.metadata?.labels ?? {},
        claimTemplates: [],
        httpsPorts: httpsPorts(d.spec?.template.spec),
      })),
  ];
  const readyAddresses = new Map(endpoints.items.map((e) => [e.metadata!.name!, (e.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0)]));
  return {
    workloads,
    pods: pods.items.map((p) => ({
      name: p.metadata!.name!,
      labels: p.metadata?.labels ?? {},
      ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
      restarts: (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
      waiting: (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).find(Boolean),
    })),
    claims: claims.items.map((c) => ({ name: c.metadata!.name!, phase: c.status?.phase ?? "Pending" })),
    services: services.items.map((s) => ({
      name: s.metadata!.name!,
      selector: s.spec?.selector ?? {},
      headless: s.spec?.clusterIP === "None",
      endpoints: readyAddresses.get(s.metadata!.name!) ?? 0,
    })),
    events: events.items.map((e) => ({
      type: e.type ?? "",
      object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
      reason: e.reason ?? "",
      message: (e.message ?? "").split("\n")[0],
      last: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).getTime(),
    })),
  };
}

/** The ports a pod template serves with TLS: those its probes ask over HTTPS, and those named https. */
export function httpsPorts(spec: { containers?: unknown[] } | undefined): number[] {
  const ports = new Set<number>();
  for (const c of (spec?.containers ?? []) as { ports?: { name?: string; containerPort: number }[]; [probe: string]: unknown }[]) {
    for (const p of c.ports ?? []) if (p.name === "https") ports.add(p.containerPort);
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      const get = (c[probe] as { httpGet?: { port: number | string; scheme?: string } } | undefined)?.httpGet;
      if (get?.scheme !== "HTTPS") continue;
      const port = typeof get.port === "number" ? get.port : c.ports?.find((p) => p.name === get.port)?.containerPort;
      if (port !== undefined) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}
