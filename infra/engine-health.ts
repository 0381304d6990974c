/**
 * The engines' own view of their health, asked through their HTTP APIs by way of the API server's
 * pod proxy (`pods/<pod>:<port>/proxy`), so nothing is exposed: HDFS's NameNode JMX, YARN's
 * ResourceManager REST API, Trino's coordinator, ZooKeeper's AdminServer, MinIO's health endpoint,
 * the Spark master, Impala's statestore, Airflow's API server. Kafka speaks only its binary
 * protocol: its own tools are run in a broker's container instead (pods/exec). Each `judge` is pure:
 * the answers in, a verdict out. The metastore (Thrift) stays at the Kubernetes level.
 */
import * as http from "node:http";
import * as https from "node:https";
import type * as k8s from "@kubernetes/client-node";
import { API_SERVER, API_SERVER_CONTAINER, dagRunsScript } from "../components/airflow/names";
import { NAMENODE, DATANODE } from "../components/hdfs/names";
import { STATESTORE } from "../components/impala/spec";
import { SERVER as MINIO } from "../components/minio/spec";
import { MASTER as SPARK_MASTER, WORKER as SPARK_WORKER } from "../components/spark/spec";
import { COORDINATOR as TRINO_COORDINATOR, RELEASE as TRINO_RELEASE, WORKER as TRINO_WORKER } from "../components/starburst/spec";
import { HEALTH_PASSWORD_FILE, HTTPS_PORT, TLS_DIR as TRINO_TLS_DIR } from "../components/starburst/security";
import { NODE_MANAGER, RESOURCE_MANAGER } from "../components/yarn/spec";
import { ZOOKEEPER } from "../components/zookeeper/spec";
import { HEALTH_SECTIONS, BROKER as KAFKA_BROKER, healthScript } from "../components/kafka/spec";
import type { Workload } from "../components/kit/labels";
import { type Observed, type State, worst } from "./health";

export interface EngineReport {
  engine: string;
  /** `unknown`: the engine could not be asked (no ready pod, no answer, no permission). */
  state: State | "unknown";
  facts: string[];
  problems: string[];
}

/** An HTTP answer of a pod, through the API server. */
export interface Answer {
  status: number;
  body: string;
}
/** `https`: the pod serves that port with TLS (the API server then dials it so, without checking its certificate). */
export type PodGet = (pod: string, port: number, path: string, headers?: Record<string, string>, https?: boolean) => Promise<Answer>;
/** A command in a pod's container, as `kubectl exec` runs it. */
export type PodExec = (pod: string, container: string, command: string[]) => Promise<{ code: number; output: string }>;

/** What a probe is given: the ready pods of its workloads and a way to ask them. */
interface Asked {
  pods: string[];
  /** Desired pods of a workload of the same engine (for example the DataNodes). */
  desired(w: Workload): number | undefined;
  get(pod: string, path: string, headers?: Record<string, string>): Promise<Answer>;
  /** The answer's JSON; any status but 200 is an error. */
  json(pod: string, path: string, headers?: Record<string, string>): Promise<unknown>;
  exec: PodExec;
}

interface Probe {
  engine: string;
  workload: Workload;
  /** The HTTP port asked through the proxy; none when the engine is asked by exec. */
  port?: number;
  /** The port asked over TLS when the pods serve it with TLS (their tls mode); `port` itself by default. */
  tlsPort?: number;
  ask(a: Asked): Promise<Omit<EngineReport, "engine">>;
}

const GiB = 1024 ** 3;
const size = (bytes: number) => (bytes >= 1024 * GiB ? `${(bytes / 1024 / GiB).toFixed(1)} TiB` : `${(bytes / GiB).toFixed(1)} GiB`);

/** A verdict being built: the worst state wins. */
function verdict() {
  const r = { state: "healthy" as State, facts: [] as string[], problems: [] as string[] };
  const rank: Record<State, number> = { healthy: 0, degraded: 1, down: 2 };
  return {
    r,
    fact: (f: string) => r.facts.push(f),
    worse: (s: State, problem: string) => {
      r.problems.push(problem);
      if (rank[s] > rank[r.state]) r.state = s;
    },
  };
}

