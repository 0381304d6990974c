import * as pulumi from "@pulumi/pulumi";
import { Kafka } from "../components/kafka";
import { kafkaConfig } from "../components/kafka/config";
import { brokerProperties, controllerProperties, controllerVoters, healthScript, kafkaFlows, kafkaManifests, topicsScript } from "../components/kafka/spec";
import { certificatesConfig } from "../components/kit/certificates";
import { Minio } from "../components/minio";
import { MINIO_CREDENTIALS, minioConfig } from "../components/minio/config";
import { LAKE_USER_CREDENTIALS } from "../components/minio/users";
import { defaultRef } from "../components/kit/secret-ref";
import { minioManifests, serverVolumes } from "../components/minio/spec";
import { Mysql } from "../components/mysql";
import { MYSQL_CREDENTIALS, mysqlConfig } from "../components/mysql/config";
import { myCnf, mysqlManifests } from "../components/mysql/spec";
import { ZooKeeper } from "../components/zookeeper";
import { zookeeperConfig } from "../components/zookeeper/config";
import { zooCfg, zookeeperManifests } from "../components/zookeeper/spec";
import { recordResources } from "../tools/plan";
import { readEnvironment } from "./helpers";

const NS = "data-platform";
const env = (name: string) => readEnvironment(name);
const zk = (e: string) => zookeeperConfig.parse(env(e).zookeeper);
const kafka = (e: string, extra: Record<string, unknown> = {}) => kafkaConfig.parse({ ...env(e).kafka, clusterId: "sM7vMcYvK3sxreD40T8S9Q", ...extra });
const CERTS = certificatesConfig.parse({ issuer: { name: "dataplatform-ca" } });
const minio = (e: string) => minioConfig.parse(env(e).minio);
const mysql = (e: string) => mysqlConfig.parse(env(e).mysql);
const byKind = (ms: any[], kind: string) => ms.filter((m) => m.kind === kind);
const container = (sts: any) => sts.spec.template.spec.containers[0];
const envValue = (c: any, name: string) => c.env.find((e: any) => e.name === name);

describe("ZooKeeper", () => {
  it("writes a standalone config in dev and an ensemble in prod", () => {
    expect(zooCfg(zk("dev"), NS)).not.toMatch(/^server\./m);
    const prod = zooCfg(zk("prod"), NS);
    expect(prod).toContain(`server.1=zookeeper-0.zookeeper-headless.${NS}.svc.cluster.local:2888:3888;2181`);
    expect(prod).toContain("server.3=");
    expect(prod).toContain("dataDir=/var/lib/zookeeper/data");
    expect(prod).toContain("quorumListenOnAllIPs=true");
  });

  it("mounts only zoo.cfg over the image's config directory", () => {
    const [sts] = byKind(zookeeperManifests(zk("dev"), NS), "StatefulSet");
    expect(container(sts).volumeMounts).toContainEqual({ name: "config", mountPath: "/conf/zoo.cfg", subPath: "zoo.cfg" });
  });

  it("derives the server id from the ordinal and the heap from the limit", () => {
    const [sts] = byKind(zookeeperManifests(zk("prod"), NS), "StatefulSet");
    expect(sts.spec.replicas).toBe(3);
    expect(envValue(container(sts), "ZK_SERVER_HEAP").value).toBe("1024");
    expect(sts.spec.template.metadata.annotations["dataplatform.io/config-checksum"]).toMatch(/^[0-9a-f]{10}$/);
  });
});

