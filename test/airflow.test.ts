import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { loadPlatform } from "../infra/config/stack";
import { AIRFLOW_CREDENTIALS, airflowConfig, type AirflowConfig } from "../components/airflow/config";

const CREDENTIALS_SECRET = AIRFLOW_CREDENTIALS.secret;
import {
  airflowFlows,
  airflowManifests,
  chartValues,
  createAdminArgs,
  databaseScript,
  dagFiles,
  egressPolicies,
  fernetKey,
  hardenChartObject,
  logsFolder,
  pluginFiles,
  taskJobRules,
} from "../components/airflow/spec";
import { type Plan, planStack } from "../tools/plan";
import { configProblems, environmentWith, find, ROOT } from "./helpers";
import { stackContracts } from "./support/contracts";
import { stackPlan } from "./support/stack-plans";
import { defaultRef } from "../components/kit/secret-ref";

const NS = "data-platform";
/** The contracts Airflow receives in a stack, and its own Secret. */
const B = (stack: string) => stackContracts(stack, NS);
const OWN = defaultRef(AIRFLOW_CREDENTIALS);
const CLUSTER_ID = {
  "dataplatform:kafka": JSON.stringify({ clusterId: "sM7vMcYvK3sxreD40T8S9Q" }),
  "dataplatform:hdfs": JSON.stringify({ clusterId: "CID-3d041b95-03f9-4210-b504-5b3b75fef1d4" }),
};
const configOf = (env: string) => loadPlatform(ROOT, env, { "dataplatform:environment": env, ...CLUSTER_ID }).config;
const airflowOf = (env: string) => configOf(env).airflow!;
const parse = (raw: unknown): AirflowConfig => airflowConfig.parse(raw);
const sized = { resources: { requests: { cpu: "100m", memory: "1Gi" }, limits: { memory: "1Gi" } } };
const base = { executor: "LocalExecutor", scheduler: sized, apiServer: sized, dagProcessor: sized, triggerer: sized };

function problemsFor(changes: Record<string, unknown>, env = "dev"): string[] {
  const file = environmentWith(env, changes);
  return configProblems(() => loadPlatform(ROOT, env, { "dataplatform:environment": env, "dataplatform:environmentFile": file, ...CLUSTER_ID })).map((p) =>
    p.replace(file, "<env>"),
  );
}

