/**
 * HDFS and YARN as the program renders them: the NameNode formats once for the pinned cluster ID,
 * a DataNode registers, the directories Job lays out the tree, a restarted NameNode keeps its
 * namespace; the ResourceManager (its state in the plan's ZooKeeper) sees the NodeManager offer the
 * memory and cores the stack asks for. Asserted through the daemons' own HTTP APIs.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { DIRECTORIES } from "../../components/hdfs/spec";
import { vcores } from "../../components/yarn/spec";
import { section } from "../../infra/config/schema";
import { loadPlatform } from "../../infra/config/stack";
import { readStackFile } from "../../tools/plan";
import { engineFiles, planned, plannedJob, planOf, Pod, ROOT, Sandbox, StartOptions } from "./harness";

// The HA layout of staging and prod (JournalNodes, two NameNodes, failover) is not started here yet.
const STACKS = (process.env.DP_ENGINE_HADOOP_STACKS ?? "dev").split(",");
const HADOOP = "/opt/hadoop";

const json = async (url: string) => (await fetch(url)).json() as Promise<any>;

for (const stack of STACKS) {
  describe(`HDFS and YARN run stack ${stack}'s rendered configuration`, () => {
    const plan = planOf(stack);
    const config = loadPlatform(ROOT, stack, readStackFile(stack)).config;
    const hdfs = section(config, "hdfs");
    const yarn = section(config, "yarn");
    const namespace = planned(plan, "StatefulSet", "hdfs-namenode").metadata.namespace;
    let sandbox: Sandbox;
    let opts: StartOptions;
    let namenode: Pod;
    let datanodes: Pod[] = [];
    const nnHttp = () => `http://${namenode.ip}:9870`;

    before(async () => {
      sandbox = new Sandbox(`hadoop-${stack}`, plan, namespace);
      const here = path.join(ROOT, "tools", "engines", "hadoop");
      // The release keeps the daemons' web roots (webapps/<daemon>) beside its jars, which Maven
      // Central does not carry; the daemons need them to exist to serve their HTTP APIs.
      const resources = path.join(sandbox.dir, "hadoop-resources");
      for (const app of ["hdfs", "datanode", "journal", "secondary"]) fs.mkdirSync(path.join(resources, "webapps", app), { recursive: true });
      const hadoopImage = [
        `${resources}:${HADOOP}/share/hadoop/resources:ro`,
        `${path.join(engineFiles("hadoop"), "lib")}:${HADOOP}/share/hadoop/lib:ro`, `${here}/bin:${HADOOP}/bin:ro`,
        `${here}/conf/log4j.properties:${HADOOP}/etc/hadoop/log4j.properties:ro`,
        `${here}/conf/capacity-scheduler.xml:${HADOOP}/etc/hadoop/capacity-scheduler.xml:ro`,
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
          zookeeper: [`${path.join(engineFiles("zookeeper"), "lib")}:${zkHome}/lib:ro`, `${zk}/bin:${zkHome}/bin:ro`, `${zk}/conf/logback.xml:/conf/logback.xml:ro`],
        },
        secrets: { "minio-credentials": { "root-user": "engine-test", "root-password": "engine-test-secret" } },
      };
      [namenode] = await sandbox.startStatefulSet("hdfs-namenode", opts);
      await namenode.waitReady(180);
      datanodes = await sandbox.startStatefulSet("hdfs-datanode", opts);
      await Promise.all(datanodes.map((d) => d.waitReady(180)));
    });
    after(async () => {
      await sandbox?.stopAll();
    });

    const nameNodeInfo = async () => json(`${nnHttp()}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`).then((r) => r.beans[0]);

    test("the NameNode formatted its volume once, for the pinned cluster ID", async () => {
      assert.match(namenode.log(), /Storage directory \/var\/lib\/hadoop\/namenode has been successfully formatted/);
      const version = fs.readFileSync(path.join(sandbox.claimDir("data-hdfs-namenode-0"), "namenode", "current", "VERSION"), "utf8");
      assert.match(version, new RegExp(`^clusterID=${hdfs.clusterId}$`, "m"));
      assert.equal((await nameNodeInfo()).ClusterId, hdfs.clusterId);
    });

    test(`the ${hdfs.dataNodes.replicas} DataNode(s) registered under their stable names`, async () => {
      const deadline = Date.now() + 90_000;
      let live: Record<string, unknown> = {};
      while (Date.now() < deadline) {
        live = JSON.parse((await nameNodeInfo()).LiveNodes);
        if (Object.keys(live).length === hdfs.dataNodes.replicas) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      const names = Object.keys(live).map((n) => n.split(":")[0]).sort();
      assert.deepEqual(names, datanodes.map((d) => `${d.name}.hdfs-datanode-headless.${namespace}.svc.cluster.local`).sort());
    });

    test("the directories Job lays out the tree with its owners and modes", async () => {
      const run = await sandbox.runJob(plannedJob(plan, "hdfs-directories"), opts);
      assert.equal(run.code, 0, run.log);
      for (const [dir, { owner, mode }] of Object.entries(DIRECTORIES)) {
        const status = (await json(`${nnHttp()}/webhdfs/v1${dir}?op=GETFILESTATUS&user.name=hdfs`)).FileStatus;
        assert.deepEqual([`${status.owner}:${status.group}`, status.permission], [owner, mode], dir);
      }
    });

    test("a restarted NameNode keeps its namespace and does not format again", async () => {
      await namenode.stop();
      [namenode] = await sandbox.startStatefulSet("hdfs-namenode", opts);
      await namenode.waitReady(180);
      assert.doesNotMatch(namenode.lastLog(), /has been successfully formatted/);
      assert.equal((await nameNodeInfo()).ClusterId, hdfs.clusterId);
      const status = await json(`${nnHttp()}/webhdfs/v1/data/streaming?op=GETFILESTATUS&user.name=hdfs`);
      assert.equal(status.FileStatus?.owner, "spark");
    });

    test(`the ResourceManager sees the NodeManager offer ${yarn.nodeManagers.memoryMb} MB and ${vcores(yarn)} cores`, async () => {
      const [zookeeper] = await sandbox.startStatefulSet("zookeeper", opts);
      await zookeeper.waitReady(120);
      const [rm] = await sandbox.startStatefulSet("yarn-resourcemanager", opts);
      await rm.waitReady(180);
      const nms = await sandbox.startStatefulSet("yarn-nodemanager", opts);
      await Promise.all(nms.map((n) => n.waitReady(180)));
      const deadline = Date.now() + 90_000;
      let nodes: any[] = [];
      while (Date.now() < deadline) {
        nodes = (await json(`http://${rm.ip}:8088/ws/v1/cluster/nodes`)).nodes?.node ?? [];
        if (nodes.length === yarn.nodeManagers.replicas && nodes.every((n) => n.state === "RUNNING")) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      assert.equal(nodes.length, yarn.nodeManagers.replicas);
      for (const n of nodes) {
        assert.equal(n.state, "RUNNING");
        assert.equal(n.totalResource.memory, yarn.nodeManagers.memoryMb);
        assert.equal(n.totalResource.vCores, vcores(yarn));
      }
    });
  });
}
