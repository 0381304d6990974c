import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { isEqual } from "lodash";
import { type Plan, planStack } from "../tools/plan";
import { main } from "../tools/check";
import { all, environmentWith, find, kindOf, readEnvironment, ROOT, runMain } from "./helpers";
import { STACKS, stackPlan } from "./support/stack-plans";

const CLUSTER_SCOPED = new Set(["Namespace", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]);
const plans: Record<string, Plan> = {};

beforeAll(async () => {
  for (const s of STACKS) plans[s] = await stackPlan(s);
});

const key = (r: { type: string; name: string }) => `${kindOf(r as any)}/${r.name}`;

/** Resources added, removed or changed between two plans, by kind/name. */
function diff(a: Plan, b: Plan) {
  const before = new Map(a.resources.map((r) => [key(r), r]));
  const after = new Map(b.resources.map((r) => [key(r), r]));
  return {
    added: [...after.keys()].filter((k) => !before.has(k)),
    removed: [...before.keys()].filter((k) => !after.has(k)),
    changed: [...after.keys()].filter((k) => before.has(k) && !isEqual(before.get(k)!.inputs, after.get(k)!.inputs)),
  };
}

describe.each(STACKS)("stack %s", (stack) => {
  const env = readEnvironment(stack);
  const replicas = (name: string) => find(plans[stack], "StatefulSet", name).inputs.spec.replicas;

  it("plans every engine at the environment's size", () => {
    expect(replicas("zookeeper")).toBe(env.zookeeper.replicas);
    expect(replicas("kafka-broker")).toBe(env.kafka.brokers);
    expect(replicas("kafka-controller")).toBe(env.kafka.controllers.replicas);
    expect(replicas("minio")).toBe(env.minio.replicas);
    expect(replicas("mysql")).toBe(1);
    const broker = find(plans[stack], "StatefulSet", "kafka-broker").inputs;
    expect(broker.spec.template.spec.containers[0].resources.limits.memory).toBe(env.kafka.resources.limits.memory);
    expect(broker.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(env.kafka.storage.size);
  });

  it("Kafka's clients run as their own principals over TLS exactly where Kafka does (staging and production)", () => {
    const tls = env.kafka.security === "tls";
    const streaming = find(plans[stack], "Deployment", "spark-streaming").inputs.spec.template.spec;
    const env_ = Object.fromEntries(streaming.containers[0].env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));
    const airflow = find(plans[stack], "Chart", "airflow").inputs.values;
    const airflowEnv = Object.fromEntries(airflow.env.map((e: any) => [e.name, e.value]));
    if (!tls) {
      expect(env_.KAFKA_SECURITY_PROTOCOL).toBeUndefined();
      expect(airflowEnv.KAFKA_SECURITY_PROTOCOL).toBeUndefined();
      expect(plans[stack].resources.filter((r) => r.type.endsWith(":Certificate"))).toEqual([]);
      return;
    }
    expect([env_.KAFKA_SECURITY_PROTOCOL, env_.KAFKA_TLS_DIR]).toEqual(["SSL", "/etc/kafka-client"]);
    expect(streaming.volumes).toContainEqual({ name: "kafka-client-tls", secret: { secretName: "kafka-client-spark-streaming-tls", defaultMode: 0o440 } });
    expect(streaming.containers[0].volumeMounts).toContainEqual({ name: "kafka-client-tls", mountPath: "/etc/kafka-client", readOnly: true });
    expect([airflowEnv.KAFKA_SECURITY_PROTOCOL, airflowEnv.KAFKA_TLS_DIR]).toEqual(["SSL", "/etc/kafka-client"]);
    expect(airflow.volumes).toContainEqual({ name: "kafka-client-tls", secret: { secretName: "kafka-client-airflow-tls", defaultMode: 0o440 } });
    // Each client Secret a pod mounts is one the program asks cert-manager for.
    const certificates = plans[stack].resources.filter((r) => r.type.endsWith(":Certificate")).map((r) => r.inputs.spec.secretName);
    expect(certificates).toEqual(expect.arrayContaining(["kafka-client-spark-streaming-tls", "kafka-client-airflow-tls", "kafka-broker-tls"]));
  });

  it("puts everything in the restricted namespace behind a default-deny policy", () => {
    const ns = find(plans[stack], "Namespace", "data-platform").inputs;
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    // Cluster-scoped: the namespace itself and the size guard bound to it; nothing else.
    const clusterScoped = plans[stack].resources
      .filter((x) => CLUSTER_SCOPED.has(kindOf(x)))
      .map((x) => `${kindOf(x)}/${x.name}`)
      .sort();
    expect(clusterScoped).toEqual([
      "Namespace/data-platform",
      "ValidatingAdmissionPolicy/dataplatform-fixed-size-data-platform",
      "ValidatingAdmissionPolicy/dataplatform-fixed-size-data-platform-scale",
      "ValidatingAdmissionPolicyBinding/dataplatform-fixed-size-data-platform",
      "ValidatingAdmissionPolicyBinding/dataplatform-fixed-size-data-platform-scale",
    ]);
    for (const r of plans[stack].resources.filter((x) => x.type.startsWith("kubernetes:") && !CLUSTER_SCOPED.has(kindOf(x)))) {
      expect(r.type === "kubernetes:helm.sh/v4:Chart" ? r.inputs.namespace : r.inputs.metadata.namespace).toBe("data-platform");
    }
    expect(find(plans[stack], "NetworkPolicy", "default-deny-all").inputs.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const allowed = all(plans[stack], "NetworkPolicy").map((r) => r.name);
    expect(allowed).toEqual(
      expect.arrayContaining(["allow-dns-egress", "allow-kafka-broker", "allow-kafka-controller", "allow-zookeeper-server", "allow-minio-server"]),
    );
  });

  it("gives every multi-replica workload a PDB and never shows a secret value", () => {
    for (const sts of all(plans[stack], "StatefulSet")) expect(find(plans[stack], "PodDisruptionBudget", sts.name)).toBeDefined();
    const text = JSON.stringify(plans[stack].resources);
    expect(text).not.toContain("mock-generated-password");
    expect(text).not.toMatch(/minioadmin|"admin\/admin"/);
  });

  it(stack === "prod" ? "protects stateful resources" : "leaves resources unprotected", () => {
    const protectedNames = plans[stack].resources
      .filter((r) => r.options.protect)
      .map(key)
      .sort();
    if (stack !== "prod") {
      expect(protectedNames).toEqual([]);
      return;
    }
    expect(protectedNames).toEqual(
      expect.arrayContaining([
        "Namespace/data-platform",
        "StatefulSet/kafka-broker",
        "StatefulSet/kafka-controller",
        "StatefulSet/minio",
        "StatefulSet/mysql",
        "StatefulSet/zookeeper",
        "Secret/minio-credentials",
        "Secret/mysql-credentials",
      ]),
    );
    expect(protectedNames.filter((n) => n.startsWith("Job/"))).toEqual([]);
  });
});

describe("network flows", () => {
  const policy = (plan: Plan, name: string) => find(plan, "NetworkPolicy", name).inputs.spec;
  const peerOf = (p: any) => `${p.podSelector.matchLabels["app.kubernetes.io/name"]}/${p.podSelector.matchLabels["app.kubernetes.io/component"]}`;
  const portsOf = (ports: any[]) => ports.map((p) => (p.endPort ? `${p.port}-${p.endPort}` : `${p.port}`)).join(",");
  /** "peer:ports" for every ingress (from) or egress (to) rule of a workload's policy. */
  const rules = (plan: Plan, name: string, direction: "ingress" | "egress") =>
    (policy(plan, name)[direction] ?? []).map((r: any) => `${peerOf((r.from ?? r.to)[0])}:${portsOf(r.ports)}`).sort();

  it("admits exactly the flows each engine needs", () => {
    expect(rules(plans.prod, "allow-kafka-controller", "ingress")).toEqual(["kafka/broker:9093", "kafka/controller:9093"]);
    expect(rules(plans.prod, "allow-kafka-broker", "ingress")).toEqual([
      "airflow/worker:9092",
      "kafka/broker:9091",
      "kafka/topics:9091",
      "spark/streaming:9092",
      "spark/worker:9092",
      "yarn/nodemanager:9092",
    ]);
    // In TLS mode brokers replicate, and the topics Job administers, on the replication listener.
    expect(rules(plans.prod, "allow-kafka-topics", "egress")).toEqual(["kafka/broker:9091"]);
    expect(rules(plans.prod, "allow-zookeeper-server", "ingress")).toEqual([
      "hdfs/namenode:2181",
      "yarn/resourcemanager:2181",
      "zookeeper/server:2181,2888,3888",
    ]);
    expect(rules(plans.prod, "allow-minio-server", "ingress")).toEqual([
      "airflow/api-server:9000",
      "airflow/dag-processor:9000",
      "airflow/scheduler:9000",
      "airflow/triggerer:9000",
      "airflow/worker:9000",
      "hive-metastore/metastore:9000",
      "impala/catalogd:9000",
      "impala/coordinator:9000",
      "impala/executor:9000",
      "minio/buckets:9000",
      "minio/server:9000",
      "spark/batch:9000",
      "spark/streaming:9000",
      "spark/worker:9000",
      "trino/coordinator:9000",
      "trino/worker:9000",
      "yarn/nodemanager:9000",
    ]);
    // tls mode: clients reach only the HTTPS port; the HTTP port serves the workers' signed requests.
    expect(rules(plans.prod, "allow-trino-coordinator", "ingress")).toEqual([
      "airflow/worker:8443",
      "dbt/runner:8443",
      "trino/tables:8443",
      "trino/worker:8080",
    ]);
    // The shutdown endpoint (PUT /v1/info/state) is reachable from the cluster's own nodes only.
    expect(rules(plans.prod, "allow-trino-worker", "ingress")).toEqual(["trino/coordinator:8080", "trino/worker:8080"]);
    expect(rules(plans.prod, "allow-trino-worker", "egress")).toEqual([
      "hive-metastore/metastore:9083",
      "minio/server:9000",
      "trino/coordinator:8080",
      "trino/worker:8080",
    ]);
    expect(rules(plans.prod, "allow-hdfs-datanode", "ingress")).toEqual(
      expect.arrayContaining(["hdfs/datanode:9866,9867", "spark/worker:9866,9867", "yarn/nodemanager:9866,9867"]),
    );
    expect(rules(plans.prod, "allow-yarn-nodemanager", "ingress")).toEqual(
      expect.arrayContaining(["yarn/nodemanager:7078-7094,8040,8041", "yarn/resourcemanager:8041"]),
    );
    expect(rules(plans.prod, "allow-minio-buckets", "egress")).toEqual(["minio/server:9000"]);
    expect(rules(plans.prod, "allow-hdfs-namenode", "ingress")).toEqual([
      "hdfs/datanode:9000",
      "hdfs/directories:9000",
      // prod's HDFS serves its web endpoints over HTTPS only (9871): the standby uploads its images there.
      "hdfs/namenode:8019,9000,9871",
      "impala/catalogd:9000",
      "impala/coordinator:9000",
      "impala/executor:9000",
      "spark/batch:9000",
      "spark/streaming:9000",
      "spark/worker:9000",
      "yarn/nodemanager:9000",
      "yarn/resourcemanager:9000",
    ]);
    expect(rules(plans.prod, "allow-hdfs-journalnode", "ingress")).toEqual(["hdfs/journalnode:8481", "hdfs/namenode:8481,8485"]);
    expect(rules(plans.prod, "allow-yarn-resourcemanager", "ingress")).toEqual(["spark/batch:8032", "spark/streaming:8032", "yarn/nodemanager:8030,8031"]);
    expect(rules(plans.prod, "allow-spark-master", "ingress")).toEqual(["spark/batch:7077", "spark/streaming:7077", "spark/worker:7077"]);
    expect(rules(plans.prod, "allow-spark-worker", "ingress")).toEqual([
      "spark/batch:7078-7094",
      "spark/master:7078",
      "spark/streaming:7078-7094",
      "spark/worker:7078-7094",
    ]);
  });

  it("lets MinIO servers talk to each other only when distributed, and HA peers only with HA", () => {
    expect(rules(plans.dev, "allow-minio-server", "ingress")).not.toContain("minio/server:9000");
    expect(rules(plans.dev, "allow-hdfs-namenode", "ingress")).not.toContain("hdfs/namenode:8019,9000,9870");
    expect(all(plans.dev, "NetworkPolicy").map((r) => r.name)).not.toContain("allow-hdfs-journalnode");
  });

  it("wires Impala's daemons to each other, the lake and HDFS", () => {
    expect(rules(plans.prod, "allow-impala-statestored", "ingress")).toEqual(["impala/catalogd:24000", "impala/coordinator:24000", "impala/executor:24000"]);
    expect(rules(plans.prod, "allow-impala-catalogd", "ingress")).toEqual(["impala/coordinator:26000", "impala/executor:26000", "impala/statestored:23020"]);
    expect(rules(plans.prod, "allow-impala-executor", "egress")).toEqual(
      expect.arrayContaining(["hdfs/datanode:9866,9867", "hdfs/namenode:9000", "minio/server:9000", "impala/coordinator:27000"]),
    );
  });

  it("lets drivers fetch jars over HTTPS only in maven mode, and never to private ranges", () => {
    const maven = policy(plans.dev, "allow-spark-drivers-maven");
    expect(maven.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"] } }],
        ports: [{ protocol: "TCP", port: 443 }],
      },
    ]);
    expect(maven.podSelector.matchExpressions[0].values).toEqual(["streaming", "batch"]);
  });

  it("lets only the metastore, Airflow and their setup Jobs reach MySQL, and the lake's engines reach the metastore", () => {
    expect(rules(plans.prod, "allow-mysql-database", "ingress")).toEqual([
      "airflow/api-server:3306",
      "airflow/create-user:3306",
      "airflow/dag-processor:3306",
      "airflow/database:3306",
      "airflow/migrations:3306",
      "airflow/scheduler:3306",
      "airflow/triggerer:3306",
      "hive-metastore/metastore:3306",
      "hive-metastore/schema:3306",
    ]);
    expect(rules(plans.prod, "allow-hive-metastore-metastore", "ingress")).toEqual([
      "impala/catalogd:9083",
      "impala/coordinator:9083",
      "spark/batch:9083",
      "spark/streaming:9083",
      "spark/worker:9083",
      "trino/coordinator:9083",
      "trino/worker:9083",
      "yarn/nodemanager:9083",
    ]);
    expect(rules(plans.prod, "allow-hive-metastore-metastore", "egress")).toEqual(["minio/server:9000", "mysql/database:3306"]);
  });
});