describe("Airflow chart values", () => {
  it.each([
    ["dev", "LocalExecutor"],
    ["staging", "KubernetesExecutor"],
    ["prod", "KubernetesExecutor"],
  ])("%s runs %s with the pinned image", (env, executor) => {
    const values: any = chartValues(airflowOf(env), NS, B("dev"), OWN);
    expect(values.executor).toBe(executor);
    expect(values.images.airflow).toMatchObject({ repository: "apache/airflow", tag: "3.1.8" });
    expect(values.airflowVersion).toBe("3.1.8");
  });

  it("takes every secret from the generated Secret and holds no literal credential", () => {
    const values: any = chartValues(airflowOf("prod"), NS, B("prod"), OWN);
    for (const key of ["fernetKeySecretName", "apiSecretKeySecretName", "jwtSecretName"]) expect(values[key]).toBe(CREDENTIALS_SECRET);
    expect(values.data).toEqual({ metadataSecretName: CREDENTIALS_SECRET });
    for (const literal of ["fernetKey", "apiSecretKey", "jwtSecret", "webserverSecretKey"]) expect(values).not.toHaveProperty(literal);
    expect(values.postgresql.enabled).toBe(false);
    expect(values.redis.enabled).toBe(false);
    const text = JSON.stringify(values);
    expect(text).not.toMatch(/"(admin|postgres)"/);
    // As env entries with secretKeyRef: the chart's `secret` list would add literal AIRFLOW__KUBERNETES_SECRETS__* variables.
    expect(values).not.toHaveProperty("secret");
    // Airflow's own MinIO user, never MinIO's root.
    expect(YAML.parse(values.extraEnv)).toEqual([
      { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: "minio-users", key: "airflow-logs-access-key" } } },
      { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "minio-users", key: "airflow-logs-secret-key" } } },
    ]);
    expect(text).not.toContain("root-user");
  });

  it("turns the chart's hooks off so its migration and create-user Jobs are plain Jobs, kept after they finish", () => {
    const values: any = chartValues(airflowOf("dev"), NS, B("dev"), OWN);
    for (const j of [values.migrateDatabaseJob, values.createUserJob]) {
      expect(j).toMatchObject({ enabled: true, useHelmHooks: false, ttlSecondsAfterFinished: null });
    }
    const wait = values.createUserJob.extraInitContainers[0];
    expect(wait.command[2]).toContain("airflow db check-migrations");
    // Without airflow.cfg the CLI tries to write one, and the root filesystem is read-only.
    expect(wait.volumeMounts).toContainEqual({ name: "config", mountPath: "/opt/airflow/airflow.cfg", subPath: "airflow.cfg", readOnly: true });
    expect(values.images.migrationsWaitTimeout).toBe(900);
  });

  it("creates the admin from the mounted Secret, never from a value", () => {
    const cfg = airflowOf("dev");
    const args = createAdminArgs(cfg);
    expect(args.slice(3)).toEqual(["--", cfg.admin.username, cfg.admin.email]);
    expect(args[2]).toBe(fs.readFileSync(path.join(ROOT, "components/airflow/create-admin.sh"), "utf8"));
    // The password reaches the CLI's prompt on stdin: never an argument.
    expect(args[2]).not.toContain("--password");
    expect(args[2]).toContain('printf \'%s\\n%s\\n\' "$password" "$password" | airflow users create');
    expect(args[2]).toContain("/opt/platform/admin/password");
    expect(args[2]).not.toContain("{{");
    const values: any = chartValues(cfg, NS, B("dev"), OWN);
    expect(values.createUserJob.extraVolumes).toEqual([
      { name: "admin-password", secret: { secretName: CREDENTIALS_SECRET, items: [{ key: "admin-password", path: "password" }] } },
    ]);
    expect(cfg.admin.username).not.toBe("admin");
  });

  it("ships the DAG folder and the plugins as ConfigMaps mounted where Airflow reads them", () => {
    const values: any = chartValues(airflowOf("dev"), NS, B("dev"), OWN);
    const dags = values.volumes.find((v: any) => v.name === "platform-dags");
    expect(dags.configMap.items).toEqual([{ key: "enterprise_data_pipeline_dag.py", path: "enterprise_data_pipeline_dag.py" }]);
    const plugins = values.volumes.find((v: any) => v.name === "platform-plugins");
    expect(plugins.configMap.items.map((i: any) => i.path)).toEqual(
      expect.arrayContaining([
        "dataplatform_operators/__init__.py",
        "dataplatform_operators/spark.py",
        "dataplatform_operators/starburst.py",
        "dataplatform_operators/generator.py",
      ]),
    );
    expect(values.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "platform-dags", mountPath: "/opt/airflow/dags", readOnly: true },
        { name: "platform-plugins", mountPath: "/opt/airflow/plugins", readOnly: true },
      ]),
    );
    const manifests = airflowManifests(airflowOf("dev"), NS, B("dev"), OWN);
    const dagMap: any = manifests.find((m) => m.kind === "ConfigMap" && m.metadata.name === "airflow-dags");
    expect(dagMap.data["enterprise_data_pipeline_dag.py"]).toBe(
      fs.readFileSync(path.join(ROOT, "components/airflow/dags/enterprise_data_pipeline_dag.py"), "utf8"),
    );
    expect(Object.keys(dagFiles())).toEqual(["enterprise_data_pipeline_dag.py"]);
    expect(Object.keys(pluginFiles()).every((f) => !f.includes("__pycache__"))).toBe(true);
  });

  it("pulls DAGs with git-sync instead when asked, and lets only the DAG readers reach the repository", () => {
    const cfg = parse({
      ...base,
      dags: {
        source: "git",
        git: { repo: "https://git.example.com/data/dags.git", ref: "v1.2.0", subPath: "airflow/dags", credentialsSecret: "git-credentials" },
      },
    });
    const values: any = chartValues(cfg, NS, B("dev"), OWN);
    expect(values.dags.gitSync).toMatchObject({
      enabled: true,
      repo: "https://git.example.com/data/dags.git",
      ref: "v1.2.0",
      branch: "v1.2.0",
      subPath: "airflow/dags",
      period: "60s",
      credentialsSecret: "git-credentials",
    });
    expect(values.volumes.map((v: any) => v.name)).not.toContain("platform-dags");
    expect(airflowManifests(cfg, NS, B("dev"), OWN).map((m) => m.metadata.name)).not.toContain("airflow-dags");
    const git: any = egressPolicies(cfg, NS).find((p) => p.metadata.name === "allow-airflow-git");
    expect(git.spec.podSelector.matchExpressions[0].values).toEqual(["scheduler", "dag-processor", "triggerer"]);
    expect(git.spec.egress[0].ports).toEqual([
      { protocol: "TCP", port: 443 },
      { protocol: "TCP", port: 22 },
    ]);
    expect(values.dags.gitSync.securityContexts.container.runAsUser).toBe(65533);
    expect(values.dags.gitSync.extraVolumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(values.dags.gitSync.env).toEqual([{ name: "GITSYNC_HTTP_BIND", value: ":8082" }]);
    expect(values.dags.gitSync.readinessProbe.httpGet).toEqual({ path: "/", port: 8082 });
  });

  it("uses the Secret as an ssh key with verified host keys for ssh URLs, and reaches an internal server by its addresses", () => {
    const ssh = parse({
      ...base,
      dags: {
        source: "git",
        git: {
          repo: "git@git.internal:data/dags.git",
          credentialsSecret: "dags-deploy-key",
          knownHosts: "git.internal ssh-ed25519 AAAA",
          serverCidrs: ["10.20.0.5/32"],
        },
      },
    });
    const sync: any = (chartValues(ssh, NS, B("dev"), OWN) as any).dags.gitSync;
    expect(sync).toMatchObject({ sshKeySecret: "dags-deploy-key", knownHosts: "git.internal ssh-ed25519 AAAA" });
    expect(sync).not.toHaveProperty("credentialsSecret");
    const egress: any = egressPolicies(ssh, NS).find((p) => p.metadata.name === "allow-airflow-git");
    expect(egress.spec.egress[0].to).toEqual([{ ipBlock: { cidr: "10.20.0.5/32" } }]);
    expect(problemsFor({ "airflow.dags": { source: "git", git: { repo: "ssh://git@git.internal/data/dags.git" } } })).toEqual([
      "<env>: airflow.dags.git.credentialsSecret: is required for an ssh URL: a Secret with the private key under gitSshKey",
      "<env>: airflow.dags.git.knownHosts: is required for an ssh URL: the server's known_hosts lines, so git-sync verifies the server",
    ]);
  });

  it("installs the tasks' packages where tasks run in pip mode, and nowhere in image mode", () => {
    const local: any = chartValues(airflowOf("dev"), NS, B("dev"), OWN);
    expect(local.scheduler.extraInitContainers[0].name).toBe("install-task-packages");
    expect(local.workers.extraInitContainers).toBeUndefined();
    expect(local.env).toContainEqual({ name: "PYTHONPATH", value: "/opt/platform/python" });
    const k8s: any = chartValues(airflowOf("prod"), NS, B("prod"), OWN);
    expect(k8s.workers.extraInitContainers[0].command).toEqual([
      "bash",
      "-c",
      fs.readFileSync(path.join(ROOT, "components/airflow/install-task-packages.sh"), "utf8"),
      "--",
      "/opt/platform/python",
      "/opt/platform/requirements/requirements.txt",
    ]);
    expect(k8s.scheduler.extraInitContainers).toBeUndefined();
    const image = parse({ ...base, dependencies: "image", image: "registry.example.com/platform/airflow:3.1.8-1" });
    const baked: any = chartValues(image, NS, B("dev"), OWN);
    expect(baked.scheduler.extraInitContainers).toBeUndefined();
    expect(baked.env.map((e: any) => e.name)).not.toContain("PYTHONPATH");
    expect(baked.images.airflow).toMatchObject({ repository: "registry.example.com/platform/airflow", tag: "3.1.8-1" });
    const names = airflowManifests(image, NS, B("dev"), OWN).map((m) => m.metadata.name);
    expect(names).not.toContain("airflow-requirements");
    expect(names).not.toContain("allow-airflow-pypi");
    expect(fs.readFileSync(path.join(ROOT, "images/airflow/Dockerfile"), "utf8")).toContain("COPY components/airflow/requirements.txt");
  });

  it("gives the tasks the platform's addresses and keeps their logs in MinIO", () => {
    const values: any = chartValues(airflowOf("dev"), NS, B("dev"), OWN);
    const env = Object.fromEntries(values.env.map((e: any) => [e.name, e.value]));
    expect(env.KAFKA_BOOTSTRAP_SERVERS).toBe("kafka-bootstrap.data-platform.svc.cluster.local:9092");
    expect(env.TRINO_HOST).toBe("trino.data-platform.svc.cluster.local");
    expect(env.DBT_TARGET).toBe("dev");
    // The maintenance task expires no snapshot the catalog keeps (starburst.icebergSnapshotRetention).
    expect(env.ICEBERG_SNAPSHOT_RETENTION).toBe("7d");
    expect(JSON.parse(env.AIRFLOW_CONN_MINIO_LOGS)).toEqual({
      conn_type: "aws",
      extra: { endpoint_url: "http://minio.data-platform.svc.cluster.local:9000", region_name: "us-east-1" },
    });
    expect(values.config.logging).toEqual({
      remote_logging: "True",
      remote_base_log_folder: "s3://data-lake/airflow-logs",
      remote_log_conn_id: "minio_logs",
      delete_local_logs: "True",
    });
    expect(values.logs).toEqual({ persistence: { enabled: false }, emptyDirConfig: { sizeLimit: "5Gi" } });
    for (const part of ["scheduler", "dagProcessor", "triggerer", "workers"]) expect(values[part].logGroomerSidecar).toEqual({ enabled: false });
    expect(values.config.core.execution_api_server_url).toBe("http://airflow-api-server.data-platform.svc.cluster.local:8080/execution/");
    expect(values.config.core.hostname_callable).toBe("airflow.utils.net.get_host_ip_address");
  });

  it("runs as many LocalExecutor tasks at once as the scheduler's memory holds", () => {
    expect((chartValues(airflowOf("dev"), NS, B("dev"), OWN) as any).config.core.parallelism).toBe("3"); // 1536Mi: (1536 - 768) / 256
    expect((chartValues(airflowOf("prod"), NS, B("prod"), OWN) as any).config.core).not.toHaveProperty("parallelism");
    expect(problemsFor({ "airflow.scheduler.resources": { requests: { cpu: "250m", memory: "768Mi" }, limits: { memory: "768Mi" } } })).toEqual([
      "<env>: airflow.scheduler.resources.limits.memory: 768Mi (768 MiB) leaves no room for a task: LocalExecutor runs tasks in the scheduler, which needs 768 MiB plus 256 MiB per concurrent task; allowed: at least 1024Mi",
    ]);
  });
});

