/**
 * HDFS and YARN as the program renders them. Single NameNode (dev): it formats once for the pinned
 * cluster ID, a restart keeps its namespace. HA (staging, prod): JournalNodes, two NameNodes with
 * their ZKFC sidecars on the plan's ZooKeeper; one becomes active, the JournalNodes hold the pinned
 * cluster ID, the standby takes over when the active pod goes, and a NameNode that lost its volume
 * copies its peer's metadata instead of formatting. Then DataNodes register, the directories Job lays
 * out the tree, and the ResourceManager sees the NodeManagers offer the memory and cores the stack
 * asks for. Asserted through the daemons' own HTTP APIs and files.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import * as tls from "node:tls";
import { after, before, describe, test } from "node:test";
import { DIRECTORIES, NAMESERVICE } from "../../components/hdfs/spec";
import { vcores } from "../../components/yarn/spec";
import { section } from "../../infra/config/schema";
import { loadPlatform } from "../../infra/config/stack";
import { applyDataNodes, planDataNodes } from "../../infra/datanode-decommission";
import type { LiveCluster } from "../../infra/scale-checks";
import { applySets, readStackFile } from "../../tools/plan";
import { eventually as poll } from "../eventually";
import { ApiServer } from "./api-server";
import { engineFiles, lakeSecrets, planned, plannedJob, planOf, type Pod, ROOT, Sandbox, samples, scrape, type Secrets, type StartOptions } from "./harness";
import { AGENT_JAR, JMX_EXPORTER } from "../../components/kit/metrics";
import { HDFS_METRICS } from "../../components/hdfs/metrics";
import { YARN_METRICS } from "../../components/yarn/metrics";
import { TestCa } from "./tls";
import { HADOOP_KEYSTORE_CREDENTIALS } from "../../components/kit/hadoop-tls";

const STACKS = (process.env.DP_ENGINE_HADOOP_STACKS ?? "dev,staging").split(",");
/** dev has one DataNode: a second one, so that one can be decommissioned (staging has 3 and replication 2). */
const SETS: Record<string, string[]> = { dev: ["hdfs.dataNodes.replicas=2"] };
/** The JMX exporter agent as an image built with it has it (pods here have no route to Maven Central). */
const AGENT_IN_IMAGE = "monitoring.agent=image";
const HADOOP = "/opt/hadoop";

const json = async (url: string) => (await fetch(url)).json() as Promise<any>;