describe("changes stay minimal", () => {
  it("raising a topic's partitions changes only the topic reconciliation Job", async () => {
    const raised = await planStack({ stack: "dev", sets: ["kafka.topics.orders.partitions=6"] });
    const d = diff(plans.dev, raised);
    expect(d.changed).toEqual([]);
    expect(d.removed).toEqual([expect.stringMatching(/^Job\/kafka-topics-/)]);
    expect(d.added).toEqual([expect.stringMatching(/^Job\/kafka-topics-/)]);
    const job = raised.resources.find((r) => key(r) === d.added[0])!;
    expect(job.inputs.spec.template.spec.containers[0].command[2]).toContain("ensure orders 6 1 ");
  });

  it("adding brokers changes only the broker StatefulSet's replica count", async () => {
    const scaled = await planStack({ stack: "staging", sets: ["kafka.brokers=5"] });
    const d = diff(plans.staging, scaled);
    expect(d).toEqual({ added: [], removed: [], changed: ["StatefulSet/kafka-broker"] });
    const before = find(plans.staging, "StatefulSet", "kafka-broker").inputs;
    const after = find(scaled, "StatefulSet", "kafka-broker").inputs;
    expect(after.spec.replicas).toBe(5);
    expect({ ...after, spec: { ...after.spec, replicas: before.spec.replicas } }).toEqual(before);
  });

  it("a namespace override moves every object", async () => {
    const moved = await planStack({ stack: "dev", sets: ["namespace=analytics"] });
    const namespaced = moved.resources.filter((r) => r.type.startsWith("kubernetes:") && !CLUSTER_SCOPED.has(kindOf(r)));
    const binding = find(moved, "ValidatingAdmissionPolicyBinding", "dataplatform-fixed-size-analytics").inputs.spec;
    expect(binding.matchResources.namespaceSelector.matchLabels).toEqual({ "kubernetes.io/metadata.name": "analytics" });
    expect(new Set(namespaced.map((r) => r.inputs.metadata?.namespace ?? r.inputs.namespace))).toEqual(new Set(["analytics"]));
    expect(find(moved, "StatefulSet", "kafka-broker").inputs.spec.template.spec.containers[0].command[2]).toContain(
      "kafka-broker-headless.analytics.svc.cluster.local",
    );
  });
});