describe("hardening the chart's pods", () => {
  const deployment = (name: string) => ({ metadata: { name }, spec: { template: { spec: { containers: [] } } } });
  const token = (cfg: AirflowConfig, type: string, name: string) =>
    hardenChartObject(cfg, type, deployment(name))?.spec.template.spec.automountServiceAccountToken;

  it("gives the scheduler, dag-processor and triggerer their liveness check as readiness, and leaves Jobs and set probes alone", () => {
    const check = { exec: { command: ["sh", "-c", "airflow jobs check --local"] }, periodSeconds: 60 };
    const own = { httpGet: { path: "/api/v2/monitor/health", port: 8080 } };
    const props = {
      metadata: { name: "airflow-scheduler" },
      spec: {
        template: {
          spec: {
            containers: [
              { name: "scheduler", livenessProbe: check },
              { name: "api", livenessProbe: check, readinessProbe: own },
            ],
          },
        },
      },
    };
    const cfg = airflowOf("dev");
    const [scheduler, api] = hardenChartObject(cfg, "kubernetes:apps/v1:Deployment", props)!.spec.template.spec.containers;
    expect(scheduler.readinessProbe).toEqual(check);
    expect(api.readinessProbe).toEqual(own);
    expect(hardenChartObject(cfg, "kubernetes:batch/v1:Job", props)!.spec.template.spec.containers[0].readinessProbe).toBeUndefined();
  });

  it("labels every chart object and pod with the recommended labels, each part with its own instance", () => {
    const values: any = chartValues(airflowOf("prod"), NS, B("prod"), OWN);
    expect(values.labels).toEqual({
      "app.kubernetes.io/name": "airflow",
      "app.kubernetes.io/instance": "airflow",
      "app.kubernetes.io/part-of": "data-platform",
      "app.kubernetes.io/managed-by": "pulumi",
    });
    expect(values.scheduler.labels["app.kubernetes.io/instance"]).toBe("airflow-scheduler");
    expect(values.workers.labels["app.kubernetes.io/component"]).toBe("worker");
    expect(values.migrateDatabaseJob.labels["app.kubernetes.io/component"]).toBe("migrations");
  });

  it("keeps the scheduler a Deployment: no log volume from the workers' persistence under either key", () => {
    const values: any = chartValues(airflowOf("dev"), NS, B("dev"), OWN);
    expect(values.workers.persistence).toEqual({ enabled: false });
    expect(values.workers.celery).toEqual({ persistence: { enabled: false } });
  });

  it("lets only the accounts that call the Kubernetes API mount a token", () => {
    const sa = (env: string) => {
      const v: any = chartValues(airflowOf(env), NS, B(env), OWN);
      return Object.fromEntries(
        ["scheduler", "apiServer", "dagProcessor", "triggerer", "workers", "migrateDatabaseJob", "createUserJob"].map((p) => [
          p,
          v[p].serviceAccount.automountServiceAccountToken,
        ]),
      );
    };
    expect(sa("dev")).toEqual({
      scheduler: true,
      apiServer: false,
      dagProcessor: false,
      triggerer: false,
      workers: false,
      migrateDatabaseJob: false,
      createUserJob: false,
    });
    // Task pods (pod template, no pod-level setting) create the Spark and dbt Jobs.
    expect(sa("prod")).toEqual({
      scheduler: true,
      apiServer: true,
      dagProcessor: false,
      triggerer: false,
      workers: true,
      migrateDatabaseJob: false,
      createUserJob: false,
    });
  });

  it("binds the chart's pod-launcher Role (pods/exec included) to the scheduler alone", () => {
    const binding = {
      metadata: { name: "airflow-pod-launcher-rolebinding" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "airflow-pod-launcher-role" },
      subjects: ["airflow-scheduler", "airflow-worker", "airflow-triggerer"].map((name) => ({ kind: "ServiceAccount", name, namespace: NS })),
    };
    const type = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
    expect(hardenChartObject(airflowOf("prod"), type, binding)!.subjects).toEqual([{ kind: "ServiceAccount", name: "airflow-scheduler", namespace: NS }]);
    expect(hardenChartObject(airflowOf("prod"), type, { ...binding, metadata: { name: "airflow-pod-log-reader-rolebinding" } })).toBeUndefined();
  });

  it("keeps the API token only for pods that call the Kubernetes API", () => {
    const local = airflowOf("dev");
    const k8s = airflowOf("prod");
    expect(token(local, "kubernetes:apps/v1:Deployment", "airflow-scheduler")).toBe(true);
    expect(token(local, "kubernetes:apps/v1:Deployment", "airflow-api-server")).toBe(false);
    expect(token(k8s, "kubernetes:apps/v1:Deployment", "airflow-api-server")).toBe(true);
    for (const name of ["airflow-dag-processor", "airflow-triggerer"]) expect(token(k8s, "kubernetes:apps/v1:Deployment", name)).toBe(false);
    expect(token(k8s, "kubernetes:batch/v1:Job", "airflow-run-airflow-migrations")).toBe(false);
    expect(hardenChartObject(k8s, "kubernetes:apps/v1:Deployment", deployment("airflow-triggerer"))!.spec.template.spec.enableServiceLinks).toBe(false);
    expect(hardenChartObject(k8s, "kubernetes:core/v1:ConfigMap", { metadata: { name: "airflow-config" } })).toBeUndefined();
  });
});

