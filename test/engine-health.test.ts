/**
 * The engine level of npm run health: each engine's answers judged (shapes as the engines send them;
 * the engine suite asks the real HDFS, YARN, Trino and ZooKeeper through a real API server), and
 * how engines that cannot be asked are reported.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { loadPlatform } from "../infra/config/stack";
import { planStack, readStackFile } from "../tools/plan";
import { configProblems, find, ROOT } from "./helpers";
import {
  type Answer,
  askEngines,
  PROXY_REFUSED,
  judgeAirflow,
  judgeHdfs,
  judgeImpala,
  judgeKafka,
  judgeMinio,
  judgeSpark,
  judgeTrino,
  judgeYarn,
  judgeZooKeeper,
} from "../infra/engine-health";
import { httpsPorts, type Observed } from "../infra/health";
import { stackPlan } from "./support/stack-plans";

const NN = (o: { live?: number; dead?: number; missing?: number; under?: number; safemode?: string } = {}) => ({
  beans: [
    {
      name: "Hadoop:service=NameNode,name=FSNamesystem",
      MissingBlocks: o.missing ?? 0,
      UnderReplicatedBlocks: o.under ?? 0,
      CapacityTotal: 4 * 1024 ** 4,
      CapacityUsed: 1.5 * 1024 ** 4,
    },
    { name: "Hadoop:service=NameNode,name=FSNamesystemState", NumLiveDataNodes: o.live ?? 3, NumDeadDataNodes: o.dead ?? 0 },
    { name: "Hadoop:service=NameNode,name=NameNodeInfo", Safemode: o.safemode ?? "" },
  ],
});

describe("HDFS, from the active NameNode", () => {
  it("healthy: the active and standby named, DataNodes against the desired count, capacity, blocks", () => {
    expect(judgeHdfs({ "hdfs-namenode-0": "standby", "hdfs-namenode-1": "active" }, NN(), 3)).toEqual({
      state: "healthy",
      facts: [
        "active NameNode hdfs-namenode-1, standby hdfs-namenode-0",
        "3/3 DataNodes live, 0 dead",
        "1.5 TiB of 4.0 TiB used",
        "0 missing, 0 under-replicated blocks",
      ],
      problems: [],
    });
  });
  it("degraded by dead or missing DataNodes, missing or under-replicated blocks, a lost standby", () => {
    const r = judgeHdfs({ "hdfs-namenode-0": "active", "hdfs-namenode-1": "no answer" }, NN({ live: 2, dead: 1, missing: 4, under: 7 }), 3);
    expect(r.state).toBe("degraded");
    expect(r.problems).toEqual([
      "2 of 3 DataNodes live",
      "1 dead DataNodes",
      "4 missing blocks: some files cannot be read",
      "7 under-replicated blocks",
      "no standby NameNode: a failover has nowhere to go",
    ]);
  });
  it("down in safe mode, with no live DataNode, or with no active NameNode", () => {
    expect(judgeHdfs({ nn: "active" }, NN({ safemode: "Safe mode is ON. It was turned on manually.\nmore" }), 3)).toMatchObject({
      state: "down",
      problems: ["in safe mode, writes refused: Safe mode is ON. It was turned on manually."],
    });
    expect(judgeHdfs({ nn: "active" }, NN({ live: 0 }), 3).problems).toContain("no live DataNode");
    expect(judgeHdfs({ a: "standby", b: "no answer" }, undefined, 3)).toEqual({
      state: "down",
      facts: [],
      problems: ["no active NameNode (a: standby, b: no answer)"],
    });
  });
});

describe("YARN, Trino, ZooKeeper, MinIO, Spark, Impala, Airflow", () => {
  const metrics = (activeNodes: number, lost = 0) => ({
    clusterMetrics: { activeNodes, lostNodes: lost, unhealthyNodes: 0, allocatedMB: 2048, totalMB: 8192, appsRunning: 1, appsPending: 0 },
  });
  it("YARN: NodeManagers against the desired count, memory in use", () => {
    expect(judgeYarn(metrics(2), 2)).toEqual({
      state: "healthy",
      facts: ["2/2 NodeManagers running", "2048 of 8192 MB memory in use; 1 applications running, 0 pending"],
      problems: [],
    });
    expect(judgeYarn(metrics(1, 1), 2)).toMatchObject({ state: "degraded", problems: ["1 of 2 NodeManagers running", "1 lost NodeManagers"] });
    expect(judgeYarn(metrics(0), 2).state).toBe("down");
  });
  it("Trino: started, workers active less the failed ones", () => {
    const info = { starting: false, nodeVersion: { version: "479" } };
    const nodes = [{ uri: "http://a" }, { uri: "http://b" }];
    expect(judgeTrino(info, nodes, [], 2)).toEqual({ state: "healthy", facts: ["coordinator 479 answers", "2/2 workers active"], problems: [] });
    expect(judgeTrino(info, nodes, [{ uri: "http://b" }], 2)).toMatchObject({ state: "degraded", facts: [expect.anything(), "1/2 workers active, 1 failed"] });
    expect(judgeTrino({ ...info, starting: true }, [], [], 2)).toMatchObject({
      state: "down",
      problems: ["the coordinator is still starting", "no active worker: queries cannot run"],
    });
  });
  it("ZooKeeper: one leader and a majority; standalone is whole", () => {
    const leader = { server_state: "leader", synced_followers: 2 };
    expect(judgeZooKeeper({ "zk-0": { server_state: "follower" }, "zk-1": leader, "zk-2": { server_state: "follower" } }, 3)).toMatchObject({
      state: "healthy",
      facts: ["zk-0: follower, zk-1: leader, zk-2: follower", "3/3 servers in the quorum"],
    });
    expect(judgeZooKeeper({ "zk-0": undefined, "zk-1": { ...leader, synced_followers: 1 }, "zk-2": { server_state: "follower" } }, 3)).toMatchObject({
      state: "degraded",
      problems: ["2 of 3 servers in the quorum: 1 more lost stops it"],
    });
    expect(judgeZooKeeper({ "zk-0": { server_state: "looking" }, "zk-1": undefined, "zk-2": undefined }, 3)).toMatchObject({
      state: "down",
      problems: ["no leader: the ensemble has no quorum"],
    });
    expect(judgeZooKeeper({ "zk-0": { server_state: "standalone" } }, 1)).toEqual({ state: "healthy", facts: ["zk-0: standalone"], problems: [] });
  });
  it("Kafka: its tools' answers in a broker, section by section", () => {
    // Shaped as Kafka 4.1's tools print them (the engine suite runs the real ones).
    const broker = (id: number) =>
      `kafka-broker-${id}.kafka-broker-headless.data-platform.svc.cluster.local:9092 (id: ${id} rack: null isFenced: false) -> (\n\tProduce(0): 0 to 13 [usable: 13],\n)`;
    const partition = (topic: string, p: number) => `\tTopic: ${topic}\tPartition: ${p}\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,1`;
    const out = (o: { brokers?: number; leader?: string; under?: number; unavailable?: number; failed?: string } = {}) =>
      [
        "=== brokers",
        ...Array.from({ length: o.brokers ?? 3 }, (_, i) => broker(i)),
        `=== quorum${o.failed ? " failed 1" : ""}`,
        ...(o.failed
          ? [o.failed]
          : [
              "ClusterId:              jA0m8UAp6-P0VOj_uZN34Q",
              `LeaderId:               ${o.leader ?? "1001"}`,
              'CurrentVoters:          [{"id": 1000, "endpoints": ["CONTROLLER://a:9093"]}, {"id": 1001, "endpoints": ["CONTROLLER://b:9093"]}, {"id": 1002, "endpoints": ["CONTROLLER://c:9093"]}]',
              'CurrentObservers:       [{"id": 0, "directoryId": "IzVVoLk-iqbK1nedzMwYNw"}]',
            ]),
        "=== underReplicated",
        ...Array.from({ length: o.under ?? 0 }, (_, i) => partition("orders", i)),
        "=== unavailable",
        ...Array.from({ length: o.unavailable ?? 0 }, (_, i) => partition("events", i)),
        "=== groups",
        "Consumer group 'dbt' has no active members.",
        "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID",
        "dbt             orders          0          5               5               0               -               -               -",
        "",
        "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID",
        "streaming       orders          0          100             160             60              c-1             /10.0.0.9       c",
        "streaming       orders          1          -               40              -               c-1             /10.0.0.9       c",
        "streaming       orders          2          90              150             60              c-1             /10.0.0.9       c",
      ].join("\n");
    expect(judgeKafka(out(), 3)).toEqual({
      state: "healthy",
      facts: [
        "3/3 brokers registered",
        "controller quorum: leader 1001 of 3 voters",
        "0 under-replicated, 0 unavailable partitions",
        "consumer lag: dbt 0, streaming 120",
      ],
      problems: [],
    });
    expect(judgeKafka(out({ brokers: 2, under: 17 }), 3)).toMatchObject({
      state: "degraded",
      problems: ["2 of 3 brokers registered", "17 under-replicated partitions"],
    });
    expect(judgeKafka(out({ unavailable: 4 }), 3)).toMatchObject({
      state: "down",
      problems: ["4 partitions have no leader: their topics cannot be read or written"],
    });
    expect(
      judgeKafka(out({ brokers: 0, failed: "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment." }), 3),
    ).toMatchObject({
      state: "down",
      problems: [
        "kafka-metadata-quorum describe --status exited 1: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment.",
        "no broker registered",
        "the controller quorum has no leader",
      ],
    });
  });

  it("MinIO: read and write quorum from the status codes", () => {
    const ok: Answer = { status: 200, body: "" };
    const lost: Answer = { status: 503, body: "" };
    expect(judgeMinio(ok, ok)).toEqual({ state: "healthy", facts: ["write quorum kept, read quorum kept"], problems: [] });
    expect(judgeMinio(lost, ok).problems).toEqual(["no write quorum (HTTP 503): writes are refused"]);
    expect(judgeMinio(lost, lost).problems).toEqual(["no read quorum (HTTP 503): objects cannot be read"]);
  });
  it("Spark, Impala and Airflow", () => {
    expect(judgeSpark({ status: "ALIVE", aliveworkers: 1, activeapps: [] }, 2)).toMatchObject({ state: "degraded", problems: ["1 of 2 workers alive"] });
    expect(judgeSpark({ status: "STANDBY" }, 2).state).toBe("down");
    expect(judgeImpala([{ metrics: [{ name: "statestore.live-backends", value: 5 }] }])).toEqual({
      state: "healthy",
      facts: ["5 daemons subscribed to the statestore"],
      problems: [],
    });
    const now = Date.parse("2026-12-05T12:00:30Z");
    const health = {
      metadatabase: { status: "healthy" },
      scheduler: { status: "healthy", latest_scheduler_heartbeat: "2026-12-05T12:00:00Z" },
      triggerer: { status: "unhealthy", latest_triggerer_heartbeat: null },
    };
    expect(judgeAirflow(health, now)).toEqual({
      state: "degraded",
      facts: ["metadatabase healthy", "scheduler healthy (heartbeat 30s ago)", "triggerer unhealthy"],
      problems: ["triggerer is unhealthy"],
    });
  });
});

const noExec = async () => {
  throw new Error("no exec here");
};

describe("asking the engines", () => {
  const workload = (name: string, component: string, desired: number) => ({
    kind: "StatefulSet",
    name,
    desired,
    ready: desired,
    selector: {},
    labels: { "app.kubernetes.io/name": name.split("-")[0], "app.kubernetes.io/component": component },
    claimTemplates: [],
  });
  const pod = (name: string, component: string, ready = true) => ({
    name,
    labels: { "app.kubernetes.io/name": "zookeeper", "app.kubernetes.io/component": component },
    ready,
    restarts: 0,
  });
  const observed = (pods: Observed["pods"]): Observed => ({ workloads: [workload("zookeeper", "server", 1)], pods, claims: [], services: [], events: [] });

  it("asks only the engines present, through the pod proxy, at the engine's port and path", async () => {
    const asked: string[] = [];
    const reports = await askEngines(
      observed([pod("zookeeper-0", "server")]),
      async (p, port, path) => {
        asked.push(`${p}:${port}${path}`);
        return { status: 200, body: JSON.stringify({ server_state: "standalone" }) };
      },
      noExec,
    );
    expect(asked).toEqual(["zookeeper-0:8080/commands/mntr"]);
    expect(reports).toEqual([{ engine: "zookeeper", state: "healthy", facts: ["zookeeper-0: standalone"], problems: [] }]);
  });

  it("MinIO judged only on its own answers (200, 503): any other status is no answer", async () => {
    const minio = {
      ...observed([]),
      workloads: [{ ...workload("minio", "server", 4), labels: { "app.kubernetes.io/name": "minio", "app.kubernetes.io/component": "server" } }],
      pods: [{ ...pod("minio-0", "server"), labels: { "app.kubernetes.io/name": "minio", "app.kubernetes.io/component": "server" } }],
    };
    const answering = (status: number) => askEngines(minio, async () => ({ status, body: "" }), noExec);
    // tls mode: the workload's probes ask 9000 over HTTPS, and so does the API server's proxy.
    const schemes: boolean[] = [];
    const secure = { ...minio, workloads: [{ ...minio.workloads[0], httpsPorts: [9000] }] };
    await askEngines(
      secure,
      async (_pod, _port, _path, _headers, https) => {
        schemes.push(https === true);
        return { status: 200, body: "" };
      },
      noExec,
    );
    expect(schemes).toEqual([true, true]);
    expect(httpsPorts(find(await stackPlan("prod"), "StatefulSet", "minio").inputs.spec.template.spec)).toEqual([9000]);
    expect(httpsPorts(find(await stackPlan("dev"), "StatefulSet", "minio").inputs.spec.template.spec)).toEqual([]);
    expect((await answering(503))[0]).toMatchObject({ state: "down", problems: ["no read quorum (HTTP 503): objects cannot be read"] });
    expect((await answering(403))[0]).toEqual({
      engine: "minio",
      state: "unknown",
      facts: [],
      problems: ["no answer: minio-0:9000/minio/health/cluster answered HTTP 403"],
    });
  });

  it("without apiServerCidrs the proxied engines are not asked (the NetworkPolicies would drop them): unknown at once, naming the setting", async () => {
    const asked: string[] = [];
    const reports = await askEngines(
      observed([pod("zookeeper-0", "server")]),
      async (p, port, path) => {
        asked.push(`${p}:${port}${path}`);
        return { status: 200, body: "{}" };
      },
      noExec,
      () => undefined,
      false,
    );
    expect(asked).toEqual([]);
    expect(reports).toEqual([{ engine: "zookeeper", state: "unknown", facts: [], problems: [PROXY_REFUSED] }]);
    expect(PROXY_REFUSED).toMatch(/dataplatform:apiServerCidrs/);
  });

  it("Airflow: the monitor's health through the proxy, then the DAGs' newest runs by exec in the API server's container", async () => {
    const labels = { "app.kubernetes.io/name": "airflow", "app.kubernetes.io/component": "api-server" };
    const airflow = {
      ...observed([]),
      workloads: [{ ...workload("airflow", "api-server", 1), labels }],
      pods: [{ ...pod("airflow-api-server-0", "api-server"), labels }],
    };
    const execs: string[][] = [];
    const runs = {
      dags: [
        {
          dag_id: "enterprise_data_pipeline",
          paused: false,
          last_run: { run_id: "scheduled__1", state: "failed", end_date: null },
          failed_tasks: ["analytics.dbt_build"],
        },
      ],
    };
    const [report] = await askEngines(
      airflow,
      async () => ({ status: 200, body: JSON.stringify({ metadatabase: { status: "healthy" }, scheduler: { status: "healthy" } }) }),
      async (p, container, command) => {
        execs.push([p, container, ...command.slice(0, 2)]);
        return { code: 0, output: `a warning on stderr\n${JSON.stringify(runs)}` };
      },
    );
    expect(execs).toEqual([["airflow-api-server-0", "api-server", "python", "-c"]]);
    expect(report).toEqual({
      engine: "airflow",
      state: "degraded",
      facts: ["metadatabase healthy", "scheduler healthy"],
      problems: ["enterprise_data_pipeline: last run scheduled__1 failed: analytics.dbt_build"],
    });
  });

  it("an engine with no ready pod, or one the API server will not proxy to, is unknown, saying why", async () => {
    expect(await askEngines(observed([pod("zookeeper-0", "server", false)]), async () => ({ status: 200, body: "{}" }), noExec)).toEqual([
      { engine: "zookeeper", state: "unknown", facts: [], problems: ["not asked: no ready server pod"] },
    ]);
    const forbidden = JSON.stringify({ kind: "Status", message: 'pods "zookeeper-0" is forbidden: User "ops" cannot get resource "pods/proxy"' });
    const spark = {
      ...observed([]),
      workloads: [workload("spark-master", "master", 1)],
      pods: [{ ...pod("spark-master-0", "master"), labels: { "app.kubernetes.io/name": "spark", "app.kubernetes.io/component": "master" } }],
    };
    expect(await askEngines(spark, async () => ({ status: 403, body: forbidden }), noExec)).toEqual([
      {
        engine: "spark",
        state: "unknown",
        facts: [],
        problems: ['no answer: spark-master-0:8080/json/ answered HTTP 403: pods "zookeeper-0" is forbidden: User "ops" cannot get resource "pods/proxy"'],
      },
    ]);
  });
});

describe("the NetworkPolicies admit the API server's proxy to the health endpoints (apiServerCidrs)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-health-np-"));
  const stackFile = (extra: Record<string, unknown>) => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    Object.assign(doc.config, extra);
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), YAML.stringify(doc));
  };
  const policies = async () =>
    (await planStack({ stack: "prod", dir })).resources.filter((r) => r.type.endsWith(":NetworkPolicy") && r.inputs.metadata.name.startsWith("allow-health-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("one policy per deployed engine's endpoint, from those blocks to that port only", async () => {
    stackFile({ "dataplatform:apiServerCidrs": ["10.0.0.0/28", "fd00::/64"] });
    const found = await policies();
    expect(found.map((p) => p.inputs.metadata.name).sort()).toEqual(
      [
        "allow-health-hdfs-namenode",
        "allow-health-impala-statestored",
        "allow-health-minio-server",
        "allow-health-spark-master",
        "allow-health-trino-coordinator",
        "allow-health-yarn-resourcemanager",
        "allow-health-zookeeper-server",
        "allow-health-airflow-api-server",
      ].sort(),
    );
    const nn = found.find((p) => p.inputs.metadata.name === "allow-health-hdfs-namenode")!.inputs.spec;
    expect(nn).toEqual({
      podSelector: {
        matchLabels: { "app.kubernetes.io/name": "hdfs", "app.kubernetes.io/component": "namenode", "app.kubernetes.io/part-of": "data-platform" },
      },
      policyTypes: ["Ingress"],
      // prod's HDFS serves its web endpoints over HTTPS only: health asks 9871 (9870 is closed).
      ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/28" } }, { ipBlock: { cidr: "fd00::/64" } }], ports: [{ protocol: "TCP", port: 9871 }] }],
    });
    expect(found.find((p) => p.inputs.metadata.name === "allow-health-yarn-resourcemanager")!.inputs.spec.ingress[0].ports).toEqual([
      { protocol: "TCP", port: 8090 },
    ]);
    expect(found.find((p) => p.inputs.metadata.name === "allow-health-minio-server")!.inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9000 }]);
  });

  it("none without the setting; a value that is no CIDR block is refused, naming the file and the setting", async () => {
    stackFile({});
    expect(await policies()).toEqual([]);
    stackFile({ "dataplatform:apiServerCidrs": ["10.0.0.0/33"] });
    expect(configProblems(() => loadPlatform(ROOT, "prod", readStackFile("prod", dir)))).toEqual([
      expect.stringMatching(/Pulumi\.prod\.yaml.*apiServerCidrs.*must be a CIDR block such as 10\.0\.0\.0\/24/),
    ]);
    // The health ports are the engines' APIs (Trino queries, MinIO's S3): never opened to everyone.
    stackFile({ "dataplatform:apiServerCidrs": ["0.0.0.0/0", "10.0.0.0/8", "::/0"] });
    expect(configProblems(() => loadPlatform(ROOT, "prod", readStackFile("prod", dir)))).toEqual([
      expect.stringMatching(/Pulumi\.prod\.yaml.*apiServerCidrs\.0.*too widely: allowed are .* \/8 or narrower for IPv4, \/32 or narrower for IPv6/),
      expect.stringMatching(/Pulumi\.prod\.yaml.*apiServerCidrs\.2.*too widely/),
    ]);
  });
});
