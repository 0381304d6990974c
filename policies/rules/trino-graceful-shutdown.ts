import { stackPolicy } from "../lib/define";
import { containersOf, kindOf, podSpecOf } from "../lib/objects";

/** Trino's default shutdown.grace-period. */
const DEFAULT_GRACE_SECONDS = 120;

export function durationSeconds(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!m) return undefined;
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "ms" | "s" | "m" | "h" | "d"];
  return Number(m[1]) * factor;
}

/** shutdown.grace-period of the workers' config.properties (coordinator=false), in seconds. */
function workerGraceSeconds(resources: any[]): number {
  for (const r of resources.filter((x) => kindOf(x.type) === "ConfigMap")) {
    const text = r.props?.data?.["config.properties"];
    if (typeof text === "string" && /^\s*coordinator\s*=\s*false\s*$/m.test(text)) {
      const m = /^\s*shutdown\.grace-period\s*=\s*(\S+)\s*$/m.exec(text);
      if (m) return durationSeconds(m[1]) ?? DEFAULT_GRACE_SECONDS;
    }
  }
  return DEFAULT_GRACE_SECONDS;
}

function isTrinoWorker(r: any): boolean {
  const pod = podSpecOf(r.type, r.props);
  if (!pod) return false;
  const trino = containersOf(pod).some(({ container }) => /(^|\/)(trino|starburst[\w-]*)[:@]|trinodb\/|starburstdata\//.test(container?.image ?? ""));
  const labels = r.props?.metadata?.labels ?? {};
  const worker = labels["app.kubernetes.io/component"] === "worker" || /worker/.test(r.props?.metadata?.name ?? r.name);
  return trino && worker;
}

export const trinoGracefulShutdown = stackPolicy(
  {
    name: "trino-graceful-shutdown",
    description: "Trino/Starburst workers shut down gracefully: a preStop hook, and terminationGracePeriodSeconds at least twice shutdown.grace-period.",
    enforcementLevel: "mandatory",
    remediationSteps: "Add a preStop hook that puts the worker in SHUTTING_DOWN and set terminationGracePeriodSeconds >= 2 x shutdown.grace-period.",
  },
  (resources, report) => {
    const grace = workerGraceSeconds(resources);
    for (const w of resources.filter(isTrinoWorker)) {
      const pod = podSpecOf(w.type, w.props);
      const name = w.props?.metadata?.name ?? w.name;
      const termination = pod?.terminationGracePeriodSeconds ?? 30;
      if (termination < 2 * grace)
        report(`${kindOf(w.type)} ${name}: terminationGracePeriodSeconds ${termination} is below 2 x shutdown.grace-period (${grace}s)`, w);
      if (!(pod?.containers ?? []).some((c: any) => c?.lifecycle?.preStop)) report(`${kindOf(w.type)} ${name}: no preStop hook to drain running queries`, w);
    }
  },
);