describe("the metadata database and secrets", () => {
  it("creates the database and user idempotently with passwords from Secrets only", () => {
    const script = databaseScript(B("dev").database);
    expect(script).toContain("CREATE DATABASE IF NOT EXISTS airflow CHARACTER SET utf8mb4");
    expect(script).toContain("CREATE USER IF NOT EXISTS 'airflow'@'%' IDENTIFIED BY '${AIRFLOW_DB_PASSWORD}'");
    expect(script).toContain("ALTER USER 'airflow'@'%' IDENTIFIED BY '${AIRFLOW_DB_PASSWORD}'");
    const j: any = airflowManifests(airflowOf("dev"), NS, B("dev"), OWN).find((m) => m.kind === "Job");
    expect(j.metadata.name).toMatch(/^airflow-database-[0-9a-f]{8}$/);
    const env = j.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "MYSQL_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "mysql-credentials", key: "root-password" } } });
    expect(env).toContainEqual({ name: "AIRFLOW_DB_PASSWORD", valueFrom: { secretKeyRef: { name: CREDENTIALS_SECRET, key: "db-password" } } });
  });

  it("derives a valid Fernet key: URL-safe base64 of 32 bytes", () => {
    const key = fernetKey("Ab3dEf7hIj9kLm1nOp5qRs8tUv2wXy4z");
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(Buffer.from(key.replace(/-/g, "+").replace(/_/g, "/"), "base64")).toHaveLength(32);
    expect(() => fernetKey("too-short")).toThrow("a Fernet key needs 32 bytes, got 9");
  });
});

