/**
 * Every count a user scales touches one workload's replica count and nothing else: no ConfigMap, no
 * checksum, no other workload, no chart value besides that count (the charts' own rendering is
 * checked on the real provider by the end-to-end suite).
 */
import { get, isEqual } from "lodash";
import { section } from "../infra/config/schema";
import { loadPlatform } from "../infra/config/stack";
import { type Plan, planStack, readStackFile } from "../tools/plan";
import { kindOf, ROOT } from "./helpers";
import { STACKS, stackPlan } from "./support/stack-plans";

type Config = ReturnType<typeof loadPlatform>["config"];

/** [setting, its value in a config, the object it scales (kind/name), the path of the count in its inputs]. */
const COUNTS: [string, (c: Config) => number, string, string][] = [
  ["kafka.brokers", (c) => section(c, "kafka").brokers, "StatefulSet/kafka-broker", "spec.replicas"],
  ["starburst.workers.replicas", (c) => section(c, "starburst").workers.replicas, "Chart/trino", "values.server.workers"],
  ["spark.workers.replicas", (c) => section(c, "spark").workers.replicas, "Deployment/spark-worker", "spec.replicas"],
  ["hdfs.dataNodes.replicas", (c) => section(c, "hdfs").dataNodes.replicas, "StatefulSet/hdfs-datanode", "spec.replicas"],
  ["yarn.nodeManagers.replicas", (c) => section(c, "yarn").nodeManagers.replicas, "StatefulSet/yarn-nodemanager", "spec.replicas"],
  ["impala.executors.replicas", (c) => section(c, "impala").executors.replicas, "Deployment/impala-executor", "spec.replicas"],
  ["impala.coordinators.replicas", (c) => section(c, "impala").coordinators.replicas, "Deployment/impala-coordinator", "spec.replicas"],
  ["hiveMetastore.replicas", (c) => section(c, "hiveMetastore").replicas, "Deployment/hive-metastore", "spec.replicas"],
  ["airflow.scheduler.replicas", (c) => section(c, "airflow").scheduler.replicas, "Chart/airflow", "values.scheduler.replicas"],
  ["airflow.apiServer.replicas", (c) => section(c, "airflow").apiServer.replicas, "Chart/airflow", "values.apiServer.replicas"],
  ["airflow.dagProcessor.replicas", (c) => section(c, "airflow").dagProcessor.replicas, "Chart/airflow", "values.dagProcessor.replicas"],
  ["airflow.triggerer.replicas", (c) => section(c, "airflow").triggerer.replicas, "Chart/airflow", "values.triggerer.replicas"],
];

const key = (r: Plan["resources"][number]) => `${kindOf(r)}/${r.name}`;

/** The dotted paths at which two values differ. */
function differences(a: unknown, b: unknown, at = ""): string[] {
  if (isEqual(a, b)) return [];
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as any)[k], (b as any)[k], at ? `${at}.${k}` : k));
  }
  return [at];
}

const plans: Record<string, Plan> = {};
beforeAll(async () => {
  for (const s of STACKS) plans[s] = await stackPlan(s);
});

/**
 * Every count raised at once in one plan per stack, by 1 or 2 in turn (within each count's maximum):
 * a count that moved any other object, or another count, would show there (an object changed beyond
 * its own count, or a count off by another setting's raise).
 */
describe.each(STACKS)("stack %s", (stack) => {
  const config = loadPlatform(ROOT, stack, readStackFile(stack)).config;
  const raises = COUNTS.map(([setting, current, object, countPath], i) => ({
    setting,
    object,
    countPath,
    from: current(config),
    to: current(config) + 1 + (i % 2),
  }));
  let before: Map<string, Plan["resources"][number]>;
  let after: Map<string, Plan["resources"][number]>;
  beforeAll(async () => {
    before = new Map(plans[stack].resources.map((r) => [key(r), r]));
    const scaled = await planStack({ stack, sets: raises.map((r) => `${r.setting}=${r.to}`) });
    after = new Map(scaled.resources.map((r) => [key(r), r]));
  });

  it("changes no object but the scaled ones, and removes none", () => {
    const changed = [...after.keys()].filter((k) => before.has(k) && !isEqual(before.get(k)!.inputs, after.get(k)!.inputs));
    expect(changed.sort()).toEqual([...new Set(raises.map((r) => r.object))].sort());
    expect([...before.keys()].filter((k) => !after.has(k))).toEqual([]);
  });

  it("adds only the disruption budgets of workloads that had one pod", () => {
    const added = [...after.keys()].filter((k) => !before.has(k));
    for (const a of added) expect(a).toMatch(/^PodDisruptionBudget\//);
    if (raises.every((r) => r.from > 1)) expect(added).toEqual([]);
  });

  it.each(COUNTS.map(([setting]) => setting))("%s moves exactly its own count to its own value", (setting) => {
    const r = raises.find((x) => x.setting === setting)!;
    const object = [r.object];
    const paths = raises
      .filter((x) => x.object === r.object)
      .map((x) => x.countPath)
      .sort();
    expect(object.flatMap((o) => differences(before.get(o)!.inputs, after.get(o)!.inputs)).sort()).toEqual(paths);
    expect(get(after.get(r.object)!.inputs, r.countPath)).toBe(r.to);
  });
});
