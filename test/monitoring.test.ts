import { parser } from "@prometheus-io/lezer-promql";
import { parse as parseYaml } from "yaml";
import { KAFKA_METRICS, kafkaAlerts, kafkaExporterRules } from "../components/kafka/metrics";
import { ZOOKEEPER_METRICS, zookeeperAlerts } from "../components/zookeeper/metrics";
import { zookeeperMetrics } from "../components/zookeeper/spec";
import { AGENT_JAR, JMX_EXPORTER, monitoringConfig } from "../components/kit/metrics";
import type { AlertGroup } from "../components/kit/metrics";
import { monitoringManifests } from "../components/monitoring/spec";
import { kafkaMetrics } from "../components/kafka/spec";
import { TRINO_METRICS, trinoAlerts, trinoExporterRules } from "../components/starburst/metrics";
import { trinoMetrics } from "../components/starburst/spec";
import { HDFS_METRICS, hdfsAlerts, hdfsExporterRules } from "../components/hdfs/metrics";
import { YARN_METRICS, yarnAlerts, yarnExporterRules } from "../components/yarn/metrics";
import { METASTORE_METRICS, metastoreAlerts, metastoreExporterRules } from "../components/hive-metastore/metrics";
import { SPARK_DAEMON_METRICS, SPARK_METRICS, sparkAlerts, sparkDaemonExporterRules, sparkExporterRules } from "../components/spark/metrics";
import { sparkJsonLogging } from "../components/spark/spec";
import { MINIO_METRICS, minioAlerts } from "../components/minio/metrics";
import { AIRFLOW_METRICS, airflowAlerts, statsdMappings } from "../components/airflow/metrics";
import { minioMetrics } from "../components/minio/spec";
import { planStack } from "../tools/plan";
import { digest } from "../components/kit";
import YAML from "yaml";
import { environmentWith, find, readEnvironment } from "./helpers";
import { stackPlan } from "./support/stack-plans";

const NS = "data-platform";
/** What kube-state-metrics and the kubelet export, which the pods' alerts read. */
const CLUSTER_METRICS = [
  "kube_pod_container_status_restarts_total",
  "kube_deployment_spec_replicas",
  "kubelet_volume_stats_available_bytes",
  "kubelet_volume_stats_capacity_bytes",
];
/** Every metric an alert may read: the engines' lists (each scraped from a real engine by its suite), the cluster's, and Prometheus's own `up`. */
const EXPORTED = new Set<string>([
  ...Object.values(KAFKA_METRICS),
  ...Object.values(ZOOKEEPER_METRICS),
  ...Object.values(TRINO_METRICS),
  ...Object.values(HDFS_METRICS),
  ...Object.values(YARN_METRICS),
  ...Object.values(METASTORE_METRICS),
  ...Object.values(SPARK_METRICS),
  ...Object.values(SPARK_DAEMON_METRICS),
  ...Object.values(MINIO_METRICS),
  ...Object.values(AIRFLOW_METRICS),
  ...CLUSTER_METRICS,
  "up",
]);

/** The values the platform gives Airflow's chart. */
function airflowChartValues(plan: { resources: { type: string; name: string; inputs: any }[] }): any {
  return plan.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "airflow")!.inputs.values;
}

/** A PromQL expression's syntax errors (positions) and the metric names it selects. */
function promql(expr: string): { errors: number[]; metrics: string[] } {
  const errors: number[] = [];
  const metrics: string[] = [];
  parser.parse(expr).iterate({
    enter(n) {
      if (n.type.isError) errors.push(n.from);
      if (n.name === "Identifier" && n.node.parent?.name === "VectorSelector") metrics.push(expr.slice(n.from, n.to));
    },
  });
  return { errors, metrics };
}