describe("Airflow's logs in MinIO", () => {
  it("go under the store's airflow-logs prefix, which MinIO's airflow-logs user alone may touch", () => {
    expect(logsFolder(B("dev").lake)).toBe("s3://data-lake/airflow-logs");
    expect(airflowManifests(airflowOf("prod"), NS, B("dev"), OWN).filter((m) => m.metadata.name.startsWith("airflow-logs-user"))).toEqual([]);
  });
});

describe("RBAC for the operators' Jobs", () => {
  it("allows reading the two Job templates, creating Jobs and reading their status, nothing more", () => {
    expect(taskJobRules(B("dev"))).toEqual([
      { apiGroups: ["batch"], resources: ["cronjobs"], resourceNames: ["spark-batch", "dbt"], verbs: ["get"] },
      { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
      { apiGroups: ["batch"], resources: ["jobs/status"], verbs: ["get"] },
    ]);
  });

  it.each([
    ["dev", "airflow-scheduler"],
    ["prod", "airflow-worker"],
  ])("in %s binds them to %s, where tasks run", (env, account) => {
    const binding: any = airflowManifests(airflowOf(env), NS, B("dev"), OWN).find((m) => m.kind === "RoleBinding");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: account, namespace: NS }]);
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "airflow-task-jobs" });
  });
});