describe("Kafka", () => {
  it("runs KRaft with pinned node ids and per-pod advertised listeners", () => {
    const cfg = kafka("prod");
    expect(controllerVoters(cfg, NS)).toBe(
      [0, 1, 2].map((i) => `${1000 + i}@kafka-controller-${i}.kafka-controller-headless.${NS}.svc.cluster.local:9093`).join(","),
    );
    const controller = controllerProperties(cfg, NS);
    expect(controller).toContain("process.roles=controller");
    // KRaft controllers create topics: a client that gives no count gets theirs (the engine tests found 1).
    expect(controller).toContain("default.replication.factor=3");
    expect(controller).toContain("min.insync.replicas=2");
    const broker = brokerProperties(cfg, NS);
    expect(broker).toContain("process.roles=broker");
    expect(broker).toContain("default.replication.factor=3");
    expect(broker).toContain("min.insync.replicas=2");
    expect(broker).toContain("auto.create.topics.enable=false");
    const [, brokers] = byKind(kafkaManifests(cfg, NS, undefined, CERTS), "StatefulSet");
    const start = container(brokers).command[2];
    const host = `\${HOSTNAME}.kafka-broker-headless.${NS}.svc.cluster.local`;
    expect(start).toContain(`advertised.listeners=CLIENT://${host}:9092,REPLICATION://${host}:9091`);
    expect(start).toContain('kafka-storage.sh format --cluster-id "$KAFKA_CLUSTER_ID"');
    expect(start).toContain("--ignore-formatted");
    expect(envValue(container(brokers), "KAFKA_CLUSTER_ID").value).toBe("sM7vMcYvK3sxreD40T8S9Q");
    expect(envValue(container(brokers), "KAFKA_HEAP_OPTS").value).toBe("-Xms4096m -Xmx4096m");
  });

  it("logs to the console only", () => {
    const [cm] = byKind(kafkaManifests(kafka("dev"), NS), "ConfigMap");
    expect(cm.data["log4j2.yaml"]).toContain("Console:");
    expect(cm.data["log4j2.yaml"]).not.toMatch(/RollingFile|File:/);
    const [, brokers] = byKind(kafkaManifests(kafka("dev"), NS), "StatefulSet");
    expect(envValue(container(brokers), "KAFKA_LOG4J_OPTS").value).toBe("-Dlog4j2.configurationFile=/config/log4j2.yaml");
  });

  it("scales brokers without touching the controller quorum", () => {
    const [c3, b3] = byKind(kafkaManifests(kafka("prod"), NS, undefined, CERTS), "StatefulSet");
    const [c5, b5] = byKind(kafkaManifests(kafka("prod", { brokers: 5 }), NS, undefined, CERTS), "StatefulSet");
    expect(c5).toEqual(c3);
    expect(b5.spec.replicas).toBe(5);
    expect({ ...b5.spec, replicas: 3 }).toEqual(b3.spec);
  });
});

