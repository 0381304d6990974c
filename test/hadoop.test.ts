import * as fs from "node:fs";
import * as path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { Hdfs } from "../components/hdfs";
import { hdfsConfig } from "../components/hdfs/config";
import { clientConfigFiles, hdfsManifests, nameNodeStart } from "../components/hdfs/spec";
import { parseSiteXml, siteXml } from "../components/kit/hadoop-xml";
import { Spark, applicationFiles } from "../components/spark";
import { sparkConfig } from "../components/spark/config";
import { executorMemoryMiB, sparkDefaults, sparkManifests, SPARK_PACKAGES, workerSlots } from "../components/spark/spec";
import { Yarn } from "../components/yarn";
import { yarnConfig } from "../components/yarn/config";
import { vcores, yarnManifests, yarnSite } from "../components/yarn/spec";
import { yarnCluster } from "../components/yarn/contract";
import { planStack, recordResources } from "../tools/plan";
import { find, readEnvironment, ROOT } from "./helpers";
import { hadoopTls, stackContracts } from "./support/contracts";
import { stackPlan } from "./support/stack-plans";

const NS = "data-platform";
const ZK = `zookeeper.${NS}.svc.cluster.local:2181`;
const CID = "CID-3d041b95-03f9-4210-b504-5b3b75fef1d4";
const hdfs = (e: string, extra: object = {}) => hdfsConfig.parse({ ...readEnvironment(e).hdfs, clusterId: CID, ...extra });
const yarn = (e: string, extra: object = {}) => yarnConfig.parse({ ...readEnvironment(e).yarn, ...extra });
const spark = (e: string, extra: object = {}) => sparkConfig.parse({ ...readEnvironment(e).spark, ...extra });
/** A stack's contracts, with YARN's from the given YARN config. */
const backends = (e: string, yarnCfg = yarn(e)) => ({ ...stackContracts(e, NS), yarn: yarnCluster(yarnCfg, NS, ZK) });
/** A stack's HDFS objects, with its Hadoop web TLS in tls mode, as the platform renders them. */
const hdfsObjects = (e: string) => hdfsManifests(hdfs(e), NS, ZK, undefined, hadoopTls(e));
const byKind = (ms: any[], kind: string) => ms.filter((m) => m.kind === kind);
const sts = (ms: any[], name: string) => ms.find((m) => m.kind === "StatefulSet" && m.metadata.name === name);