describe("Airflow's network", () => {
  const peers = (flows: ReturnType<typeof airflowFlows>, from: string) =>
    flows
      .filter((f) => `${f.from.name}/${f.from.component}` === from)
      .map((f) => `${f.to.name}/${f.to.component}:${f.ports.join(",")}`)
      .sort();

  it("lets the task runner reach exactly what the DAG uses", () => {
    expect(peers(airflowFlows(airflowOf("dev"), B("dev")), "airflow/scheduler")).toEqual([
      "airflow/api-server:8080",
      "kafka/broker:9092",
      "minio/server:9000",
      "mysql/database:3306",
      "trino/coordinator:8080",
    ]);
    expect(peers(airflowFlows(airflowOf("prod"), B("prod")), "airflow/worker")).toEqual([
      "airflow/api-server:8080",
      "kafka/broker:9092",
      "minio/server:9000",
      "trino/coordinator:8080",
    ]);
    expect(peers(airflowFlows(airflowOf("prod"), B("prod")), "airflow/dag-processor")).toEqual([
      "airflow/api-server:8080",
      "minio/server:9000",
      "mysql/database:3306",
    ]);
  });

  it("opens the Kubernetes API only to the pods that call it", () => {
    const selected = (env: string) => (egressPolicies(airflowOf(env), NS)[0].spec as any).podSelector.matchExpressions[0].values;
    expect(selected("dev")).toEqual(["scheduler"]);
    expect(selected("prod")).toEqual(["scheduler", "api-server", "worker"]);
    const cidrs = parse({ ...base, kubernetesApiCidrs: ["10.0.0.1/32"] });
    expect((egressPolicies(cidrs, NS)[0].spec as any).egress[0]).toEqual({
      to: [{ ipBlock: { cidr: "10.0.0.1/32" } }],
      ports: [
        { protocol: "TCP", port: 443 },
        { protocol: "TCP", port: 6443 },
      ],
    });
  });
});

