import * as fs from "node:fs";
import * as path from "node:path";
import { find, ROOT } from "../helpers";
import { stackPlan } from "../support/stack-plans";
import { object, stackAround, violationsOf, workload, podWith, LABELS } from "./fixtures";

const messages = async (policy: string, resources: any[], config?: any) => (await violationsOf(policy, resources, config)).map((v) => v.message);

describe("no-public-services", () => {
  const svc = (type: string, name = "web") => object("Service", name, { spec: { type, selector: { a: "b" }, ports: [{ port: 80 }] } });
  it("passes ClusterIP and headless Services", async () => {
    expect(await messages("no-public-services", [svc("ClusterIP"), object("Service", "h", { spec: { clusterIP: "None" } })])).toEqual([]);
  });
  it("fails LoadBalancer and NodePort unless allow-listed", async () => {
    expect(await messages("no-public-services", [svc("LoadBalancer"), svc("NodePort", "np")])).toEqual([
      "Service web is LoadBalancer; allowed here: none",
      "Service np is NodePort; allowed here: none",
    ]);
    expect(await messages("no-public-services", [svc("LoadBalancer")], { "no-public-services": { allowedServices: ["web"] } })).toEqual([]);
  });
});

describe("no-default-credentials", () => {
  it("passes generated credentials", async () => {
    expect(await messages("no-default-credentials", [object("Secret", "s", { stringData: { password: "Zq8xWv2rTt9LmN" } }), workload("Deployment")])).toEqual(
      [],
    );
  });
  it("skips values unknown during preview instead of giving up on the object", async () => {
    const stringData: Record<string, string> = {};
    Object.defineProperty(stringData, "password", {
      enumerable: true,
      get: () => {
        throw new Error("unknown during preview");
      },
    });
    stringData["root-password"] = "minioadmin";
    expect(await messages("no-default-credentials", [object("Secret", "s", { stringData })])).toEqual([
      'stringData.root-password: contains the MinIO default credential "minioadmin"',
      "Secret key root-password holds a default or empty password",
    ]);
  });

  it("finds minioadmin, admin/admin and empty passwords anywhere", async () => {
    expect(await messages("no-default-credentials", [object("ConfigMap", "c", { data: { "config.env": "MINIO_ROOT_USER=minioadmin" } })])).toEqual([
      'data.config.env: contains the MinIO default credential "minioadmin"',
    ]);
    expect(await messages("no-default-credentials", [object("ConfigMap", "c", { data: { note: "login with admin/admin" } })])).toEqual([
      "data.note: contains the default credential admin/admin",
    ]);
    expect(await messages("no-default-credentials", [object("Secret", "s", { data: { "root-password": Buffer.from("").toString("base64") } })])).toEqual([
      "Secret key root-password holds a default or empty password",
    ]);
    const emptyAllowed = podWith((p) => {
      p.containers[0].env.push({ name: "MYSQL_ALLOW_EMPTY_PASSWORD", value: "yes" });
    });
    expect(await messages("no-default-credentials", [workload("StatefulSet", emptyAllowed)])).toEqual([
      "container main: env MYSQL_ALLOW_EMPTY_PASSWORD allows an empty password",
    ]);
  });
});

