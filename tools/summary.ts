/** A plan summary for people: what each engine runs, at what size, and the totals. */
import { cpuCores, memoryBytes } from "../components/kit/quantity";
import type { Plan, PlannedResource } from "./plan";

const GiB = 2 ** 30;

interface Workload {
  kind: string;
  name: string;
  replicas: number;
  image: string;
  cpu: number;
  memory: number;
  storage: number;
}

function workloadOf(r: PlannedResource): Workload | undefined {
  const kind = r.type.split(":").pop()!;
  if (kind !== "StatefulSet" && kind !== "Deployment") return undefined;
  const spec = r.inputs.spec;
  const containers: any[] = spec.template.spec.containers;
  const sum = (f: (c: any) => number) => containers.reduce((acc, c) => acc + f(c), 0);
  return {
    kind,
    name: r.inputs.metadata.name,
    replicas: spec.replicas ?? 1,
    image: containers.map((c) => c.image).join(", "),
    cpu: sum((c) => cpuCores(c.resources?.requests?.cpu ?? "0")),
    memory: sum((c) => memoryBytes(c.resources?.limits?.memory ?? "0")),
    storage: (spec.volumeClaimTemplates ?? []).reduce((acc: number, v: any) => acc + memoryBytes(v.spec.resources.requests.storage), 0),
  };
}

const gib = (bytes: number) => `${(bytes / GiB).toFixed(bytes % GiB === 0 ? 0 : 1)}Gi`;

/** What a chart's values say about its size: Trino's workers, Airflow's executor and parts. */
function chartShape(values: Record<string, any>): string {
  const workers = values.server?.workers ?? values.worker?.replicas;
  if (workers !== undefined) return ` (${workers} workers)`;
  if (values.executor) {
    const parts = ["scheduler", "apiServer", "dagProcessor", "triggerer"].map((p) => `${values[p]?.replicas ?? 1} ${p}`);
    return ` (${values.executor}: ${parts.join(", ")})`;
  }
  return "";
}

export function formatSummary(plan: Plan): string {
  const workloads = plan.resources.map(workloadOf).filter((w): w is Workload => w !== undefined);
  const byType = new Map<string, number>();
  for (const r of plan.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const lines = [`Stack ${plan.stack}: ${plan.resources.length} resources`, "", "Workloads (per replica: CPU request, memory limit, volumes):"];
  for (const w of workloads) {
    lines.push(
      `  ${w.name.padEnd(20)} ${String(w.replicas).padStart(3)} x  ${w.cpu.toFixed(2).padStart(5)} CPU  ${gib(w.memory).padStart(6)}  ${gib(w.storage).padStart(7)}   ${w.image}`,
    );
  }
  const total = (f: (w: Workload) => number) => workloads.reduce((acc, w) => acc + w.replicas * f(w), 0);
  lines.push(
    `  ${"total".padEnd(20)} ${String(total(() => 1)).padStart(3)} pods ${total((w) => w.cpu)
      .toFixed(2)
      .padStart(5)} CPU  ${gib(total((w) => w.memory)).padStart(6)}  ${gib(total((w) => w.storage)).padStart(7)}`,
  );
  const charts = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
  for (const c of charts) {
    lines.push(
      `  + Helm chart ${c.inputs.chart} ${c.inputs.version}${chartShape(c.inputs.values ?? {})}: rendered by the provider at deploy time, not counted above`,
    );
  }
  lines.push("", "Resources by type:");
  for (const [type, n] of [...byType.entries()].sort()) lines.push(`  ${String(n).padStart(3)}  ${type}`);
  return lines.join("\n");
}