describe("Airflow configuration is validated", () => {
  it("refuses an image pinned by digest, which the chart's task pods cannot take", () => {
    expect(problemsFor({ "airflow.image": `apache/airflow@sha256:${"a".repeat(64)}` })).toEqual([
      "<env>: airflow.image: must be pinned by tag (repository:tag): the chart's task pods take a tag, not a digest",
    ]);
  });

  it("refuses CeleryExecutor and says why", () => {
    expect(problemsFor({ "airflow.executor": "CeleryExecutor" })).toEqual([
      '<env>: airflow.executor: must be one of: LocalExecutor, KubernetesExecutor (CeleryExecutor needs a Redis broker the platform does not run) (got "CeleryExecutor")',
    ]);
  });

  it("requires a repository for git-sync and task pod sizes for KubernetesExecutor", () => {
    expect(problemsFor({ "airflow.dags": { source: "git" } })).toEqual([
      '<env>: airflow.dags.git: is required when dags.source is "git": at least { repo: <clone URL> }',
    ]);
    expect(problemsFor({ "airflow.executor": "KubernetesExecutor" })[0]).toMatch(/^<env>: airflow\.workers: is required with KubernetesExecutor/);
    expect(problemsFor({ "airflow.dags": { source: "git", git: { repo: "ftp://x" } } })[0]).toMatch(
      /airflow\.dags\.git\.repo: must be an https:\/\/, ssh:\/\/ or git@ clone URL/,
    );
  });

  it("needs two schedulers and API servers in production", () => {
    expect(problemsFor({ "airflow.scheduler.replicas": 1, "airflow.apiServer.replicas": 1 }, "prod")).toEqual([
      "<env>: airflow.scheduler.replicas: 1 is below 2, the production minimum: runs must keep being scheduled through a pod loss",
      "<env>: airflow.apiServer.replicas: 1 is below 2, the production minimum: the UI and the tasks' execution API must survive a pod loss",
    ]);
  });
});

describe("the planned stack", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await stackPlan("prod");
  });

  it("plans the pinned chart with the values above and protects the credentials", () => {
    const chart = find(plan, "Chart", "airflow");
    expect(chart.inputs).toMatchObject({ chart: "airflow", version: "1.20.0", repositoryOpts: { repo: "https://airflow.apache.org" }, namespace: NS });
    expect(chart.inputs.values.executor).toBe("KubernetesExecutor");
    expect(find(plan, "Secret", CREDENTIALS_SECRET).inputs.stringData).toBe("[secret]");
    expect(find(plan, "Secret", CREDENTIALS_SECRET).options.protect).toBe(true);
  });

  it("orders the bootstrap: Airflow after MySQL's database Job, Kafka's topics, the lake's tables and the Job templates", () => {
    const chart = find(plan, "Chart", "airflow");
    const deps: string[] = chart.options.dependsOn;
    const waitsFor = (type: string, name: string | RegExp) =>
      deps.some((urn) => {
        const [t, n] = urn.split("::").slice(-2);
        return t.endsWith(type) && (typeof name === "string" ? n === name : name.test(n));
      });
    expect(waitsFor("kubernetes:batch/v1:Job", /^kafka-topics-[0-9a-f]{8}$/)).toBe(true);
    expect(waitsFor("kubernetes:batch/v1:Job", /^lake-tables-[0-9a-f]{8}$/)).toBe(true);
    expect(waitsFor("kubernetes:batch/v1:Job", /^airflow-database-[0-9a-f]{8}$/)).toBe(true);
    expect(waitsFor("kubernetes:batch/v1:CronJob", "spark-batch")).toBe(true);
    expect(waitsFor("kubernetes:batch/v1:CronJob", "dbt")).toBe(true);
    expect(waitsFor("kubernetes:core/v1:Secret", CREDENTIALS_SECRET)).toBe(true);
    expect(waitsFor("kubernetes:apps/v1:StatefulSet", "mysql")).toBe(true);
    expect(waitsFor("kubernetes:batch/v1:Job", /^nothing-/)).toBe(false);
  });

  it("scales schedulers with one value: only the chart changes", async () => {
    const scaled = await planStack({ stack: "prod", sets: ["airflow.scheduler.replicas=3"] });
    const inputs = (p: Plan) => new Map(p.resources.map((r) => [`${r.type}/${r.name}`, JSON.stringify(r.inputs)]));
    const [before, after] = [inputs(plan), inputs(scaled)];
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect([...after.keys()].filter((k) => after.get(k) !== before.get(k))).toEqual(["kubernetes:helm.sh/v4:Chart/airflow"]);
    expect(find(scaled, "Chart", "airflow").inputs.values.scheduler.replicas).toBe(3);
  });
});