describe("pdb-allows-drain and pdb-required", () => {
  const pdb = (spec: any) => object("PodDisruptionBudget", "demo", { spec: { selector: { matchLabels: { ...LABELS } }, ...spec } });
  it("passes maxUnavailable 1", async () => {
    expect(await messages("pdb-allows-drain", [pdb({ maxUnavailable: 1 })])).toEqual([]);
    expect(await messages("pdb-required", [workload("StatefulSet"), pdb({ maxUnavailable: 1 })])).toEqual([]);
  });
  it("fails budgets that forbid every eviction", async () => {
    expect(await messages("pdb-allows-drain", [pdb({ maxUnavailable: 0 })])).toEqual(["maxUnavailable 0 blocks every node drain"]);
    expect(await messages("pdb-allows-drain", [pdb({ minAvailable: "100%" })])).toEqual(["minAvailable 100% blocks every node drain"]);
    expect(await messages("pdb-required", [workload("StatefulSet"), pdb({ minAvailable: 3 })])).toEqual([
      "PodDisruptionBudget demo requires 3 of 3 demo pods: no drain can evict one",
    ]);
  });
  it("understands matchExpressions selectors", async () => {
    const byExpression = object("PodDisruptionBudget", "demo", {
      spec: { maxUnavailable: 1, selector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["demo", "other"] }] } },
    });
    expect(await messages("pdb-required", [workload("Deployment"), byExpression])).toEqual([]);
    const missing = object("PodDisruptionBudget", "demo", {
      spec: { maxUnavailable: 1, selector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "NotIn", values: ["demo"] }] } },
    });
    expect(await messages("pdb-required", [workload("Deployment"), missing])).toEqual(["Deployment demo has 3 replicas and no PodDisruptionBudget"]);
  });

  it("fails a multi-replica workload without a budget, and not a single replica", async () => {
    expect(await messages("pdb-required", [workload("Deployment")])).toEqual(["Deployment demo has 3 replicas and no PodDisruptionBudget"]);
    expect(await messages("pdb-required", [workload("Deployment", undefined, 1)])).toEqual([]);
  });
});

describe("default-deny-network-policy", () => {
  it("passes a namespace with a default-deny policy", async () => {
    expect(await messages("default-deny-network-policy", stackAround(workload("Deployment")))).toEqual([]);
  });
  it("fails a namespace without one, or with a policy that allows traffic", async () => {
    expect(await messages("default-deny-network-policy", [workload("Deployment")])).toEqual([
      "namespace demo has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)",
    ]);
    const allowAll = object("NetworkPolicy", "allow", { spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}] } });
    expect(await messages("default-deny-network-policy", [workload("Deployment"), allowAll])).toHaveLength(1);
    const ingressOnly = object("NetworkPolicy", "deny-in", { spec: { podSelector: {}, policyTypes: ["Ingress"] } });
    expect(await messages("default-deny-network-policy", [workload("Deployment"), ingressOnly])).toHaveLength(1);
  });

  it("does not count chart or YAML components, or cluster-scoped objects, as namespaces", async () => {
    const group = { type: "kubernetes:yaml/v2:ConfigGroup", name: "extras", props: { files: ["x.yaml"] }, opts: { protect: false } };
    const webhook = {
      type: "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration",
      name: "hook",
      opts: { protect: false },
      props: { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", metadata: { name: "hook" } },
    };
    expect(await messages("default-deny-network-policy", [...stackAround(workload("Deployment")), group, webhook])).toEqual([]);
  });
});

describe("kafka-replication", () => {
  const broker = (props: string) => object("ConfigMap", "kafka-broker", { data: { "server.properties": `process.roles=broker\n${props}` } });
  it("passes RF 3 and min-insync 2", async () => {
    expect(await messages("kafka-replication", [broker("default.replication.factor=3\nmin.insync.replicas=2")])).toEqual([]);
  });
  it("fails lower settings in properties files and in KAFKA_CFG_* env of other charts", async () => {
    expect(await messages("kafka-replication", [broker("default.replication.factor=1\nmin.insync.replicas=1")])).toEqual([
      "ConfigMap kafka-broker server.properties: default.replication.factor 1 is below 3",
      "ConfigMap kafka-broker server.properties: min.insync.replicas 1 is below 2",
    ]);
    const env = podWith((p) => {
      p.containers[0].env.push({ name: "KAFKA_CFG_DEFAULT_REPLICATION_FACTOR", value: "2" });
    });
    expect(await messages("kafka-replication", [workload("StatefulSet", env)])).toEqual([
      "StatefulSet demo container main: default.replication.factor 2 is below 3",
    ]);
  });
  it("reports unparseable values, min-insync above RF and a weak offsets topic", async () => {
    expect(
      await messages("kafka-replication", [broker("default.replication.factor=three\nmin.insync.replicas=2\noffsets.topic.replication.factor=3")]),
    ).toEqual(["ConfigMap kafka-broker server.properties: default.replication.factor is not a number"]);
    expect(await messages("kafka-replication", [broker("default.replication.factor=3\nmin.insync.replicas=4\noffsets.topic.replication.factor=1")])).toEqual([
      "ConfigMap kafka-broker server.properties: offsets.topic.replication.factor 1 is below 3",
      "ConfigMap kafka-broker server.properties: min.insync.replicas 4 is above default.replication.factor 3: no write could be acknowledged",
    ]);
  });

  it("ignores controller-only nodes and follows the stack's minimums", async () => {
    const controller = object("ConfigMap", "kafka-controller", { data: { "server.properties": "process.roles=controller\n" } });
    expect(await messages("kafka-replication", [controller])).toEqual([]);
    expect(
      await messages("kafka-replication", [broker("default.replication.factor=1\nmin.insync.replicas=1")], {
        "kafka-replication": { minReplicationFactor: 1, minInsyncReplicas: 1 },
      }),
    ).toEqual([]);
  });
});