type Beans = { beans: Record<string, unknown>[] };
const bean = (jmx: Beans, name: string) => jmx.beans.find((b) => b.name === name) ?? {};

/** HDFS from the active NameNode's JMX (every NameNode's HA state first). */
export function judgeHdfs(states: Record<string, string>, jmx: Beans | undefined, dataNodes: number | undefined) {
  const v = verdict();
  const active = Object.keys(states).filter((p) => states[p] === "active");
  const standby = Object.keys(states).filter((p) => states[p] === "standby");
  if (!active.length || !jmx) {
    v.worse(
      "down",
      `no active NameNode (${
        Object.entries(states)
          .map(([p, s]) => `${p}: ${s}`)
          .join(", ") || "none answered"
      })`,
    );
    return v.r;
  }
  v.fact(`active NameNode ${active[0]}${standby.length ? `, standby ${standby.join(", ")}` : ""}`);
  const fs = bean(jmx, "Hadoop:service=NameNode,name=FSNamesystem") as Record<string, number>;
  const state = bean(jmx, "Hadoop:service=NameNode,name=FSNamesystemState") as Record<string, number>;
  const info = bean(jmx, "Hadoop:service=NameNode,name=NameNodeInfo") as Record<string, string>;
  const live = state.NumLiveDataNodes ?? 0;
  const dead = state.NumDeadDataNodes ?? 0;
  v.fact(`${live}${dataNodes !== undefined ? `/${dataNodes}` : ""} DataNodes live, ${dead} dead`);
  v.fact(`${size((fs.CapacityUsed as number) ?? 0)} of ${size((fs.CapacityTotal as number) ?? 0)} used`);
  v.fact(`${fs.MissingBlocks ?? 0} missing, ${fs.UnderReplicatedBlocks ?? 0} under-replicated blocks`);
  if (info.Safemode) v.worse("down", `in safe mode, writes refused: ${String(info.Safemode).split("\n")[0]}`);
  if (live === 0) v.worse("down", "no live DataNode");
  else if (dataNodes !== undefined && live < dataNodes) v.worse("degraded", `${live} of ${dataNodes} DataNodes live`);
  if (dead > 0) v.worse("degraded", `${dead} dead DataNodes`);
  if ((fs.MissingBlocks ?? 0) > 0) v.worse("degraded", `${fs.MissingBlocks} missing blocks: some files cannot be read`);
  if ((fs.UnderReplicatedBlocks ?? 0) > 0) v.worse("degraded", `${fs.UnderReplicatedBlocks} under-replicated blocks`);
  if (Object.keys(states).length > 1 && !standby.length) v.worse("degraded", "no standby NameNode: a failover has nowhere to go");
  return v.r;
}

/** YARN from the ResourceManager's cluster metrics. */
export function judgeYarn(metrics: { clusterMetrics: Record<string, number> }, nodeManagers: number | undefined) {
  const v = verdict();
  const m = metrics.clusterMetrics;
  v.fact(`${m.activeNodes}${nodeManagers !== undefined ? `/${nodeManagers}` : ""} NodeManagers running`);
  v.fact(`${m.allocatedMB} of ${m.totalMB} MB memory in use; ${m.appsRunning} applications running, ${m.appsPending} pending`);
  if (m.activeNodes === 0) v.worse("down", "no NodeManager running: no container can start");
  else if (nodeManagers !== undefined && m.activeNodes < nodeManagers) v.worse("degraded", `${m.activeNodes} of ${nodeManagers} NodeManagers running`);
  for (const k of ["unhealthyNodes", "lostNodes"] as const)
    if (m[k] > 0) v.worse("degraded", `${m[k]} ${k === "lostNodes" ? "lost" : "unhealthy"} NodeManagers`);
  return v.r;
}

type TrinoNode = { uri?: string };