/** GET over TLS from `ip`, trusting only `ca` and checking the certificate names `host` (as Hadoop's own clients do). */
function httpsGet(ip: string, port: number, host: string, ca: string, p: string): Promise<{ status: number; body: string; serial: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: ip,
        port,
        path: p,
        ca,
        servername: host,
        checkServerIdentity: (_: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(host, cert),
        timeout: 10_000,
        // A new handshake each time: a renewed certificate shows at once.
        agent: false,
      },
      (res) => {
        const serial = (res.socket as tls.TLSSocket).getPeerCertificate().serialNumber;
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, serial }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${host}:${port}${p}: timed out`)));
    req.on("error", reject);
  });
}

/** Whether anything accepts a TCP connection at ip:port. */
const listening = (ip: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new net.Socket();
    socket.setTimeout(3000);
    const answer = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => answer(true));
    socket.once("error", () => answer(false));
    socket.once("timeout", () => answer(false));
    socket.connect(port, ip);
  });
/** The daemons refuse connections while they start: their errors are retried, every 2 s. */
const eventually = <T>(what: string, seconds: number, check: () => Promise<T | undefined>) =>
  poll(what, seconds, check, { retryErrors: true, intervalMs: 2000 });

for (const stack of STACKS) {
  describe(`HDFS and YARN run stack ${stack}'s rendered configuration`, () => {
    const sets = [...(SETS[stack] ?? []), AGENT_IN_IMAGE];
    const plan = planOf(stack, sets);
    const stackConfig = readStackFile(stack);
    const loadedWith = (...more: string[]) => loadPlatform(ROOT, stack, stackConfig, applySets([...sets, ...more], stackConfig));
    const config = loadedWith().config;
    const hdfs = section(config, "hdfs");
    const yarn = section(config, "yarn");
    const namespace = planned(plan, "StatefulSet", "hdfs-namenode").metadata.namespace;
    let sandbox: Sandbox;
    let opts: StartOptions;
    const ha = hdfs.highAvailability;
    let namenodes: Pod[] = [];
    let datanodes: Pod[] = [];
    let journalnodes: Pod[] = [];
    // tls mode: the daemons' certificates, made as cert-manager would from the planned Certificates.
    const secure = hdfs.security === "tls";
    const yarnSecure = yarn.security === "tls";
    const ca = secure ? new TestCa("engine-test-hadoop-ca") : undefined;
    const password = randomBytes(12).toString("hex");
    const issue = (certificate: string) => {
      const spec = planned(plan, "Certificate", certificate).spec;
      return ca!.issueJks(spec.commonName, spec.dnsNames, password);
    };
    /** A StatefulSet pod's name under its headless Service, which its certificate must name. */
    const fqdnOf = (p: Pod) => `${p.name}.${p.name.replace(/-\d+$/, "")}-headless.${namespace}.svc.cluster.local`;
    const web = { namenode: secure ? 9871 : 9870, journalnode: secure ? 8481 : 8480, datanode: secure ? 9865 : 9864, rm: yarnSecure ? 8090 : 8088 };
    /** A daemon's web API: over TLS, trusting the platform CA alone and checking the pod's name, in tls mode. */
    const getJson = async (pod: Pod, port: number, p: string, overTls: boolean) => {
      if (!overTls) return json(`http://${pod.ip}:${port}${p}`);
      const r = await httpsGet(pod.ip, port, fqdnOf(pod), ca!.cert, p);
      if (r.status !== 200) throw new Error(`${pod.name}:${port}${p} answered ${r.status}: ${r.body.slice(0, 200)}`);
      return JSON.parse(r.body);
    };
    let resourceManagers: Pod[] = [];
    let nodeManagers: Pod[] = [];
    // A NameNode serves RPC (ready) a moment before it registers its beans: an empty answer is asked again.
    const jmx = async (nn: Pod, bean: string) =>
      poll(`${nn.name}'s ${bean} bean`, 60, async () => (await getJson(nn, web.namenode, `/jmx?qry=Hadoop:service=NameNode,name=${bean}`, secure)).beans?.[0]);
    const state = async (nn: Pod) => (await jmx(nn, "NameNodeStatus")).State as string;
    /** The NameNode that serves clients: the only one, or the active of the pair. */
    const active = async () =>
      ha
        ? eventually("an active NameNode", 120, async () => {
            const states = await Promise.all(namenodes.map((nn) => state(nn).catch(() => "down")));
            return states.filter((x) => x === "active").length === 1 ? namenodes[states.indexOf("active")] : undefined;
          })
        : namenodes[0];
    const nameNodeInfo = async (nn?: Pod) => jmx(nn ?? (await active()), "NameNodeInfo");
    /** A NameNode pod ready as a kubelet sees it: every container's readiness probe passes. */
    const ready = async (pods: Pod[]) => Promise.all(pods.flatMap((p) => [p, ...p.sidecars]).map((c) => c.waitReady(300)));

    before(async () => {
      sandbox = new Sandbox(`hadoop-${stack}`, plan, namespace);
      const here = path.join(ROOT, "tools", "engines", "hadoop");
      // The release keeps the daemons' web roots (webapps/<daemon>) beside its jars, which Maven
      // Central does not carry; the daemons need them to exist to serve their HTTP APIs.
      const resources = path.join(sandbox.dir, "hadoop-resources");
      for (const app of ["hdfs", "datanode", "journal", "secondary"]) fs.mkdirSync(path.join(resources, "webapps", app), { recursive: true });
      const hadoopImage = [
        `${resources}:${HADOOP}/share/hadoop/resources:ro`,
        `${path.join(engineFiles("hadoop"), "lib")}:${HADOOP}/share/hadoop/lib:ro`,
        `${here}/bin:${HADOOP}/bin:ro`,
        `${here}/conf/log4j.properties:${HADOOP}/etc/hadoop/log4j.properties:ro`,
        `${here}/conf/capacity-scheduler.xml:${HADOOP}/etc/hadoop/capacity-scheduler.xml:ro`,
        `${path.join(engineFiles("jmx-exporter"), "lib", JMX_EXPORTER.jar)}:${AGENT_JAR}:ro`,
      ];
      const zk = path.join(ROOT, "tools", "engines", "zookeeper");
      const zkHome = "/apache-zookeeper-3.9.4-bin";
      opts = {
        image: hadoopImage,
        user: "hadoop",
        path: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${HADOOP}/bin:${zkHome}/bin`,
        containerImages: {
          // The NodeManager's init container copies the Spark image's Java; this machine's stands in.
          "java-runtime": [`${path.dirname(path.dirname(fs.realpathSync("/usr/bin/java")))}:/opt/java/openjdk:ro`],
          zookeeper: [
            `${path.join(engineFiles("zookeeper"), "lib")}:${zkHome}/lib:ro`,
            `${zk}/bin:${zkHome}/bin:ro`,
            `${zk}/conf/logback.xml:/conf/logback.xml:ro`,
          ],
        },
        secrets: {
          ...lakeSecrets(),
          ...(secure
            ? { [HADOOP_KEYSTORE_CREDENTIALS.secret]: { password }, "hdfs-tls": issue("hdfs-tls"), ...(yarnSecure ? { "yarn-tls": issue("yarn-tls") } : {}) }
            : {}),
        } satisfies Secrets,
      };
      // ZooKeeper first: the ZKFCs and the ResourceManager keep their state there.
      await ready(await sandbox.startStatefulSet("zookeeper", opts));
      if (ha) {
        journalnodes = await sandbox.startStatefulSet("hdfs-journalnode", opts);
        await ready(journalnodes);
      }
      namenodes = await sandbox.startStatefulSet("hdfs-namenode", opts);
      await ready(namenodes);
      datanodes = await sandbox.startStatefulSet("hdfs-datanode", opts);
      await ready(datanodes);
    });
    after(async () => {
      await sandbox?.stopAll();
      ca?.remove();
    });

    const version = (claim: string, dir: string) => fs.readFileSync(path.join(sandbox.claimDir(claim), dir, "current", "VERSION"), "utf8");
    const clusterIdIn = (text: string) => /^clusterID=(.*)$/m.exec(text)?.[1];

    test("the NameNode metadata was formatted once, for the pinned cluster ID", async () => {
      assert.match(namenodes[0].log(), /Storage directory \/var\/lib\/hadoop\/namenode has been successfully formatted/);
      for (const nn of namenodes) {
        assert.equal(clusterIdIn(version(`data-${nn.name}`, "namenode")), hdfs.clusterId, nn.name);
        assert.equal((await nameNodeInfo(nn)).ClusterId, hdfs.clusterId, nn.name);
      }
      if (ha) {
        // The second NameNode copied the first's metadata (it never ran a format of its own).
        assert.doesNotMatch(namenodes[1].log(), /Formatting using clusterid/);
        for (let i = 0; i < hdfs.journalNodes!.replicas; i++) {
          assert.equal(clusterIdIn(version(`data-hdfs-journalnode-${i}`, `journal/${NAMESERVICE}`)), hdfs.clusterId, `hdfs-journalnode-${i}`);
        }
      }
    });

    test("block access tokens are on: every DataNode took the NameNode's keys (a block is served only with a token)", async () => {
      for (const dn of datanodes) {
        await dn.waitForLog(/Block token params received from NN: for block pool \S+ keyUpdateInterval=\d+ min\(s\), tokenLifetime=\d+ min\(s\)/, 120);
      }
    });

    if (secure) {
      test("tls: every HDFS daemon serves its web endpoint over HTTPS only, with a certificate for its own name from the platform CA", async () => {
        const stranger = new TestCa("engine-test-other-ca");
        try {
          const roles: [Pod[], number, number][] = [
            [namenodes, web.namenode, 9870],
            [journalnodes, web.journalnode, 8480],
            [datanodes, web.datanode, 9864],
          ];
          for (const [pods, port, plainPort] of roles) {
            for (const pod of pods) {
              const r = await eventually(`${pod.name}:${port} over TLS`, 60, () =>
                httpsGet(pod.ip, port, fqdnOf(pod), ca!.cert, "/jmx?qry=java.lang:type=Runtime"),
              );
              assert.equal(r.status, 200, `${pod.name}:${port}`);
              assert.equal(await listening(pod.ip, plainPort), false, `${pod.name} still serves plain HTTP on ${plainPort}`);
              await assert.rejects(
                httpsGet(pod.ip, port, fqdnOf(pod), stranger.cert, "/jmx"),
                /self[- ]signed|unable to (get|verify)/,
                `${pod.name} trusted by another CA`,
              );
            }
          }
        } finally {
          stranger.remove();
        }
      });
    }

    if (ha) {
      test("ZKFC makes one NameNode active and the other standby", async () => {
        await active();
        assert.deepEqual((await Promise.all(namenodes.map(state))).sort(), ["active", "standby"]);
      });
    }

    test(`the ${hdfs.dataNodes.replicas} DataNode(s) registered under their stable names${ha ? " with both NameNodes" : ""}`, async () => {
      const expected = datanodes.map((d) => `${d.name}.hdfs-datanode-headless.${namespace}.svc.cluster.local`).sort();
      for (const nn of namenodes) {
        const names = await eventually(`${nn.name}'s live DataNodes`, 90, async () => {
          const live = Object.keys(JSON.parse((await nameNodeInfo(nn)).LiveNodes))
            .map((n) => n.split(":")[0])
            .sort();
          return live.length === expected.length ? live : undefined;
        });
        assert.deepEqual(names, expected, nn.name);
      }
    });

    const statusOf = async (dir: string) =>
      (await getJson(await active(), web.namenode, `/webhdfs/v1${dir}?op=GETFILESTATUS&user.name=hdfs`, secure)).FileStatus;

    test(`the directories Job lays out the tree with its owners and modes${ha ? " (through the nameservice)" : ""}`, async () => {
      const run = await sandbox.runJob(plannedJob(plan, "hdfs-directories"), opts);
      assert.equal(run.code, 0, run.log);
      for (const [dir, { owner, mode }] of Object.entries(DIRECTORIES)) {
        const status = await statusOf(dir);
        assert.deepEqual([`${status.owner}:${status.group}`, status.permission], [owner, mode], dir);
      }
    });

    const restart = async (nn: Pod) => {
      const i = namenodes.indexOf(nn);
      await nn.stop();
      const pod = await sandbox.startPod(nn.name, nn.ip, planned(plan, "StatefulSet", "hdfs-namenode").spec.template, opts);
      namenodes[i] = pod;
      await ready([pod]);
      return pod;
    };

    if (!ha) {
      test("a restarted NameNode keeps its namespace and does not format again", async () => {
        const nn = await restart(namenodes[0]);
        assert.doesNotMatch(nn.lastLog(), /has been successfully formatted/);
        assert.equal((await nameNodeInfo(nn)).ClusterId, hdfs.clusterId);
        assert.equal((await statusOf("/data/streaming"))?.owner, "spark");
      });
    } else {
      test("when the active NameNode's pod goes, the standby takes over; back, it rejoins as standby without formatting", async () => {
        const before = await active();
        const other = namenodes.find((nn) => nn !== before)!;
        await before.stop();
        await eventually(`${other.name} active`, 120, async () => (await state(other)) === "active" || undefined);
        assert.equal((await statusOf("/data/streaming"))?.owner, "spark");
        const back = await restart(before);
        await eventually(`${back.name} standby`, 120, async () => (await state(back)) === "standby" || undefined);
        assert.doesNotMatch(back.lastLog(), /Formatting using clusterid|has been successfully formatted/);
        assert.equal((await nameNodeInfo(back)).ClusterId, hdfs.clusterId);
      });

      test("hdfs-namenode-0 with a lost volume copies its peer's metadata instead of formatting a new namespace", async () => {
        const first = namenodes[0];
        await first.stop();
        fs.rmSync(path.join(sandbox.claimDir("data-hdfs-namenode-0")), { recursive: true, force: true });
        const back = await restart(first);
        // Its format refused (the JournalNodes hold a namespace); the bootstrap from the peer ran.
        assert.match(back.lastLog(), /data appears to exist in QJM to .*\. Not formatting\./);
        assert.match(back.lastLog(), /About to bootstrap Standby ID nn0 from/);
        // Its image came from the peer's web endpoint, and its edits from the JournalNodes' (HTTPS in tls mode).
        const scheme = secure ? "https" : "http";
        assert.match(
          back.lastLog(),
          new RegExp(
            `TransferFsImage: Opening connection to ${scheme}://hdfs-namenode-1\\.hdfs-namenode-headless\\.${namespace}\\.svc\\.cluster\\.local:${web.namenode}/imagetransfer`,
          ),
        );
        const edits = new RegExp(
          `Start loading edits file ${scheme}://hdfs-journalnode-\\d\\.hdfs-journalnode-headless\\.${namespace}\\.svc\\.cluster\\.local:${web.journalnode}/getJournal`,
        );
        await eventually(`${back.name} to read the JournalNodes' edits`, 120, async () => edits.test(back.lastLog()) || undefined);
        assert.equal(clusterIdIn(version("data-hdfs-namenode-0", "namenode")), hdfs.clusterId);
        await eventually(`${back.name} standby`, 120, async () => (await state(back)) === "standby" || undefined);
        assert.equal((await statusOf("/data/streaming"))?.owner, "spark");
      });
    }

    test("lowering the DataNodes decommissions the last one first: its blocks reach the others before its pod goes; raising them again readmits it", async () => {
      const n = datanodes.length;
      const leaving = datanodes[n - 1];
      const leavingHost = `${leaving.name}.hdfs-datanode-headless.${namespace}.svc.cluster.local`;
      const nodes = async () => JSON.parse((await nameNodeInfo()).LiveNodes) as Record<string, { adminState: string; numBlocks: number; remaining: number }>;
      const of = async (host: string) => Object.entries(await nodes()).find(([k]) => k.startsWith(`${host}:`))?.[1];
      // After the NameNode tests, every DataNode registered again and reported its space (else no block can be placed).
      await eventually(`${n} live DataNodes with space`, 120, async () => {
        const live = Object.values(await nodes());
        return live.length === n && live.every((d) => d.remaining > 0) ? true : undefined;
      });
      // Files whose blocks the NameNode spreads over every DataNode.
      const files = Array.from({ length: 12 }, (_, i) => `/decommission/f${i}`);
      const put = await namenodes[0].run(
        [
          "/bin/bash",
          "-c",
          [
            "set -eu",
            "export HADOOP_HEAPSIZE_MAX=256m HADOOP_USER_NAME=hadoop",
            ...files.map((_, i) => `head -c 1500000 /dev/urandom > /tmp/f${i}`),
            "hdfs dfs -mkdir -p /decommission",
            `hdfs dfs -put -f ${files.map((_, i) => `/tmp/f${i}`).join(" ")} /decommission/`,
            `md5sum ${files.map((_, i) => `/tmp/f${i}`).join(" ")} | cut -c1-32`,
          ].join("\n"),
        ],
        180,
      );
      assert.equal(put.code, 0, put.output);
      const sums = put.output.trim().split("\n").slice(-files.length);
      assert.ok((await of(leavingHost))!.numBlocks > 0, "the leaving DataNode holds blocks");

      // The program's own steps, against these NameNodes: plan (as a preview does), then apply (as up does).
      const cluster: LiveCluster = {
        statefulSet: async (_ns, name) => (name === "hdfs-datanode" ? { replicas: n, annotations: {}, claims: [] } : undefined),
        expandable: async () => undefined,
        exec: async (_ns, pod, _container, command) => namenodes.find((nn) => nn.name === pod)!.run(command, 180),
        claims: async () => [],
        growClaim: async () => undefined,
        orphanStatefulSet: async () => undefined,
      };
      const lower = loadedWith(`hdfs.dataNodes.replicas=${n - 1}`);
      const change = await planDataNodes(lower, cluster);
      assert.deepEqual(change?.decommission, [n - 1]);
      await applyDataNodes(lower, cluster, { ...change!, timeoutS: 300 }, { intervalMs: 2000 });
      assert.equal((await of(leavingHost))!.adminState, "Decommissioned");

      // The scale-down removes the pod: every file is whole on the DataNodes that stay.
      await leaving.stop();
      const check = await namenodes[0].run(
        [
          "/bin/bash",
          "-c",
          [
            "set -eu",
            "export HADOOP_HEAPSIZE_MAX=256m HADOOP_USER_NAME=hadoop",
            ...files.map((f) => `hdfs dfs -cat ${f} | md5sum | cut -c1-32`),
            "hdfs fsck /decommission | grep -E 'Missing blocks:|is HEALTHY'",
          ].join("\n"),
        ],
        180,
      );
      assert.equal(check.code, 0, check.output);
      assert.deepEqual(
        check.output
          .trim()
          .split("\n")
          .filter((l) => /^[0-9a-f]{32}$/.test(l)),
        sums,
      );
      assert.match(check.output, /Missing blocks:\s+0/);
      assert.match(check.output, /is HEALTHY/);

      // Raised again: the program readmits it before its pod starts, and it serves again. No mark on
      // the StatefulSet (as after a restore): the NameNode's exclude file alone says it was excluded.
      const raised = {
        ...cluster,
        statefulSet: async (_ns: string, name: string) => (name === "hdfs-datanode" ? { replicas: n - 1, annotations: {}, claims: [] } : undefined),
      };
      const readmit = await planDataNodes(loadedWith(), raised);
      assert.deepEqual([readmit?.readmit, readmit?.excluded], [[n - 1], []]);
      await applyDataNodes(loadedWith(), raised, readmit!);
      datanodes[n - 1] = await sandbox.startPod(leaving.name, leaving.ip, planned(plan, "StatefulSet", "hdfs-datanode").spec.template, opts);
      // The NameNode calls it In Service as soon as it is readmitted, running or not: it is back once its pod is ready too.
      await ready([datanodes[n - 1]]);
      await eventually(`${leaving.name} in service`, 120, async () => ((await of(leavingHost))?.adminState === "In Service" ? true : undefined));
    });

    test("metrics: every NameNode, JournalNode and DataNode serves the JMX exporter's /metrics with the names the alerts read, and their values", async () => {
      const value = (text: string, name: string, labels = "") => samples(text, name).find((x) => x.labels.includes(labels))?.value;
      const activeName = (await active()).name;
      await eventually(`${datanodes.length} live DataNodes in the active NameNode's metrics`, 120, async () =>
        value(await scrape(await active()), HDFS_METRICS.liveDataNodes) === datanodes.length ? true : undefined,
      );
      for (const nn of namenodes) {
        const text = await scrape(nn);
        for (const name of [HDFS_METRICS.missingBlocks, HDFS_METRICS.corruptBlocks, HDFS_METRICS.underReplicatedBlocks, HDFS_METRICS.deadDataNodes]) {
          assert.ok(samples(text, name).length, `${nn.name}: ${name}`);
        }
        // The alerts read the active NameNode's counts through its HA state.
        const role = nn.name === activeName ? "active" : "standby";
        assert.equal(value(text, HDFS_METRICS.haState, `state="${role}"`), 1, `${nn.name}: ${HDFS_METRICS.haState}{state="${role}"}`);
        if (role === "active") {
          assert.equal(value(text, HDFS_METRICS.missingBlocks), 0, "no missing block");
          const total = value(text, HDFS_METRICS.capacityTotal)!;
          const remaining = value(text, HDFS_METRICS.capacityRemaining)!;
          assert.ok(total > 0 && remaining > 0 && remaining <= total, `capacity ${remaining} of ${total}`);
        }
      }
      let written = 0;
      for (const dn of datanodes) {
        // The data set's bean is registered once the DataNode's storage is set up, after it reports ready.
        const text = await eventually(`${dn.name}: ${HDFS_METRICS.failedVolumes}`, 60, async () => {
          const t = await scrape(dn);
          if (samples(t, HDFS_METRICS.failedVolumes).length) return t;
          throw new Error(
            `its Hadoop metrics: ${[
              ...new Set(
                t
                  .split("\n")
                  .filter((l) => l.startsWith("hadoop_"))
                  .map((l) => l.split(/[{ ]/)[0]),
              ),
            ].join(", ")}`,
          );
        });
        assert.equal(value(text, HDFS_METRICS.failedVolumes), 0, `${dn.name}: ${HDFS_METRICS.failedVolumes}`);
        assert.ok(samples(text, HDFS_METRICS.bytesRead).length, `${dn.name}: ${HDFS_METRICS.bytesRead}`);
        written += value(text, HDFS_METRICS.bytesWritten) ?? 0;
      }
      // The decommission test above wrote twelve 1.5 MB files (the restarted DataNode's count began again).
      assert.ok(written >= 1_500_000, `${HDFS_METRICS.bytesWritten}: ${written}`);
      for (const jn of journalnodes) {
        const text = await scrape(jn);
        assert.ok(
          text.split("\n").some((l) => l.startsWith("hadoop_journalnode_journal_")),
          `${jn.name}: its journal's metrics`,
        );
        assert.ok(samples(text, "jvm_memory_used_bytes").length, `${jn.name}: the JVM's own metrics`);
      }
    });

    if (secure) {
      test("tls: a renewed certificate is served by the NameNodes and DataNodes without a restart", async () => {
        const pods = [...namenodes, ...datanodes];
        const port = (p: Pod) => (namenodes.includes(p) ? web.namenode : web.datanode);
        const serial = async (p: Pod) => (await httpsGet(p.ip, port(p), fqdnOf(p), ca!.cert, "/jmx?qry=java.lang:type=Runtime")).serial;
        const before = await Promise.all(pods.map(serial));
        const started = Date.now();
        sandbox.updateSecret("hdfs-tls", issue("hdfs-tls"));
        const seconds: number[] = [];
        for (const [i, p] of pods.entries()) {
          await eventually(`${p.name} to serve the renewed certificate`, 90, async () => ((await serial(p)) !== before[i] ? true : undefined));
          seconds.push(Math.round((Date.now() - started) / 1000));
          assert.ok(p.running, `${p.name} stopped`);
        }
        console.log(`# hadoop ${stack}: renewed certificate served after ${seconds.join(", ")} s (NameNodes, DataNodes), no restart`);
      });
    }

    test(`the ResourceManager sees the NodeManager offer ${yarn.nodeManagers.memoryMb} MB and ${vcores(yarn)} cores`, async () => {
      resourceManagers = await sandbox.startStatefulSet("yarn-resourcemanager", opts);
      const [rm] = resourceManagers;
      await rm.waitReady(180);
      const nms = await sandbox.startStatefulSet("yarn-nodemanager", opts);
      nodeManagers = nms;
      await Promise.all(nms.map((n) => n.waitReady(180)));
      const deadline = Date.now() + 90_000;
      let nodes: any[] = [];
      while (Date.now() < deadline) {
        nodes = (await getJson(rm, web.rm, "/ws/v1/cluster/nodes", yarnSecure)).nodes?.node ?? [];
        if (nodes.length === yarn.nodeManagers.replicas && nodes.every((n) => n.state === "RUNNING")) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      if (yarnSecure) {
        // HTTPS only: the plain ports are closed, and each NodeManager shows a certificate for its own name.
        assert.equal(await listening(rm.ip, 8088), false, "the ResourceManager still serves plain HTTP");
        for (const nm of nms) {
          assert.equal(await listening(nm.ip, 8042), false, `${nm.name} still serves plain HTTP`);
          assert.equal((await getJson(nm, 8044, "/ws/v1/node/info", true)).nodeInfo?.nodeHealthy, true, nm.name);
        }
      }
      assert.equal(nodes.length, yarn.nodeManagers.replicas);
      for (const n of nodes) {
        assert.equal(n.state, "RUNNING");
        assert.equal(n.totalResource.memory, yarn.nodeManagers.memoryMb);
        assert.equal(n.totalResource.vCores, vcores(yarn));
      }
    });

    test("metrics: the ResourceManager and each NodeManager serve the JMX exporter's /metrics; the ResourceManager counts the NodeManagers and their memory", async () => {
      const [rm] = resourceManagers;
      const value = (text: string, name: string) => samples(text, name)[0]?.value;
      const text = await eventually("the ResourceManager's root queue in its metrics", 60, async () => {
        const t = await scrape(rm);
        return value(t, YARN_METRICS.availableMB) === yarn.nodeManagers.replicas * yarn.nodeManagers.memoryMb ? t : undefined;
      });
      for (const name of Object.values(YARN_METRICS).filter((n) => n.startsWith("hadoop_resourcemanager_")))
        assert.ok(samples(text, name).length, `${rm.name}: ${name}`);
      assert.equal(value(text, YARN_METRICS.activeNodeManagers), yarn.nodeManagers.replicas);
      assert.equal(value(text, YARN_METRICS.pendingContainers), 0);
      assert.equal(value(text, YARN_METRICS.lostNodeManagers), 0);
      for (const nm of nodeManagers) {
        const t = await scrape(nm);
        for (const name of [YARN_METRICS.containersLaunched, YARN_METRICS.containersFailed]) assert.ok(samples(t, name).length, `${nm.name}: ${name}`);
      }
    });

    test("npm run health asks the NameNodes and the ResourceManager through the API server's pod proxy: healthy, then safe mode and a NodeManager gone", async () => {
      const api = await ApiServer.open(`hadoop-${stack}`, plan);
      try {
        await api.register("hdfs-namenode", namenodes);
        await api.register("hdfs-datanode", datanodes);
        await api.register("yarn-resourcemanager", resourceManagers);
        await api.register("yarn-nodemanager", nodeManagers);
        const n = hdfs.dataNodes.replicas;
        // The readmitted DataNode reports its blocks again: the NameNode counts none under-replicated.
        const healthy = await poll("a healthy HDFS", 180, async () => {
          const r = await api.ask("hdfs");
          return r.state === "healthy" ? r : undefined;
        });
        const activeName = (await active()).name;
        assert.deepEqual(
          healthy.facts.filter((f) => !f.includes(" used")),
          [
            `active NameNode ${activeName}${ha ? `, standby ${namenodes.find((nn) => nn.name !== activeName)!.name}` : ""}`,
            `${n}/${n} DataNodes live, 0 dead`,
            "0 missing, 0 under-replicated blocks",
          ],
        );
        assert.match(healthy.facts.join("; "), /\d+\.\d GiB of \d+\.\d (GiB|TiB) used/);
        const yarnReport = await api.ask("yarn");
        assert.equal(yarnReport.state, "healthy", JSON.stringify(yarnReport));
        assert.equal(yarnReport.facts[0], `${yarn.nodeManagers.replicas}/${yarn.nodeManagers.replicas} NodeManagers running`);
        assert.match(yarnReport.facts[1], new RegExp(`^0 of ${yarn.nodeManagers.replicas * yarn.nodeManagers.memoryMb} MB memory in use`));

        // An operator puts HDFS in safe mode: writes are refused, and health says so.
        const admin = (mode: string) =>
          namenodes[0].run(["/bin/bash", "-c", `HADOOP_HEAPSIZE_MAX=256m HADOOP_USER_NAME=hadoop hdfs dfsadmin -safemode ${mode}`], 120);
        assert.equal((await admin("enter")).code, 0);
        const safe = await api.ask("hdfs");
        assert.equal(safe.state, "down", JSON.stringify(safe));
        assert.match(safe.problems[0], /^in safe mode, writes refused: Safe mode is ON/);
        assert.equal((await admin("leave")).code, 0);
        assert.equal((await api.ask("hdfs")).state, "healthy");

        // A NodeManager stops: it leaves the ResourceManager, which counts one fewer.
        await nodeManagers[nodeManagers.length - 1].stop();
        const fewer = await poll("the ResourceManager to count one NodeManager fewer", 120, async () => {
          const r = await api.ask("yarn");
          return r.state !== "healthy" ? r : undefined;
        });
        const left = yarn.nodeManagers.replicas - 1;
        assert.deepEqual(
          [fewer.state, fewer.problems[0]],
          left === 0
            ? ["down", "no NodeManager running: no container can start"]
            : ["degraded", `${left} of ${yarn.nodeManagers.replicas} NodeManagers running`],
        );
        console.log(`# hdfs and yarn health: ${JSON.stringify([healthy, safe, fewer])}`);
      } finally {
        await api.close();
      }
    });
  });
}
