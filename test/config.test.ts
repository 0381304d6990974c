import * as path from "node:path";
import { loadPlatform } from "../infra/config/stack";
import { resolvePlatformConfig } from "../infra/config/load";
import { configProblems, environmentWith, readEnvironment, ROOT } from "./helpers";

const CLUSTER_ID = {
  "dataplatform:kafka": JSON.stringify({ clusterId: "sM7vMcYvK3sxreD40T8S9Q" }),
  "dataplatform:hdfs": JSON.stringify({ clusterId: "CID-3d041b95-03f9-4210-b504-5b3b75fef1d4" }),
};

function load(envFile: string, extra: Record<string, string> = {}) {
  return loadPlatform(ROOT, "dev", { "dataplatform:environment": "dev", "dataplatform:environmentFile": envFile, ...CLUSTER_ID, ...extra });
}

function problemsFor(changes: Record<string, unknown>, base = "dev"): string[] {
  const file = environmentWith(base, changes);
  return configProblems(() => load(file)).map((p) => p.replace(file, "<env>"));
}

describe("environment files", () => {
  it.each(["dev", "staging", "prod"])("%s validates and keeps its sizing", (env) => {
    const loaded = loadPlatform(ROOT, env, { "dataplatform:environment": env, ...CLUSTER_ID });
    const raw = readEnvironment(env);
    expect(loaded.config.kafka!.brokers).toBe(raw.kafka.brokers);
    expect(loaded.config.zookeeper!.replicas).toBe(raw.zookeeper.replicas);
    expect(loaded.settings.namespace).toBe("data-platform");
  });

  it("dev carries the seed values", () => {
    const { config } = load(path.join(ROOT, "environments/dev.yaml"));
    expect(config.kafka!.replicationFactor).toBe(1);
    expect(Object.fromEntries(Object.entries(config.kafka!.topics).map(([n, t]) => [n, t.partitions]))).toEqual({ orders: 3, customers: 3, products: 3 });
    expect(config.yarn!.nodeManagers.memoryMb).toBe(1638);
    expect(config.tier).toBe("development");
  });
});