describe("kafka-encrypted-listeners", () => {
  const node = (props: string) => object("ConfigMap", "kafka-broker", { data: { "server.properties": props } });
  it("passes nodes whose every listener is SSL or SASL_SSL", async () => {
    const tls =
      "process.roles=broker\nlisteners=CLIENT://:9092,REPLICATION://:9091\nlistener.security.protocol.map=CONTROLLER:SSL,CLIENT:SASL_SSL,REPLICATION:SSL";
    expect(await messages("kafka-encrypted-listeners", [node(tls)])).toEqual([]);
    expect(
      await messages("kafka-encrypted-listeners", [
        node("process.roles=controller\nlisteners=CONTROLLER://:9093\nlistener.security.protocol.map=CONTROLLER:SSL"),
      ]),
    ).toEqual([]);
  });
  it("fails a plaintext listener by name or by the protocol map, in properties files and in other charts' env", async () => {
    expect(await messages("kafka-encrypted-listeners", [node("process.roles=broker\nlisteners=PLAINTEXT://:9092")])).toEqual([
      "server.properties: listeners PLAINTEXT are not encrypted",
    ]);
    const mapped =
      "process.roles=broker\nlisteners=CLIENT://:9092,INTERNAL://:9091\nlistener.security.protocol.map=CONTROLLER:PLAINTEXT,CLIENT:SSL,INTERNAL:SASL_PLAINTEXT";
    expect(await messages("kafka-encrypted-listeners", [node(mapped)])).toEqual(["server.properties: listeners CONTROLLER, INTERNAL are not encrypted"]);
    const env = podWith((p) => {
      p.containers[0].env.push(
        { name: "KAFKA_CFG_LISTENERS", value: "CLIENT://:9092" },
        { name: "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP", value: "CLIENT:PLAINTEXT" },
      );
    });
    expect(await messages("kafka-encrypted-listeners", [workload("StatefulSet", env)])).toEqual(["container main: listeners CLIENT are not encrypted"]);
  });
  it("is mandatory where the environments run Kafka over TLS; off in dev, which is plaintext by design", () => {
    const level = (env: string) =>
      JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${env}.json`), "utf8"))["kafka-encrypted-listeners"].enforcementLevel;
    expect([level("dev"), level("staging"), level("prod")]).toEqual(["disabled", "mandatory", "mandatory"]);
  });
});

describe("protect-stateful", () => {
  it("passes protected StatefulSets and PVCs", async () => {
    expect(await messages("protect-stateful", [workload("StatefulSet"), object("PersistentVolumeClaim", "data", { spec: {} })])).toEqual([]);
  });
  it("fails unprotected ones, and does not apply to plain manifests", async () => {
    const sts = workload("StatefulSet");
    expect(await messages("protect-stateful", [{ ...sts, opts: { protect: false } }])).toEqual(["StatefulSet is not protected"]);
    expect(await messages("protect-stateful", [{ ...sts, opts: undefined }])).toEqual([]);
  });
  it("lets the run that grows a StatefulSet's volumes recreate it, marked and with its claims retained", async () => {
    const grown = (retain: string, annotations: Record<string, string>) => {
      const sts = workload("StatefulSet");
      const props = {
        ...sts.props,
        metadata: { ...sts.props.metadata, annotations },
        spec: { ...sts.props.spec, persistentVolumeClaimRetentionPolicy: { whenDeleted: retain, whenScaled: "Retain" } },
      };
      return { ...sts, props, opts: { protect: false } };
    };
    const mark = { "dataplatform.io/volume-growth": "data: 10Gi -> 20Gi" };
    expect(await messages("protect-stateful", [grown("Retain", mark)])).toEqual([]);
    expect(await messages("protect-stateful", [grown("Delete", mark)])).toEqual(["StatefulSet is not protected"]);
    expect(await messages("protect-stateful", [grown("Retain", {})])).toEqual(["StatefulSet is not protected"]);
    const pvc = object("PersistentVolumeClaim", "data", { metadata: { name: "data", annotations: mark }, spec: {} });
    expect(await messages("protect-stateful", [{ ...pvc, opts: { protect: false } }])).toEqual(["PersistentVolumeClaim is not protected"]);
  });
});

describe("no-skip-await", () => {
  it("fails objects that skip readiness", async () => {
    const skipped = workload("StatefulSet");
    expect(await messages("no-skip-await", [skipped])).toEqual([]);
    skipped.props.metadata.annotations = { "pulumi.com/skipAwait": "true" };
    expect(await messages("no-skip-await", [skipped])).toEqual(['annotation pulumi.com/skipAwait is "true"']);
  });
  it("fails a chart that skips readiness", async () => {
    const chart = { type: "kubernetes:helm.sh/v4:Chart", name: "trino", props: { chart: "trino", skipAwait: false } };
    expect(await messages("no-skip-await", [chart])).toEqual([]);
    expect(await messages("no-skip-await", [{ ...chart, props: { chart: "trino", skipAwait: true } }])).toEqual(["chart sets skipAwait: true"]);
  });
});

describe("retain-stateful-volumes", () => {
  it("passes the default and Retain, fails Delete", async () => {
    const sts = workload("StatefulSet");
    expect(await messages("retain-stateful-volumes", [sts])).toEqual([]);
    sts.props.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: "Delete", whenScaled: "Retain" };
    expect(await messages("retain-stateful-volumes", [sts])).toEqual([
      "persistentVolumeClaimRetentionPolicy.whenDeleted is Delete: volumes would be removed with the pods",
    ]);
  });
});

describe("trino-graceful-shutdown", () => {
  const worker = (grace: number, preStop: boolean) => {
    const pod = podWith((p) => {
      p.containers[0].image = "trinodb/trino:479";
      p.terminationGracePeriodSeconds = grace;
      if (preStop) p.containers[0].lifecycle = { preStop: { exec: { command: ["/bin/sh", "-c", "shutdown"] } } };
    });
    const w = workload("Deployment", pod);
    w.props.metadata.name = "trino-worker";
    return w;
  };
  const config = object("ConfigMap", "trino-worker", { data: { "config.properties": "coordinator=false\nshutdown.grace-period=2m\n" } });
  it("passes a preStop hook and termination grace of twice the shutdown grace", async () => {
    expect(await messages("trino-graceful-shutdown", [worker(240, true), config])).toEqual([]);
  });
  it("fails a short termination grace or a missing hook", async () => {
    expect(await messages("trino-graceful-shutdown", [worker(180, false), config])).toEqual([
      "Deployment trino-worker: terminationGracePeriodSeconds 180 is below 2 x shutdown.grace-period (120s)",
      "Deployment trino-worker: no preStop hook to drain running queries",
    ]);
  });
});

describe("no-helm-release", () => {
  const release = { type: "kubernetes:helm.sh/v3:Release", name: "airflow", props: { chart: "airflow", version: "1.15.0" }, opts: { protect: false } };
  it("fails a Release unless allow-listed", async () => {
    expect(await messages("no-helm-release", [release])).toEqual(["helm.v3.Release airflow: its objects bypass the policy pack"]);
    expect(await messages("no-helm-release", [release], { "no-helm-release": { allowedReleases: ["airflow"] } })).toEqual([]);
    expect(await messages("no-helm-release", [{ ...release, type: "kubernetes:helm.sh/v4:Chart" }])).toEqual([]);
  });
});

describe("recommended-labels", () => {
  it("passes labelled objects and fails unlabelled ones", async () => {
    expect(await messages("recommended-labels", [workload("Deployment"), object("Service", "s", { spec: {} })])).toEqual([]);
    const bare = workload("Deployment");
    bare.props.metadata.labels = { app: "demo" };
    bare.props.spec.template.metadata.labels = { app: "demo" };
    expect(await messages("recommended-labels", [bare])).toEqual([
      "metadata.labels lacks app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/managed-by",
      "pod template labels lack app.kubernetes.io/name, app.kubernetes.io/instance",
    ]);
  });
});

describe("credentials-in-arguments", () => {
  const secretEnv = (name: string, key = "k") => ({ name, valueFrom: { secretKeyRef: { name: "s", key } } });
  const scripted = (script: string, env: any[]) =>
    workload(
      "Job",
      podWith((p) => {
        p.containers[0].command = ["/bin/sh", "-c", script];
        p.containers[0].env.push(...env);
      }),
    );
  it("passes secrets given on stdin, in files, through builtins or the command's own environment", async () => {
    const script = [
      'printf \'%s\\n\' "$SECRET_KEY" | mc admin user add lake "$ACCESS_KEY"',
      'export MYSQL_PWD="$ROOT_PASSWORD"',
      "until mysqladmin ping -h db -uroot --silent; do sleep 5; done",
      'printf \'{"secretKey":"%s"}\' "$(printf \'%s\' "$ROOT_PASSWORD" | sed \'s/"/\\\\"/g\')" > /tmp/config.json',
      "trino --server https://trino:8443 --user lake-tables --password --truststore-path /etc/trino-ca/ca.crt --execute 'SELECT 1'",
    ].join("\n");
    expect(
      await messages("credentials-in-arguments", [scripted(script, [secretEnv("SECRET_KEY"), secretEnv("ACCESS_KEY"), secretEnv("ROOT_PASSWORD")])]),
    ).toEqual([]);
  });
  it("fails a secret passed as a command's argument, a $(VAR) expansion and a literal credential flag", async () => {
    // What the MinIO setup Job and the Airflow admin Job did before.
    const leaky = scripted(
      'until mc alias set lake http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"; do sleep 5; done\nairflow users create --password "${ADMIN_PASSWORD}"',
      [secretEnv("MINIO_ROOT_USER"), secretEnv("MINIO_ROOT_PASSWORD"), secretEnv("ADMIN_PASSWORD")],
    );
    expect(await messages("credentials-in-arguments", [leaky])).toEqual([
      "container main: the script passes $MINIO_ROOT_PASSWORD (from a Secret) as an argument to mc; give it on stdin or in a file",
      "container main: the script passes $ADMIN_PASSWORD (from a Secret) as an argument to airflow; give it on stdin or in a file",
    ]);
    const expanded = workload(
      "Deployment",
      podWith((p) => {
        p.containers[0].args = ["--db-password=$(DB_PASSWORD)", "--token", "s3cr3t-literal"];
        p.containers[0].env.push(secretEnv("DB_PASSWORD"));
      }),
    );
    expect(await messages("credentials-in-arguments", [expanded])).toEqual([
      "container main: $(DB_PASSWORD) puts a Secret's value on the command line",
      "container main: a credential flag with a literal value on the command line: --token ***",
    ]);
  });
});

describe("object-store-root-credentials", () => {
  const minioPod = (name: string, component: string, env: any[]) => {
    const w = workload(
      "StatefulSet",
      podWith((p) => p.containers[0].env.push(...env)),
    );
    w.props.metadata.name = name;
    w.props.spec.template.metadata.labels = {
      ...w.props.spec.template.metadata.labels,
      "app.kubernetes.io/name": "minio",
      "app.kubernetes.io/component": component,
    };
    return w;
  };
  const root = [
    { name: "MINIO_ROOT_USER", valueFrom: { secretKeyRef: { name: "lake-root", key: "access-key" } } },
    { name: "MINIO_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "lake-root", key: "secret-key" } } },
  ];
  const client = (name: string, env: any[], volumes: any[] = []) => {
    const w = workload(
      "Deployment",
      podWith((p) => {
        p.containers[0].env.push(...env);
        p.volumes = [...(p.volumes ?? []), ...volumes];
      }),
    );
    w.props.metadata.name = name;
    return w;
  };
  it("passes the object store's own pods and clients with users of their own", async () => {
    const own = client("trino", [{ name: "S3_SECRET_KEY", valueFrom: { secretKeyRef: { name: "minio-users", key: "trino-secret-key" } } }]);
    expect(await messages("object-store-root-credentials", [minioPod("minio", "server", root), minioPod("minio-setup", "buckets", root), own])).toEqual([]);
  });
  it("fails any other pod that reads the root login: by its keys under any variable, the whole Secret, or MinIO's variable names", async () => {
    const resources = [
      minioPod("minio", "server", root),
      client("spark", [{ name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "lake-root", key: "secret-key" } } }]),
      client("logs-user", [], [{ name: "creds", secret: { secretName: "lake-root" } }]),
      client("other", [{ name: "MINIO_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "elsewhere", key: "pw" } } }]),
    ];
    expect(await messages("object-store-root-credentials", resources)).toEqual([
      "Deployment spark reads the object store's root credentials (lake-root/secret-key as AWS_SECRET_ACCESS_KEY); give it a user of its own",
      "Deployment logs-user reads the object store's root credentials (lake-root/access-key); give it a user of its own",
      "Deployment other reads the object store's root credentials (elsewhere/pw as MINIO_ROOT_PASSWORD); give it a user of its own",
    ]);
  });
});

describe("sql-engine-https", () => {
  const coordinator = (props: string) => object("ConfigMap", "trino-coordinator", { data: { "config.properties": `coordinator=true\n${props}` } });
  it("passes a coordinator with HTTPS and a login, and ignores workers", async () => {
    expect(await messages("sql-engine-https", [coordinator("http-server.https.enabled=true\nhttp-server.authentication.type=PASSWORD")])).toEqual([]);
    expect(await messages("sql-engine-https", [object("ConfigMap", "trino-worker", { data: { "config.properties": "coordinator=false\n" } })])).toEqual([]);
  });
  it("fails plain HTTP, no login, and logins over HTTP", async () => {
    expect(await messages("sql-engine-https", [coordinator("http-server.http.port=8080")])).toEqual([
      "config.properties: the coordinator serves clients over plain HTTP (http-server.https.enabled is not true)",
      "config.properties: the coordinator requires no login (http-server.authentication.type is not set)",
    ]);
    expect(
      await messages("sql-engine-https", [
        coordinator("http-server.https.enabled=true\nhttp-server.authentication.type=PASSWORD\nhttp-server.authentication.allow-insecure-over-http=true"),
      ]),
    ).toEqual(["config.properties: the coordinator accepts logins over plain HTTP (http-server.authentication.allow-insecure-over-http=true)"]);
  });
  it("is mandatory where Trino runs tls (staging, production); off in dev", () => {
    const level = (env: string) =>
      JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${env}.json`), "utf8"))["sql-engine-https"].enforcementLevel;
    expect([level("dev"), level("staging"), level("prod")]).toEqual(["disabled", "mandatory", "mandatory"]);
  });
});