describe("Kafka security", () => {
  const prod = kafka("prod");
  const props = (text: string) =>
    new Map(
      text
        .trim()
        .split("\n")
        .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );

  it("dev stays plaintext: one listener, no authorizer, no certificate", () => {
    const dev = kafka("dev");
    expect(dev.security).toBe("plaintext");
    expect(props(brokerProperties(dev, NS)).get("listener.security.protocol.map")).toBe("CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    expect(brokerProperties(dev, NS)).not.toMatch(/authorizer|ssl\./);
    expect(kafkaManifests(dev, NS).filter((m) => m.kind === "Certificate")).toEqual([]);
  });

  it("production speaks TLS on every listener, each peer authenticated by its certificate, ACLs deny by default", () => {
    expect(prod.security).toBe("tls");
    const broker = props(brokerProperties(prod, NS));
    const controller = props(controllerProperties(prod, NS));
    expect(broker.get("listener.security.protocol.map")).toBe("CONTROLLER:SSL,CLIENT:SSL,REPLICATION:SSL");
    expect(broker.get("listeners")).toBe("CLIENT://:9092,REPLICATION://:9091");
    expect(broker.get("inter.broker.listener.name")).toBe("REPLICATION");
    expect(controller.get("listener.security.protocol.map")).toBe("CONTROLLER:SSL");
    for (const p of [broker, controller]) {
      expect(p.get("ssl.client.auth")).toBe("required");
      expect(p.get("authorizer.class.name")).toBe("org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      expect(p.get("allow.everyone.if.no.acl.found")).toBe("false");
      expect(p.get("super.users")).toBe("User:kafka-controller;User:kafka-broker;User:kafka-admin");
      expect(p.get("ssl.keystore.type")).toBe("PEM");
    }
  });

  it("makes one cert-manager Certificate per node role, the topics Job and each client, mounted where each runs", () => {
    const manifests = kafkaManifests(prod, NS, undefined, CERTS);
    const certs = manifests.filter((m) => m.kind === "Certificate") as any[];
    expect(certs.map((c) => [c.metadata.name, c.spec.commonName])).toEqual([
      ["kafka-controller-tls", "kafka-controller"],
      ["kafka-broker-tls", "kafka-broker"],
      ["kafka-admin-tls", "kafka-admin"],
      ["kafka-client-spark-streaming-tls", "spark-streaming"],
      ["kafka-client-airflow-tls", "airflow"],
    ]);
    for (const c of certs) {
      expect(c.spec.issuerRef).toEqual({ group: "cert-manager.io", kind: "ClusterIssuer", name: "dataplatform-ca" });
      expect(c.spec.privateKey).toMatchObject({ encoding: "PKCS8", rotationPolicy: "Always" });
    }
    expect(certs[1].spec.dnsNames).toContain(`*.kafka-broker-headless.${NS}.svc.cluster.local`);
    expect(certs[1].spec.dnsNames).toContain("localhost");
    const [controllers, brokers] = byKind(manifests, "StatefulSet");
    expect(controllers.spec.template.spec.volumes).toContainEqual({ name: "tls", secret: { secretName: "kafka-controller-tls", defaultMode: 0o440 } });
    expect(brokers.spec.template.spec.volumes).toContainEqual({ name: "tls", secret: { secretName: "kafka-broker-tls", defaultMode: 0o440 } });
    const [job] = byKind(manifests, "Job");
    expect(job.spec.template.spec.volumes).toContainEqual({ name: "tls", secret: { secretName: "kafka-admin-tls", defaultMode: 0o440 } });
  });

  it("a TLS node runs under a supervisor that restarts it when its certificate is renewed; a plaintext node is exec'd", () => {
    const start = (cfg: ReturnType<typeof kafka>, i: number) => container(byKind(kafkaManifests(cfg, NS, undefined, CERTS), "StatefulSet")[i]).command[2];
    expect(start(prod, 1)).toContain("/opt/kafka/bin/kafka-server-start.sh /tmp/server.properties &");
    expect(start(prod, 1)).toContain("sleep $((ordinal * 60))");
    expect(start(prod, 1)).toContain("--under-replicated-partitions");
    // Controllers hold no partitions: they only wait their turn.
    expect(start(prod, 0)).toContain("sleep $((ordinal * 60))");
    expect(start(prod, 0)).not.toContain("--under-replicated-partitions");
    expect(start(kafka("dev"), 1)).toContain("exec /opt/kafka/bin/kafka-server-start.sh /tmp/server.properties");
    expect(start(kafka("dev"), 1)).not.toContain("fingerprint");
  });

  it("the topics Job administers over the replication listener and grants each client only its part", () => {
    const script = topicsScript(prod, NS);
    expect(script).toContain(`BS="kafka-broker-headless.${NS}.svc.cluster.local:9091 --command-config /tmp/tls/client.properties"`);
    expect(script).toContain(
      "--add --allow-principal User:spark-streaming --operation Read --operation Describe --topic customers --topic orders --topic products",
    );
    expect(script).toContain("--add --allow-principal User:spark-streaming --operation Read --group spark-streaming --resource-pattern-type prefixed");
    expect(script).toContain(
      "--add --allow-principal User:airflow --operation Read --operation Write --operation Describe --topic customers --topic orders --topic products",
    );
    expect(topicsScript(kafka("dev"), NS)).not.toContain("kafka-acls");
    // Tools run in a broker pick the TLS listener when the pod runs in TLS mode.
    expect(healthScript()).toContain(
      'if [ -f /tmp/tls/client.properties ]; then LOCAL="--bootstrap-server localhost:9091 --command-config /tmp/tls/client.properties"',
    );
    expect(kafkaFlows(prod).map((f) => `${f.from.component}->${f.to.component}:${f.ports}`)).toEqual([
      "controller->controller:9093",
      "broker->controller:9093",
      "broker->broker:9091",
      "topics->broker:9091",
    ]);
  });
});

describe("MinIO", () => {
  it("runs one server in dev and a distributed pool in prod", () => {
    expect(serverVolumes(minio("dev"), NS)).toBe("/data");
    expect(serverVolumes(minio("prod"), NS)).toBe(`https://minio-{0...3}.minio-headless.${NS}.svc.cluster.local/data{0...1}`);
    const [sts] = byKind(minioManifests(minio("prod"), NS, undefined, undefined, undefined, CERTS), "StatefulSet");
    expect(sts.spec.volumeClaimTemplates.map((v: any) => v.metadata.name)).toEqual(["data0", "data1"]);
  });

  it("takes credentials from the generated Secret and creates the lake bucket idempotently", () => {
    const ms = minioManifests(minio("dev"), NS);
    const [sts] = byKind(ms, "StatefulSet");
    expect(envValue(container(sts), "MINIO_ROOT_PASSWORD")).toEqual({
      name: "MINIO_ROOT_PASSWORD",
      valueFrom: { secretKeyRef: { name: "minio-credentials", key: "root-password" } },
    });
    const [bucketJob] = byKind(ms, "Job");
    expect(bucketJob.spec.template.spec.containers[0].command[2]).toContain("mc mb --ignore-existing lake/data-lake");
    expect(JSON.stringify(ms)).not.toMatch(/minioadmin/);
  });
});

describe("MySQL", () => {
  it("creates the metastore database and user with generated passwords", () => {
    const [sts] = byKind(mysqlManifests(mysql("dev"), NS), "StatefulSet");
    const c = container(sts);
    expect(envValue(c, "MYSQL_DATABASE").value).toBe("hive_metastore");
    // The user hive-site names, so an existing Secret cannot make it disagree.
    expect(envValue(c, "MYSQL_USER")).toEqual({ name: "MYSQL_USER", value: "hive" });
    expect(envValue(c, "MYSQL_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: "mysql-credentials", key: "password" });
    expect(envValue(c, "MYSQL_ROOT_PASSWORD").valueFrom.secretKeyRef.key).toBe("root-password");
  });

  it("keeps its data in a subdirectory of the volume (the root may hold lost+found)", () => {
    const [sts] = byKind(mysqlManifests(mysql("dev"), NS), "StatefulSet");
    expect(container(sts).volumeMounts[0]).toEqual({ name: "data", mountPath: "/var/lib/mysql", subPath: "mysql" });
  });

  it("sizes the buffer pool from the memory limit", () => {
    expect(myCnf(mysql("dev"))).toContain("innodb_buffer_pool_size=384M");
  });
});

describe("components under mocks", () => {
  const run = (build: () => void) => recordResources("dev", {}, build);
  const children = (rs: any[], parentType: string) => rs.filter((r) => r.options.parent.endsWith(`${parentType}::${r.options.parent.split("::").pop()}`));

  it.each([
    [
      "ZooKeeper",
      "dataplatform:zookeeper:ZooKeeper",
      () => new ZooKeeper("zookeeper", { namespace: NS, clusterDomain: "cluster.local", config: zk("dev"), production: false }),
      6,
    ],
    [
      "Kafka",
      "dataplatform:kafka:Kafka",
      () => new Kafka("kafka", { namespace: NS, clusterDomain: "cluster.local", config: kafka("dev"), production: false }),
      11,
    ],
    [
      "MinIO",
      "dataplatform:minio:Minio",
      () =>
        new Minio("minio", {
          namespace: NS,
          clusterDomain: "cluster.local",
          config: minio("dev"),
          production: false,
          credentials: { ref: defaultRef(MINIO_CREDENTIALS), existing: false },
          users: { ref: defaultRef(LAKE_USER_CREDENTIALS), existing: false },
        }),
      8,
    ],
    [
      "MySQL",
      "dataplatform:mysql:Mysql",
      () =>
        new Mysql("mysql", {
          namespace: NS,
          clusterDomain: "cluster.local",
          config: mysql("dev"),
          production: false,
          credentials: { ref: defaultRef(MYSQL_CREDENTIALS), existing: false },
        }),
      7,
    ],
  ])("%s creates its objects as children of one component", async (_, type, build, expected) => {
    const rs = await run(build as () => void);
    const component = rs.filter((r) => r.type === type);
    expect(component).toHaveLength(1);
    expect(component[0].component).toBe(true);
    expect(children(rs, type)).toHaveLength(expected);
    for (const r of rs.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect(r.inputs.metadata.namespace).toBe(NS);
      expect(r.inputs.metadata.labels["app.kubernetes.io/part-of"]).toBe("data-platform");
    }
  });

  it("generates credentials as secrets and protects stateful objects in production", async () => {
    const rs = await run(
      () =>
        new Mysql("mysql", {
          namespace: NS,
          clusterDomain: "cluster.local",
          config: mysql("prod"),
          production: true,
          credentials: { ref: defaultRef(MYSQL_CREDENTIALS), existing: false },
        }),
    );
    const secret = rs.find((r) => r.type === "kubernetes:core/v1:Secret")!;
    expect(secret.inputs.stringData).toBe("[secret]");
    expect(rs.filter((r) => r.type.startsWith("random:")).map((r) => r.inputs)).toEqual([
      expect.objectContaining({ length: 40, special: false }),
      expect.objectContaining({ length: 32, special: false }),
    ]);
    expect(rs.find((r) => r.type === "kubernetes:apps/v1:StatefulSet")!.options.protect).toBe(true);
    expect(secret.options.protect).toBe(true);
    expect(rs.find((r) => r.type === "kubernetes:core/v1:Service")!.options.protect).toBe(false);
  });

  it("creates the client Service after its StatefulSet and the Job last", async () => {
    const rs = await run(() => new Kafka("kafka", { namespace: NS, clusterDomain: "cluster.local", config: kafka("dev"), production: false }));
    const order = rs.filter((r) => r.type.startsWith("kubernetes:")).map((r) => `${r.type.split(":").pop()}/${r.name}`);
    expect(order.indexOf("Service/kafka-bootstrap")).toBeGreaterThan(order.indexOf("StatefulSet/kafka-broker"));
    expect(order[order.length - 1]).toMatch(/^Job\/kafka-topics-/);
    const job = rs.find((r) => r.type === "kubernetes:batch/v1:Job")!;
    expect(job.options.dependsOn.some((u: string) => u.endsWith("kafka-bootstrap"))).toBe(true);
    const bootstrap = rs.find((r) => r.type === "kubernetes:core/v1:Service" && r.name === "kafka-bootstrap")!;
    expect(bootstrap.options.dependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/StatefulSet::kafka-broker$/), expect.stringMatching(/StatefulSet::kafka-controller$/)]),
    );
    const headless = rs.find((r) => r.name === "kafka-broker-headless")!;
    expect(headless.options.dependsOn.some((u: string) => u.includes("StatefulSet"))).toBe(false);
  });

  afterAll(() => pulumi.runtime.setAllConfig({}));
});