describe("metrics endpoints", () => {
  it.each(["dev", "staging", "prod"] as const)(
    "%s: every Kafka node loads the JMX exporter agent for its server only, with its rules, on a port only Prometheus reaches",
    async (stack) => {
      const plan = await stackPlan(stack);
      for (const role of ["kafka-broker", "kafka-controller"]) {
        const pod = find(plan, "StatefulSet", role).inputs.spec.template.spec;
        const main = pod.containers[0];
        expect(main.ports).toContainEqual({ name: "metrics", containerPort: 9404 });
        const script: string = main.command[2];
        // The server's line alone carries the agent: Kafka's tools in the container read KAFKA_OPTS too.
        const agentLines = script.split("\n").filter((l) => l.includes("-javaagent:"));
        expect(agentLines).toHaveLength(1);
        expect(agentLines[0]).toMatch(new RegExp(`KAFKA_OPTS='-javaagent:${AGENT_JAR}=9404:/etc/jmx-exporter/jmx-exporter.yaml' .*kafka-server-start\\.sh`));
        expect(main.env.map((e: any) => e.name)).not.toContain("KAFKA_OPTS");
        // Maven mode: fetched at start, refused unless its SHA-256 is the pinned one.
        const [init] = pod.initContainers;
        expect(init.name).toBe("jmx-exporter");
        expect(init.command[2]).toContain(`${JMX_EXPORTER.sha256}  ${AGENT_JAR}" | sha256sum -c -`);
        const rules = parseYaml(find(plan, "ConfigMap", role).inputs.data["jmx-exporter.yaml"]);
        expect(rules.lowercaseOutputName).toBe(true);
        const ingress = find(plan, "NetworkPolicy", `allow-metrics-${role}`).inputs.spec;
        expect(ingress.ingress).toEqual([
          { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9404 }] },
        ]);
        expect(find(plan, "NetworkPolicy", `allow-${role}-jmx-exporter`).inputs.spec.egress[0].ports).toEqual([{ protocol: "TCP", port: 443 }]);
      }
    },
  );

  it.each(["dev", "prod"] as const)(
    "%s: ZooKeeper serves its own Prometheus provider on 7000, which only Prometheus reaches; no agent to fetch",
    async (stack) => {
      const plan = await stackPlan(stack);
      const main = find(plan, "StatefulSet", "zookeeper").inputs.spec.template.spec.containers[0];
      expect(main.ports).toContainEqual({ name: "metrics", containerPort: 7000 });
      const cfg: string = find(plan, "ConfigMap", "zookeeper").inputs.data["zoo.cfg"];
      expect(cfg).toContain(
        "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\nmetricsProvider.httpHost=0.0.0.0\nmetricsProvider.httpPort=7000",
      );
      expect(find(plan, "NetworkPolicy", "allow-metrics-zookeeper-server").inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 7000 }]);
      expect(plan.resources.some((r) => r.name === "allow-zookeeper-server-jmx-exporter")).toBe(false);
    },
  );

  it.each(["dev", "prod"] as const)(
    "%s: Trino's coordinator and workers load the agent through the chart's JVM config, serving the rules' port, which only Prometheus reaches",
    async (stack) => {
      const plan = await stackPlan(stack);
      const values = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "trino")!.inputs.values;
      for (const role of ["coordinator", "worker"]) {
        const v = values[role];
        expect(v.additionalJVMConfig).toContain(`-javaagent:${AGENT_JAR}=9404:/etc/jmx-exporter/jmx-exporter.yaml`);
        expect(v.additionalExposedPorts).toEqual({ metrics: { name: "metrics", port: 9404, servicePort: 9404, protocol: "TCP" } });
        expect(v.additionalVolumes).toContainEqual({
          name: "jmx-exporter-config",
          configMap: { name: "trino-metrics", items: [{ key: "jmx-exporter.yaml", path: "jmx-exporter.yaml" }] },
        });
        expect(v.additionalVolumeMounts).toContainEqual({ name: "jmx-exporter", mountPath: "/opt/jmx-exporter", readOnly: true });
        expect(values.initContainers[role].map((c: any) => c.name)).toContain("jmx-exporter");
        expect(find(plan, "NetworkPolicy", `allow-metrics-trino-${role}`).inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9404 }]);
        expect(find(plan, "NetworkPolicy", `allow-trino-${role}-jmx-exporter`).inputs.spec.egress[0].ports).toEqual([{ protocol: "TCP", port: 443 }]);
      }
      expect(parseYaml(find(plan, "ConfigMap", "trino-metrics").inputs.data["jmx-exporter.yaml"]).rules.length).toBeGreaterThan(3);
      // The rules' ConfigMap is not the chart's: a checksum of it on the pods rolls them when the rules change.
      for (const role of ["coordinator", "worker"]) {
        expect(values[role].annotations).toEqual({
          "checksum/jmx-exporter": digest(find(plan, "ConfigMap", "trino-metrics").inputs.data["jmx-exporter.yaml"]),
        });
      }
    },
  );

  it.each(["dev", "staging"] as const)(
    "%s: every HDFS and YARN daemon loads the agent through its own options variable alone, with its engine's rules, on a port only Prometheus reaches",
    async (stack) => {
      const plan = await stackPlan(stack);
      const daemons: [string, string, string][] = [
        ["hdfs-namenode", "namenode", "HDFS_NAMENODE_OPTS"],
        ["hdfs-datanode", "datanode", "HDFS_DATANODE_OPTS"],
        ...(stack === "staging" ? ([["hdfs-journalnode", "journalnode", "HDFS_JOURNALNODE_OPTS"]] as [string, string, string][]) : []),
        ["yarn-resourcemanager", "resourcemanager", "YARN_RESOURCEMANAGER_OPTS"],
        ["yarn-nodemanager", "nodemanager", "YARN_NODEMANAGER_OPTS"],
      ];
      for (const [set, name, optsVar] of daemons) {
        const pod = find(plan, "StatefulSet", set).inputs.spec.template.spec;
        const [main, ...others] = pod.containers;
        expect(main.name).toBe(name);
        const engine = set.split("-")[0];
        expect(main.env).toContainEqual({ name: optsVar, value: `-javaagent:${AGENT_JAR}=9404:/etc/jmx-exporter/jmx-exporter.yaml` });
        // Only that variable: HADOOP_OPTS or JAVA_TOOL_OPTIONS would start an agent in every tool run in the container.
        expect(JSON.stringify(main.env.filter((e: any) => e.name !== optsVar))).not.toContain("-javaagent");
        for (const c of others) expect(JSON.stringify(c)).not.toContain("-javaagent"); // the ZKFC beside an HA NameNode
        expect(main.ports).toContainEqual({ name: "metrics", containerPort: 9404 });
        expect(main.volumeMounts).toContainEqual({ name: "jmx-exporter-config", mountPath: "/etc/jmx-exporter", readOnly: true });
        expect(pod.volumes).toContainEqual({
          name: "jmx-exporter-config",
          configMap: { name: `${engine}-metrics`, items: [{ key: "jmx-exporter.yaml", path: "jmx-exporter.yaml" }] },
        });
        expect(pod.initContainers.map((c: any) => c.name)).toContain("jmx-exporter");
        const component = set.slice(engine.length + 1);
        expect(find(plan, "NetworkPolicy", `allow-metrics-${engine}-${component}`).inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9404 }]);
      }
      for (const engine of ["hdfs", "yarn"])
        expect(parseYaml(find(plan, "ConfigMap", `${engine}-metrics`).inputs.data["jmx-exporter.yaml"]).rules.length).toBeGreaterThan(2);
      // The directories Job is a client: no agent.
      expect(JSON.stringify(plan.resources.filter((r) => r.type.endsWith(":Job")).map((r) => r.inputs))).not.toContain("-javaagent");
    },
  );

  it("the metastore's server line alone loads the agent, with Hive's own metrics on; its schema Job runs none", async () => {
    const plan = await stackPlan("prod");
    const pod = find(plan, "Deployment", "hive-metastore").inputs.spec.template.spec;
    const main = pod.containers[0];
    const lines = (main.command[2] as string).split("\n").filter((l) => l.includes("-javaagent:"));
    expect(lines).toEqual([
      `HADOOP_CLIENT_OPTS="$HADOOP_CLIENT_OPTS -javaagent:${AGENT_JAR}=9404:/etc/jmx-exporter/jmx-exporter.yaml" exec /opt/hive/bin/hive --skiphadoopversion --skiphbasecp --service metastore`,
    ]);
    expect(JSON.stringify(main.env)).not.toContain("-javaagent");
    expect(main.ports).toContainEqual({ name: "metrics", containerPort: 9404 });
    const site: string = find(plan, "ConfigMap", "hive-metastore-config").inputs.data["hive-site.xml"];
    expect(site).toMatch(/<name>metastore\.metrics\.enabled<\/name>\s*<value>true<\/value>/);
    expect(site).toMatch(/<name>metastore\.metrics\.reporters<\/name>\s*<value>jmx<\/value>/);
    expect(find(plan, "NetworkPolicy", "allow-metrics-hive-metastore-metastore").inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9404 }]);
    const schema = plan.resources.find((r) => r.type.endsWith(":Job") && r.name.startsWith("hive-metastore-schema"))!;
    expect(JSON.stringify(schema.inputs)).not.toMatch(/javaagent|jmx-exporter/);
  });

  it("the streaming driver loads the agent (spark-submit's driver options) with Spark's streaming gauges on; the batch job runs none", async () => {
    const plan = await stackPlan("prod");
    const driver = find(plan, "Deployment", "spark-streaming").inputs.spec.template.spec.containers[0];
    const submit: string = driver.command[2];
    expect(submit).toContain(`--driver-java-options '-javaagent:${AGENT_JAR}=9404:/etc/jmx-exporter/jmx-exporter.yaml'`);
    for (const conf of ["spark.sql.streaming.metricsEnabled=true", "spark.metrics.conf.driver.sink.jmx.class=org.apache.spark.metrics.sink.JmxSink"]) {
      expect(submit).toContain(`--conf ${conf}`);
    }
    expect(driver.ports).toContainEqual({ name: "metrics", containerPort: 9404 });
    expect(driver.env).toContainEqual({ name: "TRIGGER_SECONDS", value: "30" });
    expect(find(plan, "NetworkPolicy", "allow-metrics-spark-streaming").inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9404 }]);
    const batch = plan.resources.find((r) => r.type.endsWith(":CronJob"))!;
    expect(JSON.stringify(batch.inputs)).not.toMatch(/javaagent|jmx-exporter/);
  });

  it("the standalone master and workers load the agent through SPARK_DAEMON_JAVA_OPTS, with their sources as JMX beans, from one rules ConfigMap", async () => {
    const plan = await stackPlan("prod");
    const rules = find(plan, "ConfigMap", "spark-daemon-metrics").inputs.data;
    expect(rules).toEqual({ "jmx-exporter.yaml": sparkDaemonExporterRules() });
    for (const [kind, name] of [
      ["StatefulSet", "spark-master"],
      ["Deployment", "spark-worker"],
    ] as const) {
      const pod = find(plan, kind, name).inputs.spec.template.spec;
      const c = pod.containers[0];
      const opts = c.env.find((e: { name: string }) => e.name === "SPARK_DAEMON_JAVA_OPTS").value;
      expect(opts).toBe(
        `-javaagent:${AGENT_JAR}=9404:/etc/jmx-exporter/jmx-exporter.yaml ` +
          "-Dspark.metrics.conf.master.sink.jmx.class=org.apache.spark.metrics.sink.JmxSink -Dspark.metrics.conf.worker.sink.jmx.class=org.apache.spark.metrics.sink.JmxSink",
      );
      expect(c.ports).toContainEqual({ name: "metrics", containerPort: 9404 });
      expect(pod.volumes).toContainEqual({
        name: "jmx-exporter-config",
        configMap: { name: "spark-daemon-metrics", items: [{ key: "jmx-exporter.yaml", path: "jmx-exporter.yaml" }] },
      });
      expect(find(plan, "NetworkPolicy", `allow-metrics-${name}`).inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9404 }]);
    }
    // The driver pods do not take the daemons' options.
    expect(JSON.stringify(find(plan, "Deployment", "spark-streaming").inputs)).not.toContain("SPARK_DAEMON_JAVA_OPTS");
  });

  it.each(["dev", "prod"] as const)("%s: MinIO serves its own metrics on its S3 port without a token, which Prometheus is admitted to", async (stack) => {
    const plan = await stackPlan(stack);
    const server = find(plan, "StatefulSet", "minio").inputs.spec.template.spec.containers[0];
    expect(server.env).toContainEqual({ name: "MINIO_PROMETHEUS_AUTH_TYPE", value: "public" });
    expect(find(plan, "NetworkPolicy", "allow-metrics-minio-server").inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9000 }]);
    expect(plan.resources.some((r) => r.name === "allow-minio-server-jmx-exporter")).toBe(false);
  });

  it("MinIO's PodMonitor asks its S3 port, over HTTPS in tls mode, checking the certificate for the Service's name with the CA alone", () => {
    const m = monitoringConfig.parse({ prometheusOperator: true });
    const [tls] = minioMetrics({ security: "tls" }, NS, "cluster.local", m);
    const monitor = monitoringManifests(m, NS, [tls]).find((o) => o.kind === "PodMonitor")!;
    expect((monitor.spec as any).podMetricsEndpoints).toEqual([
      {
        port: "s3",
        path: "/minio/v2/metrics/cluster",
        interval: "30s",
        scheme: "https",
        tlsConfig: { ca: { secret: { name: "minio-tls", key: "ca.crt" } }, serverName: `minio.${NS}.svc.cluster.local` },
      },
    ]);
    const [plain] = minioMetrics({ security: "plaintext" }, NS, "cluster.local", m);
    expect((monitoringManifests(m, NS, [plain]).find((o) => o.kind === "PodMonitor")!.spec as any).podMetricsEndpoints[0]).not.toHaveProperty("scheme");
  });

  it.each(["dev", "prod"] as const)(
    "%s: Airflow's processes report over StatsD (UDP) to the platform's exporter, whose metrics only Prometheus reaches",
    async (stack) => {
      const plan = await stackPlan(stack);
      const config = airflowChartValues(plan).config.metrics;
      expect(config).toEqual({
        statsd_on: "True",
        statsd_host: `airflow-statsd.${NS}.svc.cluster.local`,
        statsd_port: "9125",
        statsd_prefix: "airflow",
        statsd_influxdb_enabled: "True",
      });
      // The chart's own exporter stays off: it would be a second, unlabelled Deployment.
      expect(airflowChartValues(plan).statsd).toEqual({ enabled: false });
      const service = find(plan, "Service", "airflow-statsd").inputs.spec;
      expect(service.ports).toEqual([{ name: "statsd", port: 9125, targetPort: 9125, protocol: "UDP" }]);
      const exporter = find(plan, "Deployment", "airflow-statsd").inputs.spec;
      expect(exporter.replicas).toBe(1);
      const c = exporter.template.spec.containers[0];
      expect(c.args).toContain("--statsd.mapping-config=/etc/statsd-exporter/statsd-mappings.yaml");
      expect(c.ports).toEqual([
        { name: "statsd", containerPort: 9125, protocol: "UDP" },
        { name: "metrics", containerPort: 9102 },
      ]);
      expect(find(plan, "ConfigMap", "airflow-statsd").inputs.data["statsd-mappings.yaml"]).toBe(statsdMappings());
      // Every Airflow process may send (task pods too under KubernetesExecutor), over UDP only.
      const ingress = find(plan, "NetworkPolicy", "allow-airflow-statsd").inputs.spec.ingress;
      const senders = ingress.map((r: any) => r.from[0].podSelector.matchLabels["app.kubernetes.io/component"]);
      expect(senders).toEqual(["api-server", "dag-processor", "scheduler", "triggerer", ...(stack === "prod" ? ["worker"] : [])]);
      for (const r of ingress) expect(r.ports).toEqual([{ protocol: "UDP", port: 9125 }]);
      const schedulerEgress = find(plan, "NetworkPolicy", "allow-airflow-scheduler").inputs.spec.egress;
      expect(schedulerEgress).toContainEqual({
        to: [
          {
            podSelector: {
              matchLabels: { "app.kubernetes.io/name": "airflow", "app.kubernetes.io/component": "statsd", "app.kubernetes.io/part-of": "data-platform" },
            },
          },
        ],
        ports: [{ protocol: "UDP", port: 9125 }],
      });
      expect(find(plan, "NetworkPolicy", "allow-metrics-airflow-statsd").inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9102 }]);
    },
  );

  it("Starburst Enterprise's chart is given no agent: it has no endpoint the platform scrapes", () => {
    const m = monitoringConfig.parse({});
    expect(trinoMetrics({ flavor: "starburst" }, m)).toEqual([]);
    expect(trinoMetrics({ flavor: "trino" }, m).map((e) => e.workload.component)).toEqual(["coordinator", "worker"]);
  });

  it("Kafka logs one JSON object per event to stdout (logFormat json, the default); text when asked", async () => {
    const log4j = (plan: Awaited<ReturnType<typeof stackPlan>>) => parseYaml(find(plan, "ConfigMap", "kafka-broker").inputs.data["log4j2.yaml"]).Configuration;
    const json = log4j(await stackPlan("prod"));
    expect(json.Appenders.Console.JsonLayout).toMatchObject({ compact: true, eventEol: true, KeyValuePair: [{ key: "engine", value: "kafka" }] });
    expect(json.Loggers.Root.AppenderRef).toEqual([{ ref: "STDOUT" }]);
    const text = log4j(await planStack({ stack: "dev", sets: ["monitoring.logFormat=text"] }));
    expect(text.Appenders.Console.PatternLayout.pattern).toBe("[%d] %p %m (%c)%n");
  });

  it("the metastore logs to stdout through its own log4j2 file, named in hive-site: JSON by default, text when asked", async () => {
    const files = async (sets: string[]) => find(await planStack({ stack: "dev", sets }), "ConfigMap", "hive-metastore-config").inputs.data;
    const json = await files([]);
    expect(json["metastore-log4j2.properties"]).toContain("appender.console.layout.type = JsonLayout\n");
    expect(json["metastore-log4j2.properties"]).toContain("appender.console.target = SYSTEM_OUT\n");
    expect(json["metastore-log4j2.properties"]).toContain("appender.console.layout.engine.value = hive-metastore\n");
    expect(json["hive-site.xml"]).toMatch(/<name>metastore\.log4j\.file<\/name>\s*<value>\/tmp\/conf\/metastore-log4j2\.properties<\/value>/);
    expect((await files(["monitoring.logFormat=text"]))["metastore-log4j2.properties"]).toContain("appender.console.layout.type = PatternLayout\n");
  });

  it("Trino's console (the container's stdout) writes JSON events with logFormat json, its usual lines with text", async () => {
    const properties = async (sets: string[]) =>
      (await planStack({ stack: "dev", sets })).resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "trino")!.inputs.values
        .additionalConfigProperties as string[];
    expect(await properties([])).toContain("log.console-format=JSON");
    expect((await properties(["monitoring.logFormat=text"])).filter((p) => p.startsWith("log."))).toEqual([]);
  });

  it("Spark's master, workers, streaming driver and batch job read a JSON log4j2 file from their conf dir with logFormat json; none with text", async () => {
    const conf = (plan: Awaited<ReturnType<typeof stackPlan>>) => find(plan, "ConfigMap", "spark-config").inputs.data;
    const pods = (plan: Awaited<ReturnType<typeof stackPlan>>) => [
      find(plan, "StatefulSet", "spark-master").inputs.spec.template.spec,
      find(plan, "Deployment", "spark-worker").inputs.spec.template.spec,
      find(plan, "Deployment", "spark-streaming").inputs.spec.template.spec,
      find(plan, "CronJob", "spark-batch").inputs.spec.jobTemplate.spec.template.spec,
    ];
    const json = await stackPlan("prod");
    expect(conf(json)["log4j2.properties"]).toBe(sparkJsonLogging());
    expect(conf(json)["log4j2.properties"]).toContain("appender.console.target = SYSTEM_OUT\n");
    expect(conf(json)["spark-defaults.conf"]).toContain("spark.log.structuredLogging.enabled true\n");
    for (const pod of pods(json)) {
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: "config", mountPath: "/opt/spark/conf/log4j2.properties", subPath: "log4j2.properties" });
    }
    const text = await planStack({ stack: "prod", sets: ["monitoring.logFormat=text"] });
    expect(Object.keys(conf(text))).toEqual(["spark-defaults.conf"]);
    expect(conf(text)["spark-defaults.conf"]).not.toContain("spark.log.");
    for (const pod of pods(text)) expect(JSON.stringify(pod.containers[0].volumeMounts)).not.toContain("log4j2");
  });

  it("agent: image runs the image's own agent: no init container, no egress", async () => {
    const plan = await planStack({ stack: "dev", sets: ["monitoring.agent=image"] });
    const pod = find(plan, "StatefulSet", "kafka-broker").inputs.spec.template.spec;
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers[0].command[2]).toContain(`-javaagent:${AGENT_JAR}=`);
    expect(plan.resources.filter((r) => r.name.endsWith("-jmx-exporter"))).toEqual([]);
  });

  it("without a monitoring section, no agent, port or policy", async () => {
    const { monitoring, ...rest } = readEnvironment("dev");
    expect(monitoring).toBeDefined();
    const plan = await planStack({ stack: "dev", envFile: environmentWith("dev", {}, YAML.stringify(rest)) });
    const workloads = plan.resources.filter((r) => /:(StatefulSet|Deployment|CronJob)$/.test(r.type));
    expect(workloads.map((r) => r.name)).toEqual(expect.arrayContaining(["kafka-broker", "spark-master", "spark-worker", "hive-metastore"]));
    for (const w of workloads)
      expect({ workload: w.name, agent: /javaagent|jmx-exporter|9404|SPARK_DAEMON_JAVA_OPTS/.test(JSON.stringify(w.inputs)) }).toEqual({
        workload: w.name,
        agent: false,
      });
    expect(plan.resources.filter((r) => /metrics|jmx-exporter|monitoring|statsd/.test(r.name))).toEqual([]);
    expect(airflowChartValues(plan).config).not.toHaveProperty("metrics");
  });

  it.each([
    ["Kafka", kafkaExporterRules, KAFKA_METRICS],
    ["Trino", trinoExporterRules, TRINO_METRICS],
    ["HDFS", hdfsExporterRules, HDFS_METRICS],
    ["YARN", yarnExporterRules, YARN_METRICS],
    ["the metastore", metastoreExporterRules, METASTORE_METRICS],
    ["Spark's streaming driver", sparkExporterRules, SPARK_METRICS],
    ["Spark's standalone cluster", sparkDaemonExporterRules, SPARK_DAEMON_METRICS],
  ] as const)("%s's rules file: valid regular expressions, naming every metric the alerts read", (_, rulesFile, metrics) => {
    const file = parseYaml(rulesFile());
    for (const r of file.rules) expect(() => new RegExp(r.pattern)).not.toThrow();
    const names = file.rules.map((r: any) => r.name as string);
    // Each metric the alerts read comes from one rule's name template (its $n parts standing for a bean's words).
    for (const metric of Object.values(metrics)) {
      expect({ metric, named: names.some((n: string) => new RegExp(`^${n.replace(/\$\d/g, "[a-z0-9]+")}$`).test(metric)) }).toEqual({ metric, named: true });
    }
  });
});

