/** Role overrides: validated with the config, applied last to the rendered objects, and nothing without them. */
import { overrideChartObject, OVERRIDES_ANNOTATION } from "../components/kit/overrides";
import { parseSiteXml } from "../components/kit/hadoop-xml";
import { type Plan, planStack } from "../tools/plan";
import { configProblemsAsync, environmentWith, find } from "./helpers";
import { stackPlan } from "./support/stack-plans";

const withOverrides = (stack: string, overrides: Record<string, unknown>) => planStack({ stack, envFile: environmentWith(stack, overrides) });
const pod = (plan: Plan, kind: string, name: string) => find(plan, kind, name).inputs.spec.template;
const props = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );

describe("role overrides", () => {
  let kafka: Plan;
  let hdfs: Plan;
  let base: Plan;
  beforeAll(async () => {
    base = await stackPlan("dev");
    kafka = await withOverrides("dev", {
      "kafka.overrides": {
        broker: {
          configFiles: { "server.properties": { "num.io.threads": 16, "log.retention.hours": 72 } },
          env: { KAFKA_HEAP_OPTS: "-Xms300m -Xmx300m", EXTRA_FLAG: "on" },
          podSpec: { priorityClassName: "data-critical", nodeSelector: { pool: "kafka" } },
        },
      },
    });
    hdfs = await withOverrides("dev", {
      "hdfs.overrides": {
        datanode: { configFiles: { "hdfs-site.xml": { "dfs.datanode.max.transfer.threads": 8192 } }, env: { HADOOP_HEAPSIZE_MAX: "600m" } },
        namenode: { configFiles: { "hdfs-site.xml": { "dfs.namenode.handler.count": 40 } } },
      },
    });
  });

  it("sets a config file property of one role only, replacing the program's value or adding it", () => {
    const brokerData = find(kafka, "ConfigMap", "kafka-broker").inputs.data;
    const original = props(brokerData["server.properties"]);
    const overridden = props(brokerData["broker--server.properties"]);
    expect(overridden["num.io.threads"]).toBe("16");
    expect(overridden["log.retention.hours"]).toBe("72");
    // Every other property is the program's, and each key appears once.
    expect({ ...overridden, "num.io.threads": original["num.io.threads"], "log.retention.hours": original["log.retention.hours"] }).toEqual(original);
    expect(brokerData["broker--server.properties"].match(/^num\.io\.threads=/gm)).toHaveLength(1);
    // The broker's pods read the role's copy at the file's usual path; the controller is untouched.
    const volume = pod(kafka, "StatefulSet", "kafka-broker").spec.volumes.find((v: any) => v.name === "config");
    expect(volume.configMap.items).toContainEqual({ key: "broker--server.properties", path: "server.properties" });
    expect(find(kafka, "StatefulSet", "kafka-controller").inputs).toEqual(find(base, "StatefulSet", "kafka-controller").inputs);
    expect(find(kafka, "ConfigMap", "kafka-controller").inputs).toEqual(find(base, "ConfigMap", "kafka-controller").inputs);
  });

  it("sets environment variables of the main container, replacing the program's", () => {
    const env = pod(kafka, "StatefulSet", "kafka-broker").spec.containers[0].env;
    expect(env.filter((e: any) => e.name === "KAFKA_HEAP_OPTS")).toEqual([{ name: "KAFKA_HEAP_OPTS", value: "-Xms300m -Xmx300m" }]);
    expect(env).toContainEqual({ name: "EXTRA_FLAG", value: "on" });
    const dataNode = pod(hdfs, "StatefulSet", "hdfs-datanode").spec.containers[0].env;
    expect(dataNode.filter((e: any) => e.name === "HADOOP_HEAPSIZE_MAX")).toEqual([{ name: "HADOOP_HEAPSIZE_MAX", value: "600m" }]);
  });

  it("reaches Airflow's exporter, the platform's own Deployment beside the chart", async () => {
    const plan = await withOverrides("dev", { "airflow.overrides": { statsd: { env: { GOMAXPROCS: "1" } } } });
    expect(pod(plan, "Deployment", "airflow-statsd").spec.containers[0].env).toEqual([{ name: "GOMAXPROCS", value: "1" }]);
    expect(pod(base, "Deployment", "airflow-statsd").spec.containers[0].env).toBeUndefined();
  });

  it("merges a pod spec patch, and rolls the pods when any override changes", async () => {
    const spec = pod(kafka, "StatefulSet", "kafka-broker").spec;
    expect(spec.priorityClassName).toBe("data-critical");
    expect(spec.nodeSelector).toEqual({ pool: "kafka" });
    expect(spec.securityContext).toEqual(pod(base, "StatefulSet", "kafka-broker").spec.securityContext);
    const checksum = pod(kafka, "StatefulSet", "kafka-broker").metadata.annotations[OVERRIDES_ANNOTATION];
    const changed = await withOverrides("dev", { "kafka.overrides": { broker: { configFiles: { "server.properties": { "num.io.threads": 17 } } } } });
    expect(pod(changed, "StatefulSet", "kafka-broker").metadata.annotations[OVERRIDES_ANNOTATION]).toMatch(/^[0-9a-f]{10}$/);
    expect(pod(changed, "StatefulSet", "kafka-broker").metadata.annotations[OVERRIDES_ANNOTATION]).not.toBe(checksum);
    // null removes a field the program sets.
    const removed = await withOverrides("dev", { "kafka.overrides": { broker: { podSpec: { affinity: null } } } });
    expect(pod(removed, "StatefulSet", "kafka-broker").spec.affinity).toBeUndefined();
  });

  it("gives a role of a shared ConfigMap its own copy: the DataNodes' and the NameNodes' hdfs-site differ, the JournalNodes' does not", () => {
    const data = find(hdfs, "ConfigMap", "hdfs-config").inputs.data;
    expect(parseSiteXml(data["datanode--hdfs-site.xml"])["dfs.datanode.max.transfer.threads"]).toBe("8192");
    expect(parseSiteXml(data["hdfs-site.xml"])["dfs.datanode.max.transfer.threads"]).toBeUndefined();
    // The NameNodes' own hdfs-site (with the exclude file) is the one they override.
    const nameNodeSite = parseSiteXml(data["namenode--namenode-hdfs-site.xml"]);
    expect(nameNodeSite["dfs.namenode.handler.count"]).toBe("40");
    expect(nameNodeSite["dfs.hosts.exclude"]).toBeDefined();
    const mountOf = (name: string) => pod(hdfs, "StatefulSet", name).spec.containers[0].volumeMounts.find((m: any) => m.mountPath.endsWith("/hdfs-site.xml"));
    expect(mountOf("hdfs-datanode").subPath).toBe("datanode--hdfs-site.xml");
    expect(mountOf("hdfs-namenode").subPath).toBe("namenode--namenode-hdfs-site.xml");
    // The clients' discovery ConfigMap is the cluster's, not a role's.
    expect(find(hdfs, "ConfigMap", "hdfs-client").inputs).toEqual(find(base, "ConfigMap", "hdfs-client").inputs);
  });

  it("gives a Job a new name when only a file override's value changes (its pod reads the ConfigMap)", async () => {
    const directories = async (v: number) => {
      const plan = await withOverrides("dev", {
        "hdfs.overrides": { directories: { configFiles: { "hdfs-site.xml": { "dfs.client.retry.max.attempts": v } } } },
      });
      return plan.resources.filter((r) => r.type.endsWith(":Job") && r.name.startsWith("hdfs-directories-")).map((r) => r.name);
    };
    const [first, second] = await Promise.all([directories(5), directories(6)]);
    expect(first).toHaveLength(1);
    expect(first).not.toEqual(second);
  });

  it("gives a Job with overrides a new name (Jobs are immutable)", async () => {
    const plan = await withOverrides("dev", { "hdfs.overrides": { directories: { env: { HADOOP_HEAPSIZE_MAX: "300m" } } } });
    const jobs = (p: Plan) => p.resources.filter((r) => r.type.endsWith(":Job") && r.name.startsWith("hdfs-directories-")).map((r) => r.name);
    expect(jobs(plan)).toHaveLength(1);
    expect(jobs(plan)[0]).not.toBe(jobs(base)[0]);
  });

  it("applies to a vendor chart's objects: the role's ConfigMap in place, its workload's env and pod spec", () => {
    const overrides = {
      coordinator: { configFiles: { "config.properties": { "query.max-run-time": "2h" } }, env: { TZ: "UTC" }, podSpec: { priorityClassName: "p" } },
    };
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "trino-coordinator", labels: { "app.kubernetes.io/component": "coordinator" } },
      data: { "config.properties": "coordinator=true\nquery.max-run-time=1h\n" },
    };
    expect(overrideChartObject(configMap, overrides)!.data["config.properties"]).toBe("coordinator=true\nquery.max-run-time=2h\n");
    const worker = { ...configMap, metadata: { name: "trino-worker", labels: { "app.kubernetes.io/component": "worker" } } };
    expect(overrideChartObject(worker, overrides)).toBeUndefined();
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "trino-coordinator" },
      spec: {
        template: {
          metadata: { labels: { "app.kubernetes.io/component": "coordinator" } },
          spec: { containers: [{ name: "trino", env: [{ name: "TZ", value: "Europe/Paris" }] }] },
        },
      },
    };
    const out = overrideChartObject(deployment, overrides)!;
    expect(out.spec.template.spec.containers[0].env).toEqual([{ name: "TZ", value: "UTC" }]);
    expect(out.spec.template.spec.priorityClassName).toBe("p");
    expect(out.spec.template.metadata.annotations[OVERRIDES_ANNOTATION]).toMatch(/^[0-9a-f]{10}$/);
  });

  it("refuses an unknown role or file, naming the setting and what is allowed, and deploys nothing", async () => {
    const role = await configProblemsAsync(() => withOverrides("dev", { "kafka.overrides": { brokr: { env: { A: "1" } } } }));
    expect(role.join("\n")).toMatch(/kafka\.overrides\.brokr: unknown setting \(did you mean "broker"\?\); allowed here: broker, controller, topics/);
    expect(role.join("\n")).toMatch(/dev-variant\.yaml/);
    const file = await configProblemsAsync(() =>
      withOverrides("dev", { "zookeeper.overrides": { server: { configFiles: { "zoo.conf": { tickTime: 3000 } } } } }),
    );
    expect(file.join("\n")).toMatch(/zookeeper\.overrides\.server\.configFiles\.zoo\.conf: unknown setting; allowed here: zoo\.cfg/);
    const env = await configProblemsAsync(() => withOverrides("dev", { "zookeeper.overrides": { server: { env: { "1BAD": "x" } } } }));
    expect(env.join("\n")).toMatch(/zookeeper\.overrides\.server\.env/);
  });

  it("declares for every engine exactly the roles its objects run and the files their pods read", async () => {
    const stacks = await Promise.all((["dev", "prod"] as const).map((s) => stackPlan(s)));
    for (const [engine, roles] of Object.entries(await roleFiles())) {
      for (const [role, files] of Object.entries(roles)) {
        const pods = stacks.flatMap((p) => p.resources).filter((r) => podOf(r.inputs)?.metadata?.labels?.["app.kubernetes.io/component"] === role);
        // Chart roles (Trino, Airflow) render at deploy time: their files are the chart's.
        if (engine === "starburst" || engine === "airflow") continue;
        expect({ engine, role, pods: pods.length > 0 }).toEqual({ engine, role, pods: true });
        for (const file of files) {
          const reads = pods.some((r) =>
            readsFile(
              r.inputs,
              file,
              stacks.flatMap((p) => p.resources),
            ),
          );
          expect({ engine, role, file, reads }).toEqual({ engine, role, file, reads: true });
        }
      }
    }
  });
});

