/**
 * Every count a user scales touches one workload's replica count and nothing else: no ConfigMap, no
 * checksum, no other workload, no chart value besides that count (the charts' own rendering is
 * checked on the real provider by the end-to-end suite).
 */
import { isEqual } from "lodash";
import { section } from "../infra/config/schema";
import { loadPlatform } from "../infra/config/stack";
import { Plan, planStack, readStackFile } from "../tools/plan";
import { kindOf, ROOT } from "./helpers";

const STACKS = ["dev", "staging", "prod"] as const;
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
  for (const s of STACKS) plans[s] = await planStack({ stack: s });
});

describe.each(STACKS)("stack %s", (stack) => {
  const config = loadPlatform(ROOT, stack, readStackFile(stack)).config;
  it.each(COUNTS)("raising %s changes only that count", async (setting, current, object, countPath) => {
    const n = current(config);
    const scaled = await planStack({ stack, sets: [`${setting}=${n + 1}`] });
    const before = new Map(plans[stack].resources.map((r) => [key(r), r]));
    const after = new Map(scaled.resources.map((r) => [key(r), r]));
    const changed = [...after.keys()].filter((k) => before.has(k) && !isEqual(before.get(k)!.inputs, after.get(k)!.inputs));
    const added = [...after.keys()].filter((k) => !before.has(k));
    const removed = [...before.keys()].filter((k) => !after.has(k));
    expect({ changed, removed }).toEqual({ changed: [object], removed: [] });
    expect(differences(before.get(object)!.inputs, after.get(object)!.inputs)).toEqual([countPath]);
    // Going from one pod to two may add the workload's disruption budget; nothing else is ever added.
    for (const a of added) expect(a).toMatch(/^PodDisruptionBudget\//);
    if (n > 1) expect(added).toEqual([]);
  });
});