describe("hadoop-web-https", () => {
  /** A stack's own HDFS and YARN daemon ConfigMaps, as the program plans them. */
  const configMaps = async (stack: "dev" | "prod") => {
    const plan = await stackPlan(stack);
    return ["hdfs-config", "yarn-config"].map((name) => {
      const cm = find(plan, "ConfigMap", name);
      return { type: cm.type, name: cm.name, props: cm.inputs, opts: {} };
    });
  };
  it("passes production's HDFS and YARN: HTTPS only, the key store password from the environment", async () => {
    expect(await messages("hadoop-web-https", await configMaps("prod"))).toEqual([]);
  });
  it("fails dev's plain-HTTP daemons, HTTP_AND_HTTPS, and a password written in ssl-server.xml", async () => {
    expect(await messages("hadoop-web-https", await configMaps("dev"))).toEqual([
      "hdfs-site.xml: HDFS serves its web endpoints (WebHDFS, JMX, edits and images) over plain HTTP (dfs.http.policy is HTTP_ONLY, not HTTPS_ONLY)",
      "namenode-hdfs-site.xml: HDFS serves its web endpoints (WebHDFS, JMX, edits and images) over plain HTTP (dfs.http.policy is HTTP_ONLY, not HTTPS_ONLY)",
      "yarn-site.xml: YARN serves its web endpoints (REST API, logs) over plain HTTP (yarn.http.policy is HTTP_ONLY, not HTTPS_ONLY)",
    ]);
    const [hdfs, yarn] = await configMaps("prod");
    const both = structuredClone(hdfs);
    both.props.data["hdfs-site.xml"] = both.props.data["hdfs-site.xml"].replace("<value>HTTPS_ONLY</value>", "<value>HTTP_AND_HTTPS</value>");
    expect(await messages("hadoop-web-https", [both])).toEqual([
      "hdfs-site.xml: HDFS serves its web endpoints (WebHDFS, JMX, edits and images) over plain HTTP (dfs.http.policy is HTTP_AND_HTTPS, not HTTPS_ONLY)",
    ]);
    const written = structuredClone(yarn);
    written.props.data["ssl-server.xml"] = written.props.data["ssl-server.xml"].replaceAll("${env.HADOOP_KEYSTORE_PASSWORD}", "changeit");
    expect(await messages("hadoop-web-https", [written])).toEqual([
      "ssl-server.xml: ssl.server.keystore.password is written in the ConfigMap; read it from the daemon's environment (${env.NAME}, from a Secret)",
      "ssl-server.xml: ssl.server.keystore.keypassword is written in the ConfigMap; read it from the daemon's environment (${env.NAME}, from a Secret)",
    ]);
  });
  it("ignores clients' site files (no NameNode address, no ResourceManager)", async () => {
    const client = object("ConfigMap", "other-client", {
      data: { "hdfs-site.xml": "<configuration><property><name>dfs.replication</name><value>3</value></property></configuration>" },
    });
    expect(await messages("hadoop-web-https", [client])).toEqual([]);
  });
  it("is mandatory where HDFS and YARN run tls (staging, production); off in dev", () => {
    const level = (env: string) =>
      JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${env}.json`), "utf8"))["hadoop-web-https"].enforcementLevel;
    expect([level("dev"), level("staging"), level("prod")]).toEqual(["disabled", "mandatory", "mandatory"]);
  });
});

describe("object-store-https", () => {
  /** The stacks' own MinIO StatefulSets, as the program plans them. */
  const server = async (stack: "dev" | "prod") => {
    const sts = find(await stackPlan(stack), "StatefulSet", "minio");
    return { type: sts.type, name: sts.name, props: sts.inputs, opts: {} };
  };
  it("passes production's MinIO: its key pair at the certs directory, https peers", async () => {
    expect(await messages("object-store-https", [await server("prod")])).toEqual([]);
  });
  it("fails dev's plain-HTTP server, a pool whose peers speak HTTP, and a Secret without MinIO's file names", async () => {
    expect(await messages("object-store-https", [await server("dev")])).toEqual([
      "container minio: MinIO serves plain HTTP: no Secret with public.crt and private.key is mounted at its certs directory (/tmp/certs)",
    ]);
    const prod = await server("prod");
    const peers = structuredClone(prod);
    const main = peers.props.spec.template.spec.containers[0];
    main.command = main.command.map((a: string) => a.replace("https://", "http://"));
    expect(await messages("object-store-https", [peers])).toEqual([
      expect.stringMatching(/^container minio: MinIO's servers reach each other over plain HTTP \(http:\/\/minio-\{0\.\.\.3\}/),
    ]);
    const wrongNames = structuredClone(prod);
    wrongNames.props.spec.template.spec.volumes.find((v: any) => v.name === "certs").secret.items = [
      { key: "tls.crt", path: "tls.crt" },
      { key: "tls.key", path: "tls.key" },
    ];
    expect(await messages("object-store-https", [wrongNames])).toHaveLength(1);
  });
  it("finds a server started from a shell script, and ignores other containers", async () => {
    const scripted = podWith((p) => {
      p.containers[0].command = ["/bin/sh", "-c", "exec minio server /data --address :9000"];
    });
    expect(await messages("object-store-https", [workload("StatefulSet", scripted)])).toEqual([
      "container main: MinIO serves plain HTTP: no Secret with public.crt and private.key is mounted at its certs directory (~/.minio/certs)",
    ]);
    // The image's entrypoint form, peers in MINIO_VOLUMES, and the certs directory as --certs-dir=D or -S D.
    const entrypoint = podWith((p) => {
      p.containers[0].image = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z";
      p.containers[0].command = undefined;
      p.containers[0].args = ["server", "--certs-dir=/certs"];
      p.containers[0].env.push({ name: "MINIO_VOLUMES", value: "http://minio-{0...3}.minio-headless/data" });
      p.containers[0].volumeMounts = [{ name: "certs", mountPath: "/certs" }];
      p.volumes = [
        ...(p.volumes ?? []),
        {
          name: "certs",
          secret: {
            secretName: "tls",
            items: [
              { key: "tls.crt", path: "public.crt" },
              { key: "tls.key", path: "private.key" },
            ],
          },
        },
      ];
    });
    expect(await messages("object-store-https", [workload("StatefulSet", entrypoint)])).toEqual([
      "container main: MinIO's servers reach each other over plain HTTP (http://minio-{0...3}.minio-headless/data)",
    ]);
    const shortFlag = structuredClone(entrypoint);
    shortFlag.containers[0].args = ["server", "-S", "/certs", "/data"];
    shortFlag.containers[0].env = shortFlag.containers[0].env.filter((e: any) => e.name !== "MINIO_VOLUMES");
    expect(await messages("object-store-https", [workload("StatefulSet", shortFlag)])).toEqual([]);
    const client = podWith((p) => {
      p.containers[0].command = ["mc", "admin", "info", "lake"];
    });
    expect(await messages("object-store-https", [workload("Deployment", client)])).toEqual([]);
  });
  it("is mandatory where MinIO runs tls (staging, production); off in dev", () => {
    const level = (env: string) =>
      JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${env}.json`), "utf8"))["object-store-https"].enforcementLevel;
    expect([level("dev"), level("staging"), level("prod")]).toEqual(["disabled", "mandatory", "mandatory"]);
  });
});