describe("npm run check", () => {
  const check = (...args: string[]) => runMain(main, ...args);

  it("runs as a process: the exit code and the message, no stack trace", async () => {
    const r = spawnSync(
      process.execPath,
      [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "tools/check.ts", "--stack", "dev", "--set", "kafka.brokers=0"],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("kafka.brokers");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints the plan as JSON with types, names, inputs and no violations", async () => {
    const r = await check("--stack", "dev", "--json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.stack).toBe("dev");
    expect(out.violations).toEqual([]);
    expect(Object.keys(out.resources[0]).sort()).toEqual(["inputs", "name", "type"]);
    expect(out.resources.find((x: any) => x.type === "kubernetes:apps/v1:StatefulSet" && x.name === "kafka-broker").inputs.spec.replicas).toBe(1);
    expect(out.resources.find((x: any) => x.type === "kubernetes:core/v1:Secret").inputs.stringData).toBe("[secret]");
  });

  it("prints a summary for people", async () => {
    const r = await check("--stack", "prod");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/kafka-broker\s+3 x/);
    expect(r.stdout).toMatch(/total\s+\d+ pods/);
    expect(r.stdout).toContain("+ Helm chart trino 1.42.0 (4 workers): rendered by the provider at deploy time");
    expect(r.stdout).toContain(
      "+ Helm chart airflow 1.20.0 (KubernetesExecutor: 2 scheduler, 2 apiServer, 2 dagProcessor, 2 triggerer): rendered by the provider",
    );
  });

  it("refuses bad overrides with the path and exit code 2, no stack trace", async () => {
    const r = await check("--stack", "dev", "--set", "kafka.replicationFactor=3");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--set + environments/dev.yaml: kafka.replicationFactor: 3 is more than kafka.brokers (1); allowed: 1 to 1");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });

  it("checks an arbitrary environment file", async () => {
    const file = environmentWith("prod", { "kafka.minInsyncReplicas": 1 });
    const r = await check("--stack", "prod", "--env-file", file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${path.basename(file)}: kafka.minInsyncReplicas: 1 is below 2, the production minimum`);
    expect((await check("--stack", "prod", "--env-file", environmentWith("prod", { "kafka.brokers": 5 }), "--json")).status).toBe(0);
  });

  it("names the allowed stacks and the usage on bad arguments", async () => {
    const unknown = await check("--stack", "qa");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("--stack qa: no file Pulumi.qa.yaml; allowed: dev, prod, staging");
    const noStack = await check();
    expect(noStack.status).toBe(2);
    expect(noStack.stderr).toContain("usage: npm run check");
  });
});

describe("the cluster DNS domain", () => {
  it.each(["dev", "prod"])("is a setting: with another domain, %s names no host in cluster.local", async (stack) => {
    const plan = await planStack({ stack, sets: ["clusterDomain=corp.internal"] });
    const rendered = JSON.stringify(plan.resources.map((r) => r.inputs));
    expect(rendered).not.toContain("cluster.local");
    expect(rendered).toContain("kafka-bootstrap.data-platform.svc.corp.internal:9092");
    if (stack === "prod") {
      expect(find(plan, "ConfigMap", "zookeeper").inputs.data["zoo.cfg"]).toMatch(
        /^server\.1=zookeeper-0\.zookeeper-headless\.data-platform\.svc\.corp\.internal:/m,
      );
    }
  });

  it("refuses a domain that is not one, naming the setting", async () => {
    const r = await runMain(main, "--stack", "dev", "--set", "clusterDomain=Corp_Internal");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("clusterDomain: must be a DNS domain, such as cluster.local");
  });
});