/** Trino from its coordinator: started, and its workers (those its failure detector tracks, less the failed ones). */
export function judgeTrino(
  info: { starting: boolean; nodeVersion?: { version: string } },
  nodes: TrinoNode[],
  failed: TrinoNode[],
  workers: number | undefined,
) {
  const v = verdict();
  if (info.starting) v.worse("down", "the coordinator is still starting");
  v.fact(`coordinator ${info.nodeVersion?.version ?? "?"} ${info.starting ? "starting" : "answers"}`);
  const down = new Set(failed.map((n) => n.uri));
  const active = nodes.filter((n) => !down.has(n.uri)).length;
  v.fact(`${active}${workers !== undefined ? `/${workers}` : ""} workers active${failed.length ? `, ${failed.length} failed` : ""}`);
  if (workers !== undefined && workers > 0 && active === 0) v.worse("down", "no active worker: queries cannot run");
  else if (workers !== undefined && active < workers) v.worse("degraded", `${active} of ${workers} workers active`);
  return v.r;
}

/** The coordinator's container in the chart's Deployment. */
const TRINO_CONTAINER = "trino-coordinator";

/**
 * Inside the coordinator: its node lists over HTTPS as the health user, one JSON line each. The
 * password goes from the mounted file to curl's stdin (-K -), never into an argument.
 */
export function trinoNodesScript(): string {
  const host = TRINO_RELEASE;
  return [
    "set -euo pipefail",
    `ask() { printf 'user = "health:%s"\\n' "$(cat ${HEALTH_PASSWORD_FILE})" | curl -sS --fail -K - --cacert ${TRINO_TLS_DIR}/ca.crt --resolve ${host}:${HTTPS_PORT}:127.0.0.1 "https://${host}:${HTTPS_PORT}$1"; echo; }`,
    "ask /v1/node",
    "ask /v1/node/failed",
  ].join("\n");
}

/** ZooKeeper from each server's `mntr`: one leader (or a standalone server) and a quorum. */
export function judgeZooKeeper(mntr: Record<string, { server_state?: string; synced_followers?: number } | undefined>, servers: number | undefined) {
  const v = verdict();
  const states = Object.entries(mntr).map(([p, m]) => [p, m?.server_state ?? "no answer"] as const);
  v.fact(states.map(([p, s]) => `${p}: ${s}`).join(", "));
  const leaders = states.filter(([, s]) => s === "leader");
  if (states.some(([, s]) => s === "standalone")) return v.r;
  const total = servers ?? states.length;
  if (leaders.length !== 1) {
    v.worse("down", leaders.length ? `${leaders.length} leaders` : "no leader: the ensemble has no quorum");
    return v.r;
  }
  const inQuorum = 1 + (mntr[leaders[0][0]]?.synced_followers ?? 0);
  v.fact(`${inQuorum}/${total} servers in the quorum`);
  if (inQuorum <= total / 2) v.worse("down", `${inQuorum} of ${total} servers in the quorum: no majority`);
  else if (inQuorum < total) v.worse("degraded", `${inQuorum} of ${total} servers in the quorum: ${inQuorum - Math.floor(total / 2)} more lost stops it`);
  return v.r;
}

/** The health script's output by section (components/kafka/spec.ts healthScript), and the sections that failed. */
function kafkaSections(output: string) {
  const sections: Record<string, string> = {};
  const failed: string[] = [];
  for (const part of output.split(/^=== /m).slice(1)) {
    const [head, ...body] = part.split("\n");
    const [name, failure] = head.split(" failed ");
    sections[name] = body.join("\n");
    if (failure) failed.push(`${HEALTH_SECTIONS[name as keyof typeof HEALTH_SECTIONS] ?? name} exited ${failure}: ${body.filter((l) => l.trim()).pop() ?? ""}`);
  }
  return { sections, failed };
}

/** Per consumer group, the sum of its partitions' lag (a partition never committed has "-" and counts 0). */
function groupLags(table: string): Map<string, number> {
  const lags = new Map<string, number>();
  for (const line of table.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[0] === "GROUP" || !/^\d+$/.test(f[2])) continue;
    lags.set(f[0], (lags.get(f[0]) ?? 0) + (/^\d+$/.test(f[5]) ? Number(f[5]) : 0));
  }
  return lags;
}