describe("HDFS configuration", () => {
  it("points clients at the seed's namenode:9000 with a single NameNode", () => {
    const files = clientConfigFiles(hdfs("dev"), NS, ZK);
    const core = parseSiteXml(files["core-site.xml"]);
    const site = parseSiteXml(files["hdfs-site.xml"]);
    expect(core["fs.defaultFS"]).toBe(`hdfs://namenode.${NS}.svc.cluster.local:9000`);
    expect(core["ha.zookeeper.quorum"]).toBeUndefined();
    expect(site["dfs.replication"]).toBe("1");
    expect(site["dfs.blocksize"]).toBe(String(128 * 1024 * 1024));
    // Without Kerberos still: DataNodes serve a block only with a token the NameNode signed.
    expect(site["dfs.block.access.token.enable"]).toBe("true");
    expect(site["dfs.namenode.rpc-address"]).toBe(`namenode.${NS}.svc.cluster.local:9000`);
    expect(site["dfs.namenode.datanode.registration.ip-hostname-check"]).toBe("false");
  });

  it("configures the HA pair, the quorum journal and ZooKeeper failover in prod", () => {
    const files = clientConfigFiles(hdfs("prod"), NS, ZK);
    const core = parseSiteXml(files["core-site.xml"]);
    const site = parseSiteXml(files["hdfs-site.xml"]);
    expect(core["fs.defaultFS"]).toBe("hdfs://dataplatform");
    expect(core["ha.zookeeper.quorum"]).toBe(ZK);
    expect(site["dfs.ha.namenodes.dataplatform"]).toBe("nn0,nn1");
    expect(site["dfs.namenode.rpc-address.dataplatform.nn1"]).toBe(`hdfs-namenode-1.hdfs-namenode-headless.${NS}.svc.cluster.local:9000`);
    expect(site["dfs.namenode.shared.edits.dir"]).toBe(
      `qjournal://${[0, 1, 2].map((i) => `hdfs-journalnode-${i}.hdfs-journalnode-headless.${NS}.svc.cluster.local:8485`).join(";")}/dataplatform`,
    );
    expect(site["dfs.ha.automatic-failover.enabled"]).toBe("true");
    expect(site["dfs.replication"]).toBe("3");
  });

  it("renders well-formed XML that escapes values and reads back the same", () => {
    for (const xml of Object.values(clientConfigFiles(hdfs("prod"), NS, ZK))) expect(XMLValidator.validate(xml)).toBe(true);
    const tricky = siteXml({ "a.b": "x < y && z", c: 1 });
    expect(XMLValidator.validate(tricky)).toBe(true);
    expect(tricky).toContain("x &lt; y &amp;&amp; z");
    expect(parseSiteXml(tricky)).toEqual({ "a.b": "x < y && z", c: "1" });
  });

  it("calls a NameNode ready once its RPC port serves (its web server answers before the namespace loads)", () => {
    for (const env of ["dev", "prod"]) {
      const nn = hdfsObjects(env).find((m: any) => m.kind === "StatefulSet" && m.metadata.name === "hdfs-namenode") as any;
      const container = nn.spec.template.spec.containers.find((c: any) => c.name === "namenode");
      expect(container.readinessProbe).toMatchObject({ tcpSocket: { port: 9000 } });
    }
  });

  it("formats the NameNode once, with the pinned cluster ID, and bootstraps the standby in HA", () => {
    const single = nameNodeStart(hdfs("dev")).split("\n");
    expect(single).toEqual([
      "set -eu",
      "touch /var/lib/hadoop/excluded-datanodes",
      "if [ ! -f /var/lib/hadoop/namenode/.initialized ]; then",
      '  hdfs namenode -format -force -nonInteractive -clusterId "$HDFS_CLUSTER_ID"',
      "  touch /var/lib/hadoop/namenode/.initialized",
      "fi",
      "exec hdfs namenode",
    ]);
    const ha = nameNodeStart(hdfs("prod"));
    // The first NameNode never forces a format: JournalNodes holding a namespace make it copy its peer instead.
    expect(ha).toContain(
      'until hdfs namenode -format -nonInteractive -clusterId "$HDFS_CLUSTER_ID" || hdfs namenode -bootstrapStandby -force -nonInteractive; do',
    );
    expect(ha).toContain("until hdfs namenode -bootstrapStandby -force -nonInteractive; do echo 'waiting for hdfs-namenode-0'");
    expect(ha.indexOf("touch /var/lib/hadoop/namenode/.initialized")).toBeGreaterThan(ha.lastIndexOf("bootstrapStandby"));
    const ms = hdfsObjects("prod");
    const nn = sts(ms, "hdfs-namenode");
    expect(nn.spec.replicas).toBe(2);
    expect(nn.spec.template.spec.containers.map((c: any) => c.name)).toEqual(["namenode", "zkfc"]);
    expect(nn.spec.template.spec.containers[0].env).toContainEqual({ name: "HDFS_CLUSTER_ID", value: CID });
    expect(nn.spec.template.spec.containers[0].startupProbe).toEqual({ tcpSocket: { port: 9000 }, periodSeconds: 10, failureThreshold: 180 });
    expect(sts(ms, "hdfs-journalnode").spec.replicas).toBe(3);
  });

  it("gives the NameNodes (and their ZKFCs) an exclude file the DataNodes and clients never see", () => {
    for (const stack of ["dev", "prod"]) {
      const ms = hdfsObjects(stack);
      const cm = ms.find((m) => m.kind === "ConfigMap" && m.metadata.name === "hdfs-config")!.data as Record<string, string>;
      const site = (key: string) => parseSiteXml(cm[key]);
      expect(site("namenode-hdfs-site.xml")).toEqual({ ...site("hdfs-site.xml"), "dfs.hosts.exclude": "/var/lib/hadoop/excluded-datanodes" });
      expect(clientConfigFiles(hdfs(stack), NS, ZK)["hdfs-site.xml"]).toBe(cm["hdfs-site.xml"]);
      const mountOf = (name: string) =>
        sts(ms, name).spec.template.spec.containers.map((c: any) => c.volumeMounts.find((m: any) => m.mountPath.endsWith("/hdfs-site.xml")).subPath);
      expect(new Set(mountOf("hdfs-namenode"))).toEqual(new Set(["namenode-hdfs-site.xml"]));
      expect(mountOf("hdfs-datanode")).toEqual(["hdfs-site.xml"]);
    }
  });

  it("registers DataNodes under their per-pod DNS names and sizes heaps from the limits", () => {
    const dn = sts(hdfsObjects("dev"), "hdfs-datanode");
    const c = dn.spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: "HADOOP_HEAPSIZE_MAX", value: "512m" });
    expect(c.volumeMounts).toContainEqual({ name: "config", mountPath: "/opt/hadoop/etc/hadoop/hdfs-site.xml", subPath: "hdfs-site.xml" });
  });

  // What the directories Job lays out is checked on the real HDFS (test/engines/hadoop.engine.ts).
  it("creates the platform's directories as the HDFS superuser", () => {
    const [j] = byKind(hdfsObjects("dev"), "Job");
    expect(j.spec.template.spec.containers[0].env).toContainEqual({ name: "HADOOP_USER_NAME", value: "hadoop" });
  });
});