describe("credentials-in-arguments, harder cases", () => {
  const job = (command: string[], env: any[]) =>
    workload(
      "Job",
      podWith((p) => {
        p.containers[0].command = command;
        p.containers[0].env.push(...env);
      }),
    );
  const secret = (name: string) => ({ name, valueFrom: { secretKeyRef: { name: "s", key: "k" } } });
  it("judges AWS_SECRET_ACCESS_KEY a secret, whatever its ending; an access key id is an identity", async () => {
    expect(
      await messages("credentials-in-arguments", [
        job(
          ["/bin/sh", "-c", 'aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY" --profile "$AWS_ACCESS_KEY_ID"'],
          [secret("AWS_SECRET_ACCESS_KEY"), secret("AWS_ACCESS_KEY_ID")],
        ),
      ]),
    ).toEqual(["container main: the script passes $AWS_SECRET_ACCESS_KEY (from a Secret) as an argument to aws; give it on stdin or in a file"]);
  });
  it("reads the command on a heredoc's opening line, and scripts under sh -ec", async () => {
    const script = "cat <<'EOF' | mc admin user add lake \"$PW\"\nbody $PW is data\nEOF\n";
    expect(await messages("credentials-in-arguments", [job(["/bin/bash", "-ec", script], [secret("PW")])])).toEqual([
      "container main: the script passes $PW (from a Secret) as an argument to mc; give it on stdin or in a file",
    ]);
  });
});