/** Kafka from its own tools in a broker: brokers registered, the controller quorum, partitions, consumer lag. */
export function judgeKafka(output: string, brokers: number | undefined) {
  const v = verdict();
  const { sections, failed } = kafkaSections(output);
  for (const f of failed) v.worse("degraded", f);
  const registered = (sections.brokers?.match(/\(id: \d+/g) ?? []).length;
  v.fact(`${registered}${brokers !== undefined ? `/${brokers}` : ""} brokers registered`);
  if (registered === 0) v.worse("down", "no broker registered");
  else if (brokers !== undefined && registered < brokers) v.worse("degraded", `${registered} of ${brokers} brokers registered`);
  const leader = /^LeaderId:\s*(-?\d+)/m.exec(sections.quorum ?? "")?.[1];
  const votersLine = /^CurrentVoters:\s*(.*)$/m.exec(sections.quorum ?? "")?.[1] ?? "";
  // Dynamic quorums list voters as objects ({"id": 1, ...}), static ones as [1,2,3].
  const voters = (votersLine.match(/"id":\s*\d+/g) ?? votersLine.match(/\d+/g) ?? []).length;
  if (leader !== undefined && Number(leader) >= 0) v.fact(`controller quorum: leader ${leader} of ${voters} voters`);
  else v.worse("down", "the controller quorum has no leader");
  const partitions = (section?: string) => (section?.match(/Partition: /g) ?? []).length;
  const under = partitions(sections.underReplicated);
  const unavailable = partitions(sections.unavailable);
  v.fact(`${under} under-replicated, ${unavailable} unavailable partitions`);
  if (unavailable > 0) v.worse("down", `${unavailable} partitions have no leader: their topics cannot be read or written`);
  if (under > 0) v.worse("degraded", `${under} under-replicated partitions`);
  const lags = [...groupLags(sections.groups ?? "")].map(([g, lag]) => `${g} ${lag}`).sort();
  v.fact(lags.length ? `consumer lag: ${lags.join(", ")}` : "no consumer group");
  return v.r;
}

/** MinIO's cluster health: 200 while the erasure sets keep write quorum. */
export function judgeMinio(write: Answer, read: Answer) {
  const v = verdict();
  v.fact(`write quorum ${write.status === 200 ? "kept" : "lost"}, read quorum ${read.status === 200 ? "kept" : "lost"}`);
  if (read.status !== 200) v.worse("down", `no read quorum (HTTP ${read.status}): objects cannot be read`);
  else if (write.status !== 200) v.worse("down", `no write quorum (HTTP ${write.status}): writes are refused`);
  return v.r;
}

/** The Spark standalone master: alive, and its workers. */
export function judgeSpark(
  master: { status: string; aliveworkers?: number; workers?: { state: string }[]; activeapps?: unknown[] },
  workers: number | undefined,
) {
  const v = verdict();
  const alive = master.aliveworkers ?? (master.workers ?? []).filter((w) => w.state === "ALIVE").length;
  v.fact(
    `master ${master.status}, ${alive}${workers !== undefined ? `/${workers}` : ""} workers alive, ${(master.activeapps ?? []).length} applications running`,
  );
  if (master.status !== "ALIVE") v.worse("down", `master is ${master.status}`);
  else if (workers !== undefined && alive < workers) v.worse(alive === 0 ? "down" : "degraded", `${alive} of ${workers} workers alive`);
  return v.r;
}

/** Impala's statestore: the daemons subscribed to it. */
export function judgeImpala(metrics: { metrics?: { name: string; value: unknown }[] }[] | { metrics?: { name: string; value: unknown }[] }) {
  const v = verdict();
  const groups = Array.isArray(metrics) ? metrics : [metrics];
  const metric = groups.flatMap((g) => g.metrics ?? []).find((m) => m.name === "statestore.live-backends");
  const live = Number(metric?.value ?? 0);
  v.fact(`${live} daemons subscribed to the statestore`);
  if (live === 0) v.worse("down", "no daemon subscribed to the statestore");
  return v.r;
}

/** Airflow's API server: the metadata database, the scheduler's heartbeat and the other loops. */
export function judgeAirflow(health: Record<string, { status?: string; latest_scheduler_heartbeat?: string | null } | undefined>, now = Date.now()) {
  const v = verdict();
  for (const [part, h] of Object.entries(health)) {
    if (!h?.status) continue;
    const beat = h.latest_scheduler_heartbeat ?? (h as Record<string, string | null | undefined>)[`latest_${part}_heartbeat`];
    v.fact(`${part} ${h.status}${beat ? ` (heartbeat ${Math.round((now - new Date(beat).getTime()) / 1000)}s ago)` : ""}`);
    if (h.status !== "healthy") v.worse(part === "metadatabase" || part === "scheduler" ? "down" : "degraded", `${part} is ${h.status}`);
  }
  return v.r;
}

type Verdict = ReturnType<typeof verdict>["r"];

interface DagRuns {
  dags: { dag_id: string; paused: boolean; last_run: { run_id: string; state: string; end_date: string | null } | null; failed_tasks: string[] }[];
}

/**
 * The DAGs' newest runs, from components/airflow/health/dag_runs.py run in an Airflow pod: a failed
 * run is degraded, naming its failed tasks (the platform still serves; its data is late). A script
 * that could not read them adds a fact, not a verdict.
 */
export function judgeDagRuns(code: number, output: string) {
  const v = verdict();
  const line = output
    .split("\n")
    .filter((l) => l.startsWith('{"dags"'))
    .pop();
  if (code !== 0 || !line) {
    v.fact(`DAG runs not read (exit ${code}): ${output.trim().split("\n").pop()?.slice(0, 200) ?? ""}`);
    return v.r;
  }
  for (const d of (JSON.parse(line) as DagRuns).dags) {
    const run = d.last_run;
    const paused = d.paused ? " (paused)" : "";
    if (!run) v.fact(`${d.dag_id}${paused}: no run yet`);
    else if (run.state === "failed")
      v.worse("degraded", `${d.dag_id}${paused}: last run ${run.run_id} failed${d.failed_tasks.length ? `: ${d.failed_tasks.join(", ")}` : ""}`);
    else v.fact(`${d.dag_id}${paused}: last run ${run.state}${run.end_date ? ` (ended ${run.end_date})` : ""}`);
  }
  return v.r;
}

/** Two verdicts on one engine as one: the worse state, every fact and problem. */
function together(a: Verdict, b: Verdict): Verdict {
  return { state: worst([a.state, b.state]), facts: [...a.facts, ...b.facts], problems: [...a.problems, ...b.problems] };
}

/** Every pod's answer (undefined where it gave none); when none answers, the engine cannot be judged: the first error. */
async function eachPod(a: Asked, path: string): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {};
  const errors: unknown[] = [];
  for (const pod of a.pods) answers[pod] = await a.json(pod, path).catch((e) => void errors.push(e));
  if (errors.length === a.pods.length) throw errors[0];
  return answers;
}