describe("validation names the file, the path and what is allowed", () => {
  it("rejects a wrong type", () => {
    expect(problemsFor({ "kafka.brokers": "three" })).toEqual([expect.stringMatching(/^<env>: kafka\.brokers: must be a whole number \(got "three"\)$/)]);
  });

  it("rejects an unknown key and suggests the intended one", () => {
    const problems = problemsFor({ "kafka.brokrs": 3 });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^<env>: kafka\.brokrs: unknown setting \(did you mean "brokers"\?\); allowed here: .*brokers/);
  });

  it("rejects an unknown top-level section", () => {
    expect(problemsFor({ kafak: {} })[0]).toMatch(
      /^<env>: kafak: unknown setting \(did you mean "kafka"\?\); allowed here: tier, engines, credentials, certificates, monitoring, zookeeper, kafka/,
    );
  });

  it.each([
    ["kafka.brokers", 0, /kafka\.brokers: must be at least 1 \(got 0\)/],
    ["zookeeper.replicas", -1, /zookeeper\.replicas: must be at least 1 \(got -1\)/],
    ["kafka.topics.orders.partitions", 0, /kafka\.topics\.orders\.partitions: must be at least 1 \(got 0\)/],
    ["spark.workers.replicas", 1.5, /spark\.workers\.replicas: must be a whole number \(got 1.5\)/],
  ])("rejects a non-positive or fractional count at %s", (p, value, message) => {
    expect(problemsFor({ [p]: value })).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it("rejects a replication factor above the broker count", () => {
    expect(problemsFor({ "kafka.replicationFactor": 2 })).toEqual(["<env>: kafka.replicationFactor: 2 is more than kafka.brokers (1); allowed: 1 to 1"]);
  });

  it("rejects min-insync above the replication factor", () => {
    expect(problemsFor({ "kafka.minInsyncReplicas": 2 }, "dev")).toEqual(
      expect.arrayContaining(["<env>: kafka.minInsyncReplicas: 2 is more than kafka.replicationFactor (1); allowed: 1 to 1"]),
    );
  });

  it("rejects a JVM heap that does not fit its container", () => {
    const [problem] = problemsFor({ "kafka.heapPercent": 90 });
    expect(problem).toMatch(
      /^<env>: kafka\.resources\.limits\.memory: 1Gi \(1024 MiB\) cannot hold a 921 MiB heap \(heapPercent 90\) \+ 256 MiB JVM overhead = 1177 MiB/,
    );
  });

  it("rejects YARN container memory that does not fit the NodeManager container", () => {
    const [problem] = problemsFor({ "yarn.nodeManagers.memoryMb": 4096 });
    expect(problem).toMatch(/^<env>: yarn\.nodeManagers\.resources\.limits\.memory: 3Gi \(3072 MiB\) cannot hold .* \+ 4096 MiB for containers/);
  });

  it("rejects a memory request above its limit", () => {
    expect(problemsFor({ "mysql.resources.requests.memory": "2Gi" })[0]).toMatch(
      /^<env>: mysql\.resources\.requests\.memory: 2Gi is more than limits\.memory 768Mi/,
    );
  });

  it("rejects unpinned images", () => {
    expect(problemsFor({ "kafka.image": "apache/kafka:latest" })[0]).toMatch(/kafka\.image: must be pinned to a tag or sha256 digest/);
    expect(problemsFor({ "minio.image": "quay.io/minio/minio" })[0]).toMatch(/minio\.image: must be pinned/);
    expect(problemsFor({ "kafka.image": "registry.local:5000/Kafka:4.1.1" })[0]).toMatch(/kafka\.image: must be an image reference such as/);
  });

  it("rejects an even ZooKeeper ensemble and a too-small distributed MinIO", () => {
    expect(problemsFor({ "zookeeper.replicas": 2 })[0]).toMatch(/zookeeper\.replicas: 2 is even/);
    expect(problemsFor({ "minio.replicas": 2 })[0]).toMatch(/minio\.replicas: 2 servers x 1 drives = 2 drives; a distributed pool needs at least 4/);
  });

  it("rejects a missing required topic", () => {
    const file = environmentWith("dev", {});
    const env = readEnvironment("dev");
    delete env.kafka.topics.products;
    const values = {
      ...env,
      kafka: { ...env.kafka, clusterId: "sM7vMcYvK3sxreD40T8S9Q" },
      hdfs: { ...env.hdfs, clusterId: "CID-3d041b95-03f9-4210-b504-5b3b75fef1d4" },
    };
    const problems = configProblems(() => resolvePlatformConfig([{ source: file, values }]));
    expect(problems).toEqual([`${file}: kafka.topics.products: is required: the pipeline reads and writes topic "products"`]);
  });

  it("requires an HA NameNode pair with odd JournalNodes in production", () => {
    expect(problemsFor({ "hdfs.highAvailability": false }, "prod")).toEqual([
      "<env>: hdfs.highAvailability: must be true in production: a single NameNode is a single point of failure for all of HDFS",
    ]);
    expect(problemsFor({ "hdfs.journalNodes.replicas": 2 }, "prod")).toEqual([
      "<env>: hdfs.journalNodes.replicas: 2 JournalNodes cannot keep a majority through a loss; use an odd number of at least 3",
    ]);
    expect(problemsFor({ "hdfs.highAvailability": true })).toEqual([
      "<env>: hdfs.journalNodes: is required when highAvailability is true: the NameNodes share their edits through JournalNodes",
    ]);
  });

  it("rejects Spark workers whose executors and daemon do not fit", () => {
    expect(problemsFor({ "spark.workers.heapPercent": 70 })).toEqual([
      "<env>: spark.workers.resources.limits.memory: 2Gi (2048 MiB) cannot hold 1433 MiB of executor heap (heapPercent 70) + its JVM overhead + the worker daemon (512 MiB) = 2304 MiB; raise the limit or lower heapPercent",
    ]);
  });

  it("requires two metastores in production", () => {
    expect(problemsFor({ "hiveMetastore.replicas": 1 }, "prod")).toEqual([
      "<env>: hiveMetastore.replicas: 1 is below 2, the production minimum: every engine's catalog must survive a pod loss",
    ]);
  });

  it("enforces production minimums", () => {
    const problems = problemsFor({ "kafka.replicationFactor": 2, "kafka.minInsyncReplicas": 1, "zookeeper.replicas": 1 }, "prod");
    expect(problems).toEqual(
      expect.arrayContaining([
        "<env>: kafka.replicationFactor: 2 is below 3, the production minimum: a broker loss must not lose data",
        "<env>: kafka.minInsyncReplicas: 1 is below 2, the production minimum: an acknowledged write must be on two brokers",
        "<env>: zookeeper.replicas: 1 is below 3, the production minimum: the ensemble must survive a server loss",
      ]),
    );
  });

  it("Kafka in TLS mode needs the certificates section; production refuses plaintext Kafka", () => {
    expect(problemsFor({ "kafka.security": "tls" })).toEqual([
      "<env>: certificates: is required while kafka.security is tls: name the cert-manager issuer (certificates.issuer.name), see README 'Security'",
    ]);
    expect(load(environmentWith("dev", { "kafka.security": "tls", "certificates.issuer.name": "my-ca" })).config.certificates).toEqual({
      issuer: { name: "my-ca", kind: "ClusterIssuer" },
      duration: "2160h",
      renewBefore: "720h",
    });
    expect(problemsFor({ "kafka.security": "plaintext" }, "prod")).toEqual([
      "<env>: kafka.security: is plaintext, but production Kafka must be tls: plaintext clients are neither encrypted nor authenticated",
    ]);
    expect(problemsFor({ "kafka.security": "ssl" })[0]).toMatch(/^<env>: kafka\.security: must be one of: plaintext, tls/);
    expect(problemsFor({ "kafka.security": "tls", "certificates.issuer.name": "my-ca", "certificates.issuer.kind": "CA" })[0]).toMatch(
      /^<env>: certificates\.issuer\.kind: must be "ClusterIssuer" or "Issuer"/,
    );
  });

  it("production refuses plain HTTP; tls needs the certificates section and the trino flavor", () => {
    expect(problemsFor({ "starburst.security": "plaintext" }, "prod")).toEqual([
      "<env>: starburst.security: is plaintext, but production Trino must be tls: over plain HTTP any client names itself and every query is readable on the wire",
    ]);
    expect(problemsFor({ "starburst.security": "tls" })).toEqual([
      "<env>: certificates: is required while starburst.security is tls: name the cert-manager issuer (certificates.issuer.name), see README 'Security'",
    ]);
    expect(problemsFor({ "starburst.flavor": "starburst", "starburst.licenseSecret": "l" }, "staging")).toEqual([
      '<env>: starburst.security: is tls, which the platform builds for flavor "trino" only: Starburst Enterprise secures its coordinator through its own chart (README: Security); use flavor "trino" or security "plaintext"',
    ]);
    expect(problemsFor({ "starburst.security": "https" })[0]).toMatch(/^<env>: starburst\.security: must be "plaintext" or "tls"/);
  });

  it("MinIO: production refuses plain HTTP; tls needs the certificates section, and a Trino that can trust the lake", () => {
    expect(problemsFor({ "minio.security": "plaintext" }, "prod")).toEqual([
      "<env>: minio.security: is plaintext, but production MinIO must be tls: every table file and S3 secret key would cross the network readable",
    ]);
    expect(problemsFor({ "minio.security": "tls" })).toEqual([
      "<env>: certificates: is required while minio.security is tls: name the cert-manager issuer (certificates.issuer.name), see README 'Security'",
    ]);
    expect(problemsFor({ "starburst.flavor": "starburst", "starburst.licenseSecret": "l", "starburst.security": "plaintext" }, "staging")).toEqual([
      '<env>: starburst.flavor: is starburst, whose chart the platform does not give the lake\'s CA: with minio.security tls its catalogs could not read the lake; use flavor "trino" or minio.security "plaintext" (README: Security)',
    ]);
    expect(problemsFor({ "minio.security": "https" })[0]).toMatch(/^<env>: minio\.security: must be "plaintext" or "tls"/);
  });

  it("HDFS and YARN web TLS: production refuses plain HTTP; tls needs the certificates section, and YARN's needs HDFS's", () => {
    expect(problemsFor({ "hdfs.security": "plaintext", "yarn.security": "plaintext" }, "prod")).toEqual([
      "<env>: hdfs.security: is plaintext, but production HDFS must be tls: its web endpoints (WebHDFS, JMX, the edits and images the NameNodes copy) would cross the network readable",
      "<env>: yarn.security: is plaintext, but production YARN must be tls: its web endpoints (the REST API, application and container logs) would cross the network readable",
    ]);
    expect(problemsFor({ "hdfs.security": "tls" })).toEqual([
      "<env>: certificates: is required while hdfs.security is tls: name the cert-manager issuer (certificates.issuer.name), see README 'Security'",
    ]);
    expect(problemsFor({ "hdfs.security": "plaintext" }, "staging")).toEqual([
      "<env>: yarn.security: is tls, which needs hdfs.security tls too: the Hadoop daemons' key stores share HDFS's password (credentials.hadoopKeystore)",
    ]);
    expect(problemsFor({ "yarn.security": "https" })[0]).toMatch(/^<env>: yarn\.security: must be "plaintext" or "tls"/);
  });

  it("compares CPU requests with limits and accepts a plain number of cores", () => {
    expect(problemsFor({ "kafka.resources.requests.cpu": "4000m", "kafka.resources.limits.cpu": "1" })).toEqual([
      "<env>: kafka.resources.requests.cpu: 4000m is more than limits.cpu 1; a request may not exceed its limit",
    ]);
    const file = environmentWith("dev", { "kafka.resources.requests.cpu": 2, "kafka.resources.limits.cpu": 2 });
    expect(load(file).config.kafka!.resources.requests.cpu).toBe("2");
  });

  it("rejects a MySQL buffer pool that leaves no room for the server", () => {
    expect(problemsFor({ "mysql.bufferPoolPercent": 75 })).toEqual([
      "<env>: mysql.resources.limits.memory: 768Mi (768 MiB) cannot hold a 576 MiB buffer pool (bufferPoolPercent 75) + 320 MiB for the server = 896 MiB; raise the limit or lower bufferPoolPercent",
    ]);
  });

  it("rejects a MinIO drive total that no erasure set divides", () => {
    expect(problemsFor({ "minio.replicas": 17 }, "staging")).toEqual([
      "<env>: minio.replicas: 17 servers x 1 drives = 17 drives, which no erasure set of 2 to 16 drives divides; choose a total such as 16 or 18",
    ]);
  });

  it("explains a bad topic name", () => {
    expect(problemsFor({ "kafka.topics.bad topic": { partitions: 1 } })).toEqual([
      "<env>: kafka.topics.bad topic: is not a valid topic name: use 1 to 249 letters, digits, '.', '_' and '-'",
    ]);
  });

  it("still checks cross-field and production rules when another field is wrong", () => {
    const problems = problemsFor({ "kafka.brokrs": 3, "kafka.replicationFactor": 2, "zookeeper.replicas": "three" }, "prod");
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/kafka\.brokrs: unknown setting/),
        expect.stringMatching(/zookeeper\.replicas: must be a whole number \(got "three"\)/),
        expect.stringMatching(/kafka\.replicationFactor: 2 is below 3, the production minimum/),
      ]),
    );
  });

  it("reports every problem at once", () => {
    expect(problemsFor({ "kafka.brokers": 0, "minio.replicas": "x", "mysql.storage.size": "lots" })).toHaveLength(3);
  });

  it("names the line of malformed YAML", () => {
    const file = environmentWith("dev", {}, "tier: development\nkafka:\n  brokers: [1,\n");
    expect(configProblems(() => load(file))[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: not valid YAML`));
  });

  it("rejects a duplicate key in YAML instead of silently taking the last", () => {
    const file = environmentWith("dev", {}, "tier: development\ntier: production\n");
    expect(configProblems(() => load(file))[0]).toMatch(/not valid YAML: Map keys must be unique/);
  });
});

describe("stack config", () => {
  it("lays stack overrides over the environment and attributes problems to the stack file", () => {
    const file = path.join(ROOT, "environments/dev.yaml");
    const loaded = load(file, { "dataplatform:kafka": JSON.stringify({ clusterId: "sM7vMcYvK3sxreD40T8S9Q", topics: { orders: { partitions: 9 } } }) });
    expect(loaded.config.kafka!.topics.orders.partitions).toBe(9);
    expect(loaded.config.kafka!.topics.customers.partitions).toBe(3);
    const problems = configProblems(() => load(file, { "dataplatform:zookeeper": JSON.stringify({ replicas: 0 }) }));
    expect(problems).toEqual(["Pulumi.dev.yaml: zookeeper.replicas: must be at least 1 (got 0)"]);
  });

  it("names every file that set a value a broken rule read", () => {
    const file = path.join(ROOT, "environments/dev.yaml");
    const problems = configProblems(() => load(file, { "dataplatform:kafka": JSON.stringify({ clusterId: "sM7vMcYvK3sxreD40T8S9Q", heapPercent: 90 }) }));
    expect(problems).toEqual([
      expect.stringMatching(/^environments\/dev\.yaml \+ Pulumi\.dev\.yaml: kafka\.resources\.limits\.memory: 1Gi \(1024 MiB\) cannot hold a 921 MiB heap/),
    ]);
  });

  it("requires pinned Kafka and HDFS cluster IDs", () => {
    const problems = configProblems(() => loadPlatform(ROOT, "dev", { "dataplatform:environment": "dev" }));
    expect(problems).toEqual([
      expect.stringMatching(/^environments\/dev\.yaml or Pulumi\.dev\.yaml: kafka\.clusterId: is required: pin a 22-character cluster ID/),
      expect.stringMatching(/^environments\/dev\.yaml or Pulumi\.dev\.yaml: hdfs\.clusterId: is required: pin an HDFS cluster ID/),
    ]);
  });

  it("rejects an unknown stack setting", () => {
    expect(configProblems(() => load("x", { "dataplatform:namespce": "x" }))[0]).toMatch(
      /^Pulumi\.dev\.yaml: dataplatform:namespce: unknown setting; allowed: environment, environmentFile, namespace/,
    );
  });

  it("rejects an environment without a file, listing those that exist", () => {
    expect(configProblems(() => loadPlatform(ROOT, "qa", { "dataplatform:environment": "qa", ...CLUSTER_ID }))).toEqual([
      'Pulumi.qa.yaml: dataplatform:environment: "qa" has no file environments/qa.yaml; allowed: dev, prod, staging',
    ]);
  });

  it("rejects a namespace that is not a DNS label", () => {
    expect(configProblems(() => load(path.join(ROOT, "environments/dev.yaml"), { "dataplatform:namespace": "Data_Platform" }))[0]).toMatch(
      /^Pulumi\.dev\.yaml: dataplatform:namespace: must be a DNS label/,
    );
  });

  it("ignores other packages' config (the provider's own keys)", () => {
    expect(load(path.join(ROOT, "environments/dev.yaml"), { "kubernetes:context": "kind" }).config.tier).toBe("development");
  });
});