describe("Prometheus Operator objects", () => {
  const m = monitoringConfig.parse({
    prometheusOperator: true,
    monitorLabels: { release: "kube-prometheus-stack" },
    prometheus: { namespace: "observability", podLabels: { "app.kubernetes.io/name": "prometheus" } },
  });
  const objects = monitoringManifests(
    m,
    NS,
    [...kafkaMetrics(m), ...zookeeperMetrics(m)],
    [
      kafkaAlerts(NS),
      zookeeperAlerts(NS),
      trinoAlerts(NS),
      hdfsAlerts(NS),
      yarnAlerts(NS),
      metastoreAlerts(NS),
      sparkAlerts(NS, "spark-worker", 30),
      minioAlerts(NS),
      airflowAlerts(NS),
    ],
  );

  it("a PodMonitor per endpoint, scraping the port named metrics, labelled for the Prometheus that selects them", () => {
    const monitors = objects.filter((o) => o.kind === "PodMonitor");
    expect(monitors.map((o) => o.metadata.name)).toEqual(["kafka-broker", "kafka-controller", "zookeeper-server"]);
    for (const pm of monitors) {
      expect(pm.metadata.labels?.release).toBe("kube-prometheus-stack");
      expect((pm.spec as any).podMetricsEndpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s" }]);
    }
    const policy = objects.find((o) => o.metadata.name === "allow-metrics-kafka-broker")!;
    expect((policy.spec as any).ingress[0].from).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
      },
    ]);
  });

  it("every alert parses as PromQL, reads only metrics the exporters emit, and says what broke", () => {
    const rule = objects.find((o) => o.kind === "PrometheusRule")!;
    const groups = (rule.spec as any).groups as AlertGroup[];
    expect(groups.map((g) => g.name)).toEqual([
      "data-platform.pods",
      "data-platform.kafka",
      "data-platform.zookeeper",
      "data-platform.trino",
      "data-platform.hdfs",
      "data-platform.yarn",
      "data-platform.hive-metastore",
      "data-platform.spark",
      "data-platform.minio",
      "data-platform.airflow",
    ]);
    for (const a of groups.flatMap((g) => g.rules)) {
      const { errors, metrics } = promql(a.expr);
      expect({ alert: a.alert, errors }).toEqual({ alert: a.alert, errors: [] });
      expect(metrics.length).toBeGreaterThan(0);
      for (const name of metrics) expect({ alert: a.alert, name, exported: EXPORTED.has(name) }).toEqual({ alert: a.alert, name, exported: true });
      expect(a.expr).toContain(`namespace="${NS}"`);
      expect(["warning", "critical"]).toContain(a.labels.severity);
      expect(a.annotations.summary.length).toBeGreaterThan(10);
      expect(a.for).toMatch(/^\d+[smh]$/);
    }
    expect(promql("sum(foo{ > 1").errors.length).toBeGreaterThan(0);
  });

  it("Spark's alerts: the standalone cluster's always, the streaming job's while it runs; its workers deployed are kube-state-metrics', so scaling them changes no rule", async () => {
    const alertsOf = (plan: Awaited<ReturnType<typeof planStack>>) =>
      plan.resources
        .find((r) => r.type.endsWith(":PrometheusRule"))!
        .inputs.spec.groups.find((g: AlertGroup) => g.name === "data-platform.spark")
        .rules.map((r: { alert: string }) => r.alert);
    const cluster = ["SparkWorkersMissing", "SparkApplicationsWaiting"];
    const on = await planStack({ stack: "dev", sets: ["monitoring.prometheusOperator=true"] });
    expect(alertsOf(on)).toEqual([...cluster, "SparkStreamingFallingBehind", "SparkStreamingProcessingSlower"]);
    const off = await planStack({ stack: "dev", sets: ["monitoring.prometheusOperator=true", "spark.streaming=false"] });
    expect(alertsOf(off)).toEqual(cluster);
    const dashboards = (p: typeof off) => p.resources.filter((r) => r.inputs?.metadata?.labels?.grafana_dashboard === "1").map((r) => r.name);
    expect(dashboards(off)).toContain("data-platform-spark");
    expect(dashboards(off)).not.toContain("data-platform-spark-streaming");
    const scaled = await planStack({ stack: "dev", sets: ["monitoring.prometheusOperator=true", "spark.workers.replicas=5"] });
    const rule = (p: typeof off) => p.resources.find((r) => r.type.endsWith(":PrometheusRule"))!.inputs;
    expect(rule(scaled)).toEqual(rule(on));
  });

  it("a stack with the Operator gets one PrometheusRule: the pods' alerts, then those of each engine serving metrics", async () => {
    const plan = await planStack({ stack: "dev", sets: ["monitoring.prometheusOperator=true"] });
    const rules = plan.resources.filter((r) => r.type.endsWith(":PrometheusRule"));
    expect(rules.map((r) => r.name)).toEqual(["data-platform"]);
    expect(rules[0].inputs.spec.groups.map((g: AlertGroup) => g.name)).toEqual([
      "data-platform.pods",
      "data-platform.zookeeper",
      "data-platform.kafka",
      "data-platform.minio",
      "data-platform.hive-metastore",
      "data-platform.trino",
      "data-platform.airflow",
      "data-platform.hdfs",
      "data-platform.yarn",
      "data-platform.spark",
    ]);
    expect(
      plan.resources
        .filter((r) => r.type.endsWith(":PodMonitor"))
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      "airflow-statsd",
      "hdfs-datanode",
      "hdfs-namenode",
      "hive-metastore-metastore",
      "kafka-broker",
      "kafka-controller",
      "minio-server",
      "spark-master",
      "spark-streaming",
      "spark-worker",
      "trino-coordinator",
      "trino-worker",
      "yarn-nodemanager",
      "yarn-resourcemanager",
      "zookeeper-server",
    ]);
    // Without the Operator's CRDs (the default), none of their objects.
    expect((await stackPlan("dev")).resources.filter((r) => /:(PrometheusRule|PodMonitor)$/.test(r.type))).toEqual([]);
  });
});