const PROBES: Probe[] = [
  {
    engine: "kafka",
    workload: KAFKA_BROKER,
    async ask(a) {
      const run = await a.exec(a.pods[0], "kafka", ["/bin/bash", "-c", healthScript()]);
      if (run.code !== 0) throw new Error(`the health script in ${a.pods[0]} exited ${run.code}: ${run.output.trim().split("\n").pop()}`);
      return judgeKafka(run.output, a.desired(KAFKA_BROKER));
    },
  },
  {
    engine: "hdfs",
    workload: NAMENODE,
    port: 9870,
    tlsPort: 9871,
    async ask(a) {
      const answers = await eachPod(a, "/jmx?qry=Hadoop:service=NameNode,name=NameNodeStatus");
      const states = Object.fromEntries(Object.entries(answers).map(([pod, s]) => [pod, String((s as Beans | undefined)?.beans[0]?.State ?? "no answer")]));
      const active = Object.keys(states).find((p) => states[p] === "active");
      const jmx = active ? ((await a.json(active, "/jmx?qry=Hadoop:service=NameNode,name=*")) as Beans) : undefined;
      return judgeHdfs(states, jmx, a.desired(DATANODE));
    },
  },
  {
    engine: "yarn",
    workload: RESOURCE_MANAGER,
    port: 8088,
    tlsPort: 8090,
    ask: async (a) => judgeYarn((await a.json(a.pods[0], "/ws/v1/cluster/metrics")) as { clusterMetrics: Record<string, number> }, a.desired(NODE_MANAGER)),
  },
  {
    engine: "trino",
    workload: TRINO_COORDINATOR,
    port: 8080,
    async ask(a) {
      const pod = a.pods[0];
      const info = (await a.json(pod, "/v1/info")) as { starting: boolean };
      // The node lists name their reader, as any Trino client does.
      const user = { "X-Trino-User": "health" };
      const open = await a.get(pod, "/v1/node", user);
      if (open.status === 200) {
        const failed = (await a.json(pod, "/v1/node/failed", user)) as TrinoNode[];
        return judgeTrino(info, JSON.parse(open.body) as TrinoNode[], failed, a.desired(TRINO_WORKER));
      }
      if (open.status !== 401 && open.status !== 403) throw new ProxyError(pod, 8080, "/v1/node", open);
      // tls mode: the node lists need a login, which the API server's proxy cannot carry (it takes the
      // Authorization header as its own); the coordinator asks itself over HTTPS as the health user.
      const asked = await a.exec(pod, TRINO_CONTAINER, ["/bin/bash", "-c", trinoNodesScript()]);
      if (asked.code !== 0) throw new Error(`${pod}: the node lists over HTTPS (exec) failed: ${asked.output.trim().split("\n").slice(-1)[0]}`);
      const [nodes, failed] = asked.output
        .trim()
        .split("\n")
        .slice(-2)
        .map((l) => JSON.parse(l) as TrinoNode[]);
      return judgeTrino(info, nodes, failed, a.desired(TRINO_WORKER));
    },
  },
  {
    engine: "zookeeper",
    workload: ZOOKEEPER,
    port: 8080,
    async ask(a) {
      const mntr = (await eachPod(a, "/commands/mntr")) as Record<string, { server_state?: string; synced_followers?: number } | undefined>;
      return judgeZooKeeper(mntr, a.desired(ZOOKEEPER));
    },
  },
  {
    engine: "minio",
    workload: MINIO,
    port: 9000,
    // Answered with a status code and no body: 200, or 503 without quorum; any other is no answer from MinIO.
    async ask(a) {
      const [write, read] = [await a.get(a.pods[0], "/minio/health/cluster"), await a.get(a.pods[0], "/minio/health/cluster/read")];
      for (const [path, answer] of [
        ["/minio/health/cluster", write],
        ["/minio/health/cluster/read", read],
      ] as const) {
        if (answer.status !== 200 && answer.status !== 503) throw new ProxyError(a.pods[0], 9000, path, answer);
      }
      return judgeMinio(write, read);
    },
  },
  {
    engine: "spark",
    workload: SPARK_MASTER,
    port: 8080,
    ask: async (a) => judgeSpark((await a.json(a.pods[0], "/json/")) as { status: string }, a.desired(SPARK_WORKER)),
  },
  { engine: "impala", workload: STATESTORE, port: 25010, ask: async (a) => judgeImpala((await a.json(a.pods[0], "/metrics?json")) as { metrics?: [] }) },
  {
    engine: "airflow",
    workload: API_SERVER,
    port: 8080,
    async ask(a) {
      const health = judgeAirflow((await a.json(a.pods[0], "/api/v2/monitor/health")) as Record<string, { status?: string }>);
      // The DAG runs need an API login over HTTP; by exec, the API server's own database connection reads them.
      const runs = await a.exec(a.pods[0], API_SERVER_CONTAINER, ["python", "-c", dagRunsScript()]);
      return together(health, judgeDagRuns(runs.code, runs.output));
    },
  },
];