function podOf(inputs: any): any {
  return inputs?.kind === "CronJob"
    ? inputs.spec?.jobTemplate?.spec?.template
    : ["StatefulSet", "Deployment", "Job"].includes(inputs?.kind)
      ? inputs.spec?.template
      : undefined;
}

/** A pod reads a file when it mounts it by name, or mounts a ConfigMap that holds it. */
function readsFile(inputs: any, file: string, all: { type: string; name: string; inputs: any }[]): boolean {
  const spec = podOf(inputs).spec;
  const mounts = [...(spec.initContainers ?? []), ...spec.containers].flatMap((c: any) => c.volumeMounts ?? []);
  return mounts.some((m: any) => {
    if (m.subPath) return m.mountPath.endsWith(`/${file}`);
    const cm = spec.volumes.find((v: any) => v.name === m.name)?.configMap?.name;
    return cm && all.some((r) => r.type.endsWith(":ConfigMap") && r.name === cm && file in (r.inputs.data ?? {}));
  });
}

async function roleFiles(): Promise<Record<string, Record<string, readonly string[]>>> {
  const engines = ["airflow", "dbt", "hdfs", "hive-metastore", "impala", "kafka", "minio", "mysql", "spark", "starburst", "yarn", "zookeeper"];
  return Object.fromEntries(await Promise.all(engines.map(async (e) => [e, (await import(`../components/${e}/config`)).ROLE_FILES])));
}