describe("YARN configuration", () => {
  it("offers the environment's memory to containers with consistent scheduler bounds", () => {
    const site = yarnSite(yarn("dev"), NS, ZK);
    expect(site["yarn.nodemanager.resource.memory-mb"]).toBe(1638);
    expect(site["yarn.scheduler.maximum-allocation-mb"]).toBe(1638);
    expect(site["yarn.scheduler.minimum-allocation-mb"]).toBe(256);
    expect(site["yarn.nodemanager.resource.cpu-vcores"]).toBe(1);
    expect(site["yarn.scheduler.maximum-allocation-vcores"]).toBe(1);
    expect(site["yarn.resourcemanager.hostname"]).toBe(`resourcemanager.${NS}.svc.cluster.local`);
    expect(site["hadoop.zk.address"]).toBe(ZK);
  });

  it("gives containers Spark's Java 17 and the object-store credentials", () => {
    const ms = yarnManifests(yarn("dev"), NS, stackContracts("dev", NS), "apache/spark:4.0.1");
    const nm = sts(ms, "yarn-nodemanager").spec.template.spec;
    expect(nm.initContainers[0]).toMatchObject({
      name: "java-runtime",
      image: "apache/spark:4.0.1",
      command: ["/bin/sh", "-c", "cp -a /opt/java/openjdk/. /opt/java17/"],
    });
    expect(nm.containers[0].volumeMounts).toContainEqual({ name: "java", mountPath: "/opt/java17", readOnly: true });
    // YARN's own MinIO user (limited to the warehouse), never MinIO's root.
    expect(nm.containers[0].env).toContainEqual({
      name: "AWS_SECRET_ACCESS_KEY",
      valueFrom: { secretKeyRef: { name: "minio-users", key: "yarn-secret-key" } },
    });
    expect(String(yarnSite(yarn("dev"), NS, ZK)["yarn.nodemanager.env-whitelist"]).split(",")).toEqual(
      expect.arrayContaining(["JAVA_HOME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
    );
  });

  it("derives vcores from the CPU limit when set, else the request", () => {
    expect(vcores(yarn("prod"))).toBe(4);
    const limited = yarn("prod", {
      nodeManagers: {
        ...readEnvironment("prod").yarn.nodeManagers,
        resources: { requests: { cpu: "2", memory: "16Gi" }, limits: { cpu: "6", memory: "16Gi" } },
      },
    });
    expect(vcores(limited)).toBe(6);
  });
});

describe("Hadoop web TLS (hdfs.security, yarn.security)", () => {
  const secretMounts = (pod: any) => pod.volumes.filter((v: any) => v.secret).map((v: any) => [v.secret.secretName, v.secret.items.map((i: any) => i.key)]);
  const passwordEnv = { name: "HADOOP_KEYSTORE_PASSWORD", valueFrom: { secretKeyRef: { name: "hadoop-keystore", key: "password" } } };

  it("staging and prod serve every HDFS web endpoint over HTTPS only; dev keeps plain HTTP", () => {
    for (const stack of ["staging", "prod"]) {
      const site = parseSiteXml(clientConfigFiles(hdfs(stack), NS, ZK)["hdfs-site.xml"]);
      expect(site["dfs.http.policy"]).toBe("HTTPS_ONLY");
      for (const nn of [0, 1]) {
        expect(site[`dfs.namenode.https-address.dataplatform.nn${nn}`]).toBe(`hdfs-namenode-${nn}.hdfs-namenode-headless.${NS}.svc.cluster.local:9871`);
      }
      expect([site["dfs.journalnode.https-address"], site["dfs.datanode.https.address"], site["dfs.namenode.https-bind-host"]]).toEqual([
        "0.0.0.0:8481",
        "0.0.0.0:9865",
        "0.0.0.0",
      ]);
      expect(Object.keys(site).filter((k) => /http-address|http\.address|http-bind-host/.test(k))).toEqual([]);
    }
    const dev = parseSiteXml(clientConfigFiles(hdfs("dev"), NS, ZK)["hdfs-site.xml"]);
    expect(dev["dfs.http.policy"]).toBeUndefined();
    expect(dev["dfs.namenode.http-address"]).toBe(`namenode.${NS}.svc.cluster.local:9870`);
    expect(byKind(hdfsObjects("dev"), "Certificate")).toEqual([]);
  });

  it("gives each daemon its certificate's JKS stores (never the PEM key), ssl-server.xml with the password from its environment, and an HTTPS probe", () => {
    const ms = hdfsObjects("prod");
    const [cert] = byKind(ms, "Certificate");
    expect(cert.spec.keystores).toEqual({ jks: { create: true, passwordSecretRef: { name: "hadoop-keystore", key: "password" } } });
    expect(cert.spec.dnsNames).toEqual(
      expect.arrayContaining(["namenode", ...["namenode", "journalnode", "datanode"].map((r) => `*.hdfs-${r}-headless.${NS}.svc.cluster.local`)]),
    );
    const cm = ms.find((m) => m.kind === "ConfigMap" && m.metadata.name === "hdfs-config")!.data as Record<string, string>;
    const server = parseSiteXml(cm["ssl-server.xml"]);
    expect(server["ssl.server.keystore.password"]).toBe("${env.HADOOP_KEYSTORE_PASSWORD}");
    expect(server["ssl.server.keystore.location"]).toBe("/etc/hadoop-tls/keystore.jks");
    expect(parseSiteXml(cm["ssl-client.xml"])).toEqual({
      "ssl.client.truststore.location": "/etc/hadoop-tls/truststore.jks",
      "ssl.client.truststore.type": "jks",
    });
    // Clients (Spark, Impala, YARN) mount the client ConfigMap: no ssl files there.
    expect(Object.keys(ms.find((m) => m.kind === "ConfigMap" && m.metadata.name === "hdfs-client")!.data as object).sort()).toEqual([
      "core-site.xml",
      "hdfs-site.xml",
    ]);
    for (const name of ["hdfs-namenode", "hdfs-journalnode", "hdfs-datanode"]) {
      const pod = sts(ms, name).spec.template.spec;
      expect(secretMounts(pod)).toEqual([["hdfs-tls", ["keystore.jks", "truststore.jks"]]]);
      const daemon = pod.containers[0];
      expect(daemon.env).toContainEqual(passwordEnv);
      expect(daemon.volumeMounts.map((m: any) => m.mountPath)).toEqual(
        expect.arrayContaining(["/etc/hadoop-tls", "/opt/hadoop/etc/hadoop/ssl-server.xml", "/opt/hadoop/etc/hadoop/ssl-client.xml"]),
      );
    }
    expect(sts(ms, "hdfs-datanode").spec.template.spec.containers[0].readinessProbe.httpGet).toEqual({ path: "/", port: 9865, scheme: "HTTPS" });
    expect(sts(ms, "hdfs-namenode").spec.template.spec.containers[0].ports).toContainEqual({ name: "https", containerPort: 9871 });
    // The directories Job speaks RPC only: no key store, no password.
    expect(JSON.stringify(byKind(ms, "Job"))).not.toMatch(/hadoop-keystore|hdfs-tls/);
  });

  it("serves YARN's web endpoints over HTTPS only, and tells Spark's yarn-site so; containers never see the key store password", () => {
    const contracts = stackContracts("prod", NS);
    const ms = yarnManifests(yarn("prod"), NS, contracts, "apache/spark:4.0.1");
    const site = yarnSite(yarn("prod"), NS, ZK);
    expect([site["yarn.http.policy"], site["yarn.resourcemanager.webapp.https.address"], site["yarn.nodemanager.webapp.https.address"]]).toEqual([
      "HTTPS_ONLY",
      `resourcemanager.${NS}.svc.cluster.local:8090`,
      "0.0.0.0:8044",
    ]);
    expect(parseSiteXml(yarnCluster(yarn("prod"), NS, ZK).clientConfig.files["yarn-site.xml"])["yarn.http.policy"]).toBe("HTTPS_ONLY");
    expect(Object.keys(yarnCluster(yarn("prod"), NS, ZK).clientConfig.files)).toEqual(["yarn-site.xml"]);
    const rm = sts(ms, "yarn-resourcemanager").spec.template.spec;
    expect(rm.containers[0].readinessProbe.httpGet).toEqual({ path: "/ws/v1/cluster/info", port: 8090, scheme: "HTTPS" });
    const nm = sts(ms, "yarn-nodemanager").spec.template.spec;
    for (const pod of [rm, nm]) {
      expect(secretMounts(pod)).toContainEqual(["yarn-tls", ["keystore.jks", "truststore.jks"]]);
      expect(pod.containers[0].env).toContainEqual(passwordEnv);
    }
    expect(String(site["yarn.nodemanager.env-whitelist"])).not.toMatch(/KEYSTORE/);
    expect(byKind(ms, "Certificate")[0].spec.keystores.jks.passwordSecretRef).toEqual({ name: "hadoop-keystore", key: "password" });
    expect(yarnSite(yarn("dev"), NS, ZK)["yarn.http.policy"]).toBeUndefined();
  });
});

describe("Spark configuration", () => {
  it("switches on AQE, dynamic partition pruning, Snappy Parquet and the Iceberg catalog on the metastore and MinIO", () => {
    const d = sparkDefaults(spark("dev"), backends("dev"), NS);
    expect(d["spark.master"]).toBe(`spark://spark-master.${NS}.svc.cluster.local:7077`);
    expect(d["spark.sql.adaptive.enabled"]).toBe(true);
    expect(d["spark.sql.optimizer.dynamicPartitionPruning.enabled"]).toBe(true);
    expect(d["spark.sql.parquet.compression.codec"]).toBe("snappy");
    expect(d["spark.sql.catalog.iceberg.uri"]).toBe(`thrift://hive-metastore.${NS}.svc.cluster.local:9083`);
    expect(d["spark.sql.catalog.iceberg.warehouse"]).toBe("s3a://data-lake/warehouse");
    expect(d["spark.hadoop.fs.s3a.endpoint"]).toBe(`http://minio.${NS}.svc.cluster.local:9000`);
    expect(d["spark.jars.packages"]).toBe(SPARK_PACKAGES.join(","));
    expect(JSON.stringify(d)).not.toMatch(/access\.key|secret\.key/);
  });

  it("splits workers between the streaming driver and batch runs, within YARN's containers", () => {
    expect(workerSlots(spark("dev"))).toBe(2);
    expect(workerSlots(spark("prod"))).toBe(8);
    expect(executorMemoryMiB(spark("dev"), yarnCluster(yarn("dev"), NS, ZK))).toBe(512);
    expect(
      executorMemoryMiB(spark("dev"), yarnCluster(yarn("dev", { nodeManagers: { ...readEnvironment("dev").yarn.nodeManagers, memoryMb: 700 } }), NS, ZK)),
    ).toBe(316);
    const d = sparkDefaults(spark("prod"), backends("prod"), NS);
    expect(d["spark.executor.cores"]).toBe(4);
    expect(d["spark.cores.max"]).toBeUndefined();
    expect(d["spark.executorEnv.JAVA_HOME"]).toBe("/opt/java17");
    expect(d["spark.yarn.appMasterEnv.JAVA_HOME"]).toBe("/opt/java17");
    expect(d["spark.sql.warehouse.dir"]).toBe("hdfs:///user/spark/warehouse");
    // 7079 + 15 retries = 7094, the top of the range the NetworkPolicies open.
    expect(d["spark.port.maxRetries"]).toBe(15);
  });

  it("drops Maven resolution and its egress in image mode", () => {
    const imageMode = spark("dev", { dependencies: "image", image: "registry.example.com/dataplatform-spark:4.0.1-1" });
    expect(sparkDefaults(imageMode, backends("dev"), NS)["spark.jars.packages"]).toBeUndefined();
    const ms = sparkManifests(imageMode, NS, backends("dev"), applicationFiles());
    expect(ms.find((m) => m.metadata.name === "allow-spark-drivers-maven")).toBeUndefined();
  });

  it("ships the applications and runs the streaming driver without ever running two at once", () => {
    const ms = sparkManifests(spark("dev"), NS, backends("dev"), applicationFiles());
    const apps = ms.find((m) => m.kind === "ConfigMap" && m.metadata.name === "spark-apps") as any;
    expect(Object.keys(apps.data).sort()).toEqual(["kafka_to_hdfs_streaming.py", "lake-tables.json", "platform_schemas.py", "sample_spark_job.py"]);
    const streaming = ms.find((m) => m.kind === "Deployment" && m.metadata.name === "spark-streaming") as any;
    expect(streaming.spec.strategy).toEqual({ type: "Recreate" });
    const driver = streaming.spec.template.spec.containers[0];
    expect(driver.command[2]).toContain("spark-submit --deploy-mode client");
    expect(driver.command[2]).toContain("--conf spark.cores.max=1 ");
    expect(driver.command[2]).toContain("/opt/platform/apps/kafka_to_hdfs_streaming.py");
    expect(driver.env).toContainEqual({ name: "KAFKA_BOOTSTRAP_SERVERS", value: `kafka-bootstrap.${NS}.svc.cluster.local:9092` });
    expect(driver.env).toContainEqual({ name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "minio-users", key: "spark-secret-key" } } });
    expect(driver.startupProbe).toEqual({ tcpSocket: { port: 7078 }, periodSeconds: 10, failureThreshold: 90 });
    const batch = ms.find((m) => m.kind === "CronJob") as any;
    expect(batch.spec.suspend).toBe(true);
    expect(batch.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(14400);
    expect(batch.spec.jobTemplate.spec.template.spec.containers[0].command[2]).toContain("sample_spark_job.py");
    expect(sparkManifests(spark("dev", { streaming: false }), NS, backends("dev"), {}).find((m) => m.metadata.name === "spark-streaming")).toBeUndefined();
  });

  it("documents a buildable image with exactly the jars the applications need", () => {
    const pom = new XMLParser({ isArray: (n) => n === "dependency" }).parse(fs.readFileSync(path.join(ROOT, "images/spark/pom.xml"), "utf8"));
    const coordinates = pom.project.dependencies.dependency.map((d: any) => `${d.groupId}:${d.artifactId}:${d.version}`);
    expect(coordinates.slice(0, SPARK_PACKAGES.length)).toEqual(SPARK_PACKAGES);
    // Their runtime dependencies are listed, not pulled transitively: the image already has Spark's and Hadoop's.
    expect(coordinates).toEqual(expect.arrayContaining(["org.apache.kafka:kafka-clients:3.9.1", "software.amazon.awssdk:bundle:2.24.6"]));
    const dockerfile = fs.readFileSync(path.join(ROOT, "images/spark/Dockerfile"), "utf8");
    expect(dockerfile).toContain("dependency:copy-dependencies -DexcludeTransitive=true");
    expect(dockerfile).toContain(`FROM ${sparkConfig.parse({ ...readEnvironment("dev").spark }).image}`);
  });
});

describe("Hadoop components under mocks", () => {
  it("create their objects as children of one component each", async () => {
    const rs = await recordResources("dev", {}, () => {
      const c = backends("dev");
      const hdfsComponent = new Hdfs("hdfs", { namespace: NS, clusterDomain: "cluster.local", config: hdfs("dev"), production: false, zookeeper: c.zookeeper });
      const yarnComponent = new Yarn("yarn", {
        namespace: NS,
        clusterDomain: "cluster.local",
        config: yarn("dev"),
        production: false,
        ...c,
        hdfs: hdfsComponent,
        javaImage: "apache/spark:4.0.1",
      });
      new Spark("spark", {
        namespace: NS,
        clusterDomain: "cluster.local",
        config: spark("dev"),
        production: false,
        ...c,
        hdfs: hdfsComponent,
        yarn: yarnComponent,
      });
    });
    const childrenOf = (type: string) =>
      rs
        .filter((r) => r.options.parent.includes(`${type}::`))
        .map((r) => `${r.type.split(":").pop()}/${r.name}`)
        .sort();
    expect(childrenOf("dataplatform:hdfs:Hdfs")).toEqual(
      expect.arrayContaining(["StatefulSet/hdfs-namenode", "StatefulSet/hdfs-datanode", "Service/namenode", "ConfigMap/hdfs-config"]),
    );
    expect(childrenOf("dataplatform:yarn:Yarn")).toEqual(
      expect.arrayContaining(["StatefulSet/yarn-resourcemanager", "StatefulSet/yarn-nodemanager", "Service/resourcemanager"]),
    );
    expect(childrenOf("dataplatform:spark:Spark")).toEqual(
      expect.arrayContaining([
        "StatefulSet/spark-master",
        "Deployment/spark-worker",
        "Deployment/spark-streaming",
        "CronJob/spark-batch",
        "ConfigMap/spark-apps",
      ]),
    );
  });
});

describe("scaling the Hadoop side", () => {
  it.each([
    ["hdfs.dataNodes.replicas=5", "StatefulSet/hdfs-datanode"],
    ["yarn.nodeManagers.replicas=3", "StatefulSet/yarn-nodemanager"],
    ["spark.workers.replicas=4", "Deployment/spark-worker"],
  ])("%s changes exactly %s", async (set, changed) => {
    const key = (r: any) => `${r.type.split(":").pop()}/${r.name}`;
    const [before, after] = await Promise.all([stackPlan("staging"), planStack({ stack: "staging", sets: [set] })]);
    const b = new Map(before.resources.map((r) => [key(r), JSON.stringify(r.inputs)]));
    const diff = after.resources.filter((r) => b.get(key(r)) !== JSON.stringify(r.inputs)).map(key);
    expect(diff).toEqual([changed]);
    expect(after.resources.length).toBe(before.resources.length);
    const [kind, name] = changed.split("/");
    expect(find(after, kind, name).inputs.spec.replicas).toBe(Number(set.split("=")[1]));
  });
});