/**
 * Where each engine answers health questions: what the NetworkPolicies admit the API server to (stack
 * setting apiServerCidrs). `tls(engine)`: the engine runs its tls mode, where health asks its HTTPS port.
 */
export function healthEndpoints(tls: (engine: string) => boolean): { workload: Workload; port: number }[] {
  return PROBES.filter((p) => p.port !== undefined).map((p) => ({ workload: p.workload, port: tls(p.engine) && p.tlsPort ? p.tlsPort : p.port! }));
}

const selects = (w: Workload, labels: Record<string, string>) =>
  labels["app.kubernetes.io/name"] === w.name && labels["app.kubernetes.io/component"] === w.component;

/** Why the engines asked through the proxy are not asked when the stack names no apiServerCidrs. */
export const PROXY_REFUSED = "not asked: the NetworkPolicies refuse the API server's proxy until the stack sets dataplatform:apiServerCidrs";

/**
 * Every engine with a workload in the namespace, asked through `get` (or `exec`); one that cannot
 * be asked is `unknown`, saying why. `proxyAdmitted` false (no apiServerCidrs): the default-deny
 * NetworkPolicies would drop every proxied request, so only the engines asked by exec are asked.
 */
export async function askEngines(
  o: Observed,
  get: PodGet,
  exec: PodExec,
  progress: (line: string) => void = () => undefined,
  proxyAdmitted = true,
): Promise<EngineReport[]> {
  const reports: EngineReport[] = [];
  const desired = (w: Workload) => o.workloads.find((wl) => selects(w, wl.labels ?? wl.selector))?.desired;
  for (const probe of PROBES) {
    const workload = o.workloads.find((wl) => selects(probe.workload, wl.labels ?? wl.selector));
    if (!workload) continue;
    const pods = o.pods
      .filter((p) => p.ready && selects(probe.workload, p.labels))
      .map((p) => p.name)
      .sort();
    if (!pods.length) {
      reports.push({ engine: probe.engine, state: "unknown", facts: [], problems: [`not asked: no ready ${probe.workload.component} pod`] });
      continue;
    }
    if (probe.port && !proxyAdmitted) {
      reports.push({ engine: probe.engine, state: "unknown", facts: [], problems: [PROXY_REFUSED] });
      continue;
    }
    // A port served over HTTPS is asked over TLS (the same port, or the engine's own HTTPS port).
    const tlsPort = probe.tlsPort ?? probe.port;
    const tls = tlsPort !== undefined && (workload.httpsPorts?.includes(tlsPort) ?? false);
    const port = (tls ? tlsPort : probe.port) ?? 0;
    progress(`asking ${probe.engine} (${pods.join(", ")}${port ? `:${port}` : ", by exec"}) ...`);
    const json = async (pod: string, path: string, headers?: Record<string, string>) => {
      const answer = await get(pod, port, path, headers, tls);
      if (answer.status !== 200) throw new ProxyError(pod, port, path, answer);
      return JSON.parse(answer.body);
    };
    try {
      const asked: Asked = { pods, desired, json, get: (pod, path, headers) => get(pod, port, path, headers, tls), exec };
      reports.push({ engine: probe.engine, ...(await probe.ask(asked)) });
    } catch (e) {
      reports.push({ engine: probe.engine, state: "unknown", facts: [], problems: [`no answer: ${(e as Error).message}`] });
    }
  }
  return reports;
}