describe("Grafana dashboards", () => {
  it("a stack with monitoring gets one ConfigMap per dashboard, labelled for Grafana's sidecar: the pods', then each engine's", async () => {
    const plan = await stackPlan("prod");
    const maps = plan.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.labels?.grafana_dashboard === "1");
    expect(maps.map((r) => r.inputs.metadata.name)).toEqual([
      "data-platform-pods",
      "data-platform-zookeeper",
      "data-platform-kafka",
      "data-platform-minio",
      "data-platform-hive-metastore",
      "data-platform-trino",
      "data-platform-airflow",
      "data-platform-hdfs",
      "data-platform-yarn",
      "data-platform-spark",
      "data-platform-spark-streaming",
    ]);
    for (const cm of maps) {
      const [file, text] = Object.entries<string>(cm.inputs.data)[0];
      const d = JSON.parse(text);
      expect(file).toBe(`${d.uid}.json`);
      expect(d.uid).toBe(cm.inputs.metadata.name);
      expect(d.templating.list[0]).toMatchObject({ name: "datasource", type: "datasource", query: "prometheus" });
      const cells = new Set<string>();
      for (const p of d.panels) {
        expect(p.targets.length).toBeGreaterThan(0);
        expect(p.datasource).toEqual({ type: "prometheus", uid: "${datasource}" });
        // No two panels on one place of the grid.
        const cell = `${p.gridPos.x},${p.gridPos.y}`;
        expect(cells.has(cell)).toBe(false);
        cells.add(cell);
        for (const t of p.targets) {
          const { errors, metrics } = promql(t.expr);
          expect({ panel: p.title, expr: t.expr, errors }).toEqual({ panel: p.title, expr: t.expr, errors: [] });
          expect(metrics.length).toBeGreaterThan(0);
          for (const name of metrics) expect({ panel: p.title, name, exported: EXPORTED.has(name) }).toEqual({ panel: p.title, name, exported: true });
          expect(t.expr).toContain('namespace="data-platform"');
        }
      }
    }
  });

  it("dashboards.enabled false makes none; other labels are the sidecar's choice", async () => {
    const off = await planStack({ stack: "dev", sets: ["monitoring.dashboards.enabled=false"] });
    expect(off.resources.filter((r) => r.type.endsWith(":ConfigMap") && r.name.startsWith("data-platform-"))).toEqual([]);
    const m = monitoringConfig.parse({ dashboards: { labels: { grafana_folder: "platform" } } });
    const [cm] = monitoringManifests(m, NS, [], [], []);
    expect(cm.metadata.labels).toMatchObject({ grafana_folder: "platform" });
    expect(cm.metadata.labels).not.toHaveProperty("grafana_dashboard");
  });
});
