import { jvmFootprintMiB } from "../../components/kit/jvm";
import { memoryMiB, MEMORY_PATTERN } from "../../components/kit/quantity";
import { podPolicy } from "../lib/define";
import { containersOf } from "../lib/objects";

const XMX = /-Xmx(\d+)([kKmMgGtT]?)\b/;
/** Heap variables (MiB, or with a unit) read by the official images' launch scripts. */
const HEAP_MIB_VARS = new Set(["ZK_SERVER_HEAP", "HADOOP_HEAPSIZE", "HADOOP_HEAPSIZE_MAX", "SPARK_DAEMON_MEMORY", "SPARK_DRIVER_MEMORY"]);

function toMiB(amount: number, unit: string): number {
  switch (unit.toLowerCase()) {
    case "k":
      return amount / 1024;
    case "g":
      return amount * 1024;
    case "t":
      return amount * 1024 * 1024;
    case "m":
      return amount;
    default:
      return amount / (1024 * 1024);
  }
}

/** The largest heap a container asks for, from -Xmx flags in env, command or args, or heap variables. */
export function heapOf(container: any): number | undefined {
  const heaps: number[] = [];
  const texts = [...(container?.command ?? []), ...(container?.args ?? [])].map(String);
  for (const env of container?.env ?? []) {
    if (env?.value === undefined) continue;
    if (HEAP_MIB_VARS.has(env.name)) {
      const m = /^(\d+)([mMgG]?)$/.exec(String(env.value));
      if (m) heaps.push(toMiB(Number(m[1]), m[2] || "m"));
    } else texts.push(String(env.value));
  }
  for (const text of texts) {
    const m = XMX.exec(text);
    if (m) heaps.push(toMiB(Number(m[1]), m[2]));
  }
  return heaps.length ? Math.max(...heaps) : undefined;
}

export const jvmHeapWithinLimit = podPolicy(
  {
    name: "jvm-heap-within-limit",
    description: "A JVM's heap plus its non-heap overhead (the larger of 256 MiB and a quarter of the heap) fits the container's memory limit.",
    enforcementLevel: "mandatory",
    remediationSteps: "Lower heapPercent or raise resources.limits.memory in the environment.",
  },
  (pod, report) => {
    for (const { container, where } of containersOf(pod)) {
      const heap = heapOf(container);
      if (heap === undefined) continue;
      const limit = container?.resources?.limits?.memory;
      if (!limit || !MEMORY_PATTERN.test(String(limit))) {
        report(`${where}: sets a ${Math.round(heap)} MiB heap but no memory limit`);
        continue;
      }
      const needed = jvmFootprintMiB(Math.round(heap));
      if (needed > memoryMiB(String(limit))) report(`${where}: heap ${Math.round(heap)} MiB + overhead needs ${needed} MiB, above the ${limit} limit`);
    }
  },
);