class ProxyError extends Error {
  constructor(pod: string, port: number, path: string, answer: Answer) {
    const status = answer.body.startsWith("{") ? (JSON.parse(answer.body) as { kind?: string; message?: string }) : undefined;
    const why = status?.kind === "Status" ? status.message : answer.body.slice(0, 200).replace(/\s+/g, " ");
    super(`${pod}:${port}${path.split("?")[0]} answered HTTP ${answer.status}${why ? `: ${why}` : ""}`);
  }
}

/** GET through the API server's pod proxy, with the kubeconfig's credentials; `timeoutMs` bounds each request. */
export function podProxy(kc: k8s.KubeConfig, namespace: string, timeoutMs = 10_000): PodGet {
  const server = kc.getCurrentCluster()!.server;
  return async (pod, port, path, headers = {}, tls = false) => {
    // The proxy's scheme prefix (https:<pod>:<port>) makes the API server speak TLS to the pod.
    const target = `${tls ? "https:" : ""}${pod}:${port}`;
    const url = new URL(`${server.replace(/\/$/, "")}/api/v1/namespaces/${namespace}/pods/${target}/proxy${path}`);
    const options: https.RequestOptions = { method: "GET", headers: { ...headers } };
    await kc.applyToHTTPSOptions(options);
    return new Promise<Answer>((resolve, reject) => {
      const request = (url.protocol === "https:" ? https : http).request(url, { ...options, timeout: timeoutMs }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
      request.on("error", reject);
      request.end();
    });
  };
}
