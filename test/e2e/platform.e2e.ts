/**
 * The real engine against a real control plane: `pulumi up` of a stack, what the API server then
 * holds, a second `up` that changes nothing, and a scale change that touches exactly one object.
 * Run by `npm run test:e2e` (tools/toolchain builds and starts what it needs).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as k8s from "@kubernetes/client-node";
import type { Stack } from "@pulumi/pulumi/automation";
import type { ConfigError } from "../../infra/config/load";
import { loadPlatform } from "../../infra/config/stack";
import { stackContracts } from "../support/contracts";
import { checkExistingSecrets, clusterSecretReader } from "../../infra/existing-secrets";
import { section } from "../../infra/config/schema";
import { catalogs } from "../../components/starburst/spec";
import { airflowFlows } from "../../components/airflow/spec";
import { statsdExporterManifests } from "../../components/airflow/metrics";
import { flowPolicies } from "../../components/kit/network";
import { readStackFile } from "../../tools/plan";
import { clients, createExistingSecrets, eventually, openStack, ROOT, testConfig, stopwatch, useToolchain, VAULT_MINIO } from "./harness";

const STACKS = (process.env.DP_E2E_STACKS ?? "dev,staging,prod").split(",");

/** The validated config the stack deploys (environment file, stack file, the tests' additions). */
function configOf(stack: string, namespace: string) {
  const file = YAMLConfig(stack, namespace);
  return loadPlatform(ROOT, stack, file).config;
}
function YAMLConfig(stack: string, namespace: string): Record<string, string> {
  const added = Object.entries(testConfig(namespace)).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
  return { ...readStackFile(stack), ...Object.fromEntries(added) };
}

/** Pods per owner (ReplicaSets resolved to their Deployment): what the controller-manager created. */
async function podsByWorkload(core: k8s.CoreV1Api, apps: k8s.AppsV1Api, namespace: string): Promise<Map<string, number>> {
  const replicaSets = new Map(
    (await apps.listNamespacedReplicaSet({ namespace })).items.map((rs) => [rs.metadata!.name!, rs.metadata!.ownerReferences?.[0]?.name ?? rs.metadata!.name!]),
  );
  const counts = new Map<string, number>();
  for (const pod of (await core.listNamespacedPod({ namespace })).items) {
    const owner = pod.metadata!.ownerReferences?.[0];
    if (!owner) continue;
    const name = owner.kind === "ReplicaSet" ? (replicaSets.get(owner.name) ?? owner.name) : owner.name;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** Every workload's spec generation and pod template, as the API server holds them. */
async function workloadSpecs(apps: k8s.AppsV1Api, namespace: string) {
  const all = [
    ...(await apps.listNamespacedStatefulSet({ namespace })).items.map((w) => ({ kind: "StatefulSet", w })),
    ...(await apps.listNamespacedDeployment({ namespace })).items.map((w) => ({ kind: "Deployment", w })),
  ];
  return new Map(all.map(({ kind, w }) => [`${kind} ${w.metadata!.name}`, { generation: w.metadata!.generation, template: JSON.stringify(w.spec!.template) }]));
}

for (const name of STACKS) {
  describe(`stack ${name} on a real control plane`, () => {
    const namespace = `e2e-${name}-${Date.now().toString(36)}`;
    const { core, apps } = clients();
    let stack: Stack;
    const { timings, timed } = stopwatch();

    before(async () => {
      useToolchain();
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      stack = (await openStack(name, namespace)).stack;
    });

    test("the program's Secret check reads the real API server: missing Secrets are named, then found", async () => {
      const loaded = loadPlatform(ROOT, name, YAMLConfig(name, namespace));
      await assert.rejects(checkExistingSecrets(loaded, clusterSecretReader(loaded.settings)), (e: ConfigError) => {
        assert.deepEqual(
          e.problems.map((p) => p.split(";")[0]),
          [
            `credentials.minio: existing: Secret ${namespace}/lake-root does not exist`,
            `credentials.source: existing: Secret ${namespace}/minio-users does not exist`,
            `credentials.source: existing: Secret ${namespace}/mysql-credentials does not exist`,
            `credentials.source: existing: Secret ${namespace}/trino-internal does not exist`,
            // Trino's logins are asked for only where Trino runs tls (staging, production).
            ...(name === "dev" ? [] : [`credentials.source: existing: Secret ${namespace}/trino-users does not exist`]),
            // The Hadoop daemons' key store password, where HDFS runs tls (staging, production).
            ...(name === "dev" ? [] : [`credentials.source: existing: Secret ${namespace}/hadoop-keystore does not exist`]),
          ],
        );
        return true;
      });
      await createExistingSecrets(core, namespace);
      await checkExistingSecrets(loaded, clusterSecretReader(loaded.settings));
    });
    after(() => console.log(`# ${name} timings (s): ${JSON.stringify(timings)}`));

    test("pulumi up creates every object, and the API server holds the environment's sizes", async () => {
      const result = await timed("up", () => stack.up());
      assert.equal(result.summary.result, "succeeded");
      const config = configOf(name, namespace);
      const sts = async (n: string) => (await apps.readNamespacedStatefulSet({ name: n, namespace })).spec!;
      const deploy = async (n: string) => (await apps.readNamespacedDeployment({ name: n, namespace })).spec!;
      const kafka = section(config, "kafka");
      const broker = await sts("kafka-broker");
      assert.equal(broker.replicas, kafka.brokers);
      assert.deepEqual(broker.template.spec!.containers[0].resources!.limits!.memory, kafka.resources.limits.memory);
      assert.equal(broker.volumeClaimTemplates![0].spec!.resources!.requests!.storage, kafka.storage.size);
      assert.equal((await sts("kafka-controller")).replicas, kafka.controllers.replicas);
      assert.equal((await sts("zookeeper")).replicas, section(config, "zookeeper").replicas);
      assert.equal((await sts("hdfs-datanode")).replicas, section(config, "hdfs").dataNodes.replicas);
      assert.equal((await sts("yarn-nodemanager")).replicas, section(config, "yarn").nodeManagers.replicas);
      assert.equal((await deploy("spark-worker")).replicas, section(config, "spark").workers.replicas);
      assert.equal((await deploy("trino-worker")).replicas, section(config, "starburst").workers.replicas);
      assert.equal((await deploy("hive-metastore")).replicas, section(config, "hiveMetastore").replicas);
      const cm = await core.readNamespacedConfigMap({ name: "trino-coordinator", namespace });
      assert.doesNotMatch(cm.data!["config.properties"], /\{\{/, "the chart's config is rendered");
      assert.equal(cm.data!["config.properties"].match(/^shutdown\.grace-period=/gm)?.length, 1, "shutdown.grace-period once");
      // The chart's default catalogs (tpch, tpcds) were removed through the provider: only ours are served.
      const catalogFiles = Object.keys((await core.readNamespacedConfigMap({ name: "trino-catalog", namespace })).data ?? {}).sort();
      assert.deepEqual(
        catalogFiles,
        Object.keys(catalogs(section(config, "starburst"), stackContracts(name, namespace)))
          .map((c) => `${c}.properties`)
          .sort(),
      );
    });

    test("the monitoring objects: Grafana's dashboards, and with the Operator's CRDs the PodMonitors and PrometheusRule the API server checked against their schemas", async () => {
      const config = configOf(name, namespace);
      const dashboards = (await core.listNamespacedConfigMap({ namespace, labelSelector: "grafana_dashboard=1" })).items;
      assert.deepEqual(
        dashboards.map((d) => d.metadata!.name).sort(),
        [
          "hdfs",
          "hive-metastore",
          "kafka",
          "minio",
          "pods",
          "spark",
          ...(section(config, "spark").streaming ? ["spark-streaming"] : []),
          "trino",
          "yarn",
          "zookeeper",
        ].map((d) => `data-platform-${d}`),
      );
      for (const d of dashboards) JSON.parse(Object.values(d.data!)[0]);
      const custom = clients().custom;
      const list = async (plural: string) =>
        ((await custom.listNamespacedCustomObject({ group: "monitoring.coreos.com", version: "v1", namespace, plural })) as { items: any[] }).items;
      if (!config.monitoring?.prometheusOperator) return;
      const monitors = await list("podmonitors");
      assert.deepEqual(
        monitors.map((m) => m.metadata.name).sort(),
        [
          "hdfs-datanode",
          "hdfs-journalnode",
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
        ].filter((m) => m !== "hdfs-journalnode" || section(config, "hdfs").highAvailability),
      );
      // What the API server kept (fields a schema would have pruned are gone): MinIO's HTTPS scrape with the CA alone.
      const minio = monitors.find((m) => m.metadata.name === "minio-server");
      assert.deepEqual(minio.spec.podMetricsEndpoints[0].tlsConfig, {
        ca: { secret: { name: "minio-tls", key: "ca.crt" } },
        serverName: `minio.${namespace}.svc.cluster.local`,
      });
      const [rule] = await list("prometheusrules");
      assert.equal(rule.metadata.name, "data-platform");
      assert.ok(rule.spec.groups.length >= 9, rule.spec.groups.map((g: any) => g.name).join(", "));
      assert.ok(rule.spec.groups.every((g: any) => g.rules.every((r: any) => r.alert && r.expr && r.for)));
    });

    test("Airflow's exporter and its UDP policy, left out here with Airflow's chart: the API server keeps them, the controller-manager creates its pod and Pod Security admits it", async () => {
      // The stack's own config, where Airflow is on (the tests turn it off: its chart cannot be had here).
      const config = loadPlatform(ROOT, name, readStackFile(name)).config;
      const airflow = section(config, "airflow");
      const flows = airflowFlows(airflow, stackContracts(name, namespace), config.monitoring);
      const manifests = [
        ...statsdExporterManifests(airflow, namespace),
        ...flowPolicies(namespace, flows).filter((p) => p.metadata.name === "allow-airflow-statsd"),
      ];
      const { objects } = clients();
      const kept = new Map<string, any>();
      try {
        for (const m of manifests) kept.set(`${m.kind} ${m.metadata.name}`, await objects.create(m as k8s.KubernetesObject));
        assert.deepEqual([...kept.keys()].sort(), [
          "ConfigMap airflow-statsd",
          "Deployment airflow-statsd",
          "NetworkPolicy allow-airflow-statsd",
          "Service airflow-statsd",
          "ServiceAccount airflow-statsd",
        ]);
        assert.deepEqual(
          kept.get("Service airflow-statsd").spec.ports.map((p: any) => [p.port, p.protocol]),
          [[9125, "UDP"]],
        );
        const ingress = kept.get("NetworkPolicy allow-airflow-statsd").spec.ingress;
        assert.ok(ingress.length >= 4 && ingress.every((r: any) => r.ports[0].protocol === "UDP" && r.ports[0].port === 9125));
        // Pod Security judges the pod the ReplicaSet creates; it exists only if admitted.
        const pods = await eventually("the exporter's pod", 60, async () => {
          const found = (await core.listNamespacedPod({ namespace, labelSelector: "app.kubernetes.io/component=statsd" })).items;
          return found.length ? found : undefined;
        });
        assert.deepEqual(
          pods[0].spec!.containers[0].ports!.map((p) => [p.containerPort, p.protocol]),
          [
            [9125, "UDP"],
            [9102, "TCP"],
          ],
        );
        // And the same pod as root is refused, so the admission above could have failed.
        const spec = kept.get("Deployment airflow-statsd").spec.template.spec;
        const asRoot = { ...spec, securityContext: { ...spec.securityContext, runAsNonRoot: false, runAsUser: 0 } };
        await assert.rejects(
          core.createNamespacedPod({ namespace, body: { metadata: { name: "airflow-statsd-root" }, spec: asRoot }, dryRun: "All" }),
          /forbidden|violates/i,
        );
      } finally {
        // Not the stack's: gone before the tests that compare the namespace with the stack.
        for (const o of kept.values()) await objects.delete(o, undefined, undefined, 0);
      }
    });

    test("the controller-manager created the pods of every workload, and Pod Security admitted them", async () => {
      const workloads = [...(await apps.listNamespacedStatefulSet({ namespace })).items, ...(await apps.listNamespacedDeployment({ namespace })).items].map(
        (w) => ({ name: w.metadata!.name!, replicas: w.spec!.replicas ?? 1 }),
      );
      assert.ok(workloads.length >= 15, `workloads: ${workloads.map((w) => w.name).join(", ")}`);
      const missing = await eventually("every workload's pods", 90, async () => {
        const pods = await podsByWorkload(core, apps, namespace);
        const short = workloads.filter((w) => (pods.get(w.name) ?? 0) !== w.replicas);
        return short.length === 0 ? [] : undefined;
      }).catch(async (e) => {
        const events = (await core.listNamespacedEvent({ namespace })).items.filter((ev) => ev.reason === "FailedCreate").map((ev) => ev.message);
        throw new Error(`${e.message}; FailedCreate events: ${events.join(" | ")}`);
      });
      assert.deepEqual(missing, []);
      // The pods read MinIO's root credentials from the vault's Secret, under its key names, and
      // only MinIO's own pods do; every S3 client reads its own user; Trino's internal secret its own.
      const refs = new Set<string>();
      const rootReaders = new Set<string>();
      for (const pod of (await core.listNamespacedPod({ namespace })).items) {
        for (const c of [...(pod.spec!.initContainers ?? []), ...pod.spec!.containers]) {
          for (const e of c.env ?? []) {
            if (!e.valueFrom?.secretKeyRef) continue;
            refs.add(`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
            if (e.valueFrom.secretKeyRef.name === VAULT_MINIO.secret) rootReaders.add(pod.metadata!.labels!["app.kubernetes.io/name"]);
          }
        }
      }
      assert.deepEqual([...rootReaders], ["minio"]);
      assert.ok(
        [...refs].some((r) => r === "minio-users/trino-secret-key"),
        [...refs].join(", "),
      );
      assert.deepEqual(
        [...refs].filter((r) => !r.startsWith("mysql-credentials/") && !r.startsWith("minio-users/")).sort(),
        [
          `${VAULT_MINIO.secret}/access-key`,
          `${VAULT_MINIO.secret}/secret-key`,
          "trino-internal/shared-secret",
          // tls mode: the tables Job logs in to Trino with its own password (dbt's is in a CronJob's
          // template, Airflow is off here); the Hadoop daemons read their key store password.
          ...(name === "dev" ? [] : ["trino-users/lake-tables", "hadoop-keystore/password"]),
        ].sort(),
      );
      const ns = await core.readNamespace({ name: namespace });
      assert.equal(ns.metadata!.labels!["pod-security.kubernetes.io/enforce"], "restricted");
    });

    test("a second pulumi up changes nothing", async () => {
      const result = await timed("noop-up", () => stack.up());
      const changes = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => op !== "same");
      assert.deepEqual(changes, [], "no object differs from what the API server holds");
    });

    // [setting, workload, its logical name (a chart's objects are <release>:<ns>/<name>), its count, kind]
    const scales: [string, string, string, (c: ReturnType<typeof configOf>) => number, string][] = [
      ["kafka.brokers", "kafka-broker", "kafka-broker", (c) => section(c, "kafka").brokers, "StatefulSet"],
      ["starburst.workers.replicas", "trino-worker", `trino:${namespace}/trino-worker`, (c) => section(c, "starburst").workers.replicas, "Deployment"],
      ["spark.workers.replicas", "spark-worker", "spark-worker", (c) => section(c, "spark").workers.replicas, "Deployment"],
      ["hdfs.dataNodes.replicas", "hdfs-datanode", "hdfs-datanode", (c) => section(c, "hdfs").dataNodes.replicas, "StatefulSet"],
      ["yarn.nodeManagers.replicas", "yarn-nodemanager", "yarn-nodemanager", (c) => section(c, "yarn").nodeManagers.replicas, "StatefulSet"],
    ];
    for (const [setting, workload, logicalName, current, kind] of scales) {
      test(`scaling ${setting} updates only ${kind} ${workload}`, async () => {
        const next = current(configOf(name, namespace)) + 1;
        await stack.setConfig(`dataplatform:${setting}`, { value: String(next) }, true);
        const updated: string[] = [];
        const preview = await timed(`preview ${setting}`, () =>
          stack.preview({
            diff: true,
            onEvent: (e) => {
              const step = e.resourcePreEvent?.metadata;
              if (step && step.op !== "same") updated.push(`${step.op} ${step.type} ${step.urn.split("::").pop()}`);
            },
          }),
        );
        assert.deepEqual(updated, [`update kubernetes:apps/v1:${kind} ${logicalName}`]);
        assert.equal(preview.changeSummary.update, 1);
        const specsBefore = await workloadSpecs(apps, namespace);
        await timed(`up ${setting}`, () => stack.up());
        const specsAfter = await workloadSpecs(apps, namespace);
        const respecced = [...specsAfter].filter(([k, v]) => specsBefore.get(k)?.generation !== v.generation).map(([k]) => k);
        assert.deepEqual(respecced, [`${kind} ${workload}`], "the API server changed only this workload's spec");
        const retemplated = [...specsAfter].filter(([k, v]) => specsBefore.get(k)?.template !== v.template).map(([k]) => k);
        assert.deepEqual(retemplated, [], "no pod template changed, so no pod restarts");
        const live =
          kind === "StatefulSet"
            ? (await apps.readNamespacedStatefulSet({ name: workload, namespace })).spec!.replicas
            : (await apps.readNamespacedDeployment({ name: workload, namespace })).spec!.replicas;
        assert.equal(live, next);
      });
    }

    /** The message a preview with `setting` at `asked` fails with ("" when it passes); the setting is then put back. */
    const refusedPreview = async (setting: string, asked: string, deployed: string) => {
      const key = `dataplatform:${setting}`;
      await stack.setConfig(key, { value: asked }, true);
      try {
        await stack.preview();
        return "";
      } catch (e) {
        return String((e as Error).message);
      } finally {
        await stack.setConfig(key, { value: deployed }, true);
      }
    };

    test("lowering kafka.brokers is refused at preview while the program cannot confirm the removed broker is empty", async () => {
      const live = (await apps.readNamespacedStatefulSet({ name: "kafka-broker", namespace })).spec!.replicas!;
      const refusal = await refusedPreview("kafka.brokers", String(live - 1), String(live));
      // No kubelet here: kafka-broker-0 never runs, so nothing can vouch for broker live-1.
      assert.match(
        refusal,
        new RegExp(
          `kafka\\.brokers \\(stack ${name}\\): lowering it from ${live} to ${live - 1} removes broker ${live - 1}, and the program cannot confirm they hold no partition replicas \\(kafka-broker-0: `,
        ),
      );
      assert.equal((await apps.readNamespacedStatefulSet({ name: "kafka-broker", namespace })).spec!.replicas, live);
    });

    test("lowering hdfs.dataNodes.replicas is refused at preview while the NameNode cannot decommission the DataNode that goes", async () => {
      const live = (await apps.readNamespacedStatefulSet({ name: "hdfs-datanode", namespace })).spec!.replicas!;
      const refusal = await refusedPreview("hdfs.dataNodes.replicas", String(live - 1), String(live));
      // No kubelet here: hdfs-namenode-0 never runs, so nothing can move hdfs-datanode-<live-1>'s blocks.
      assert.match(
        refusal,
        new RegExp(
          `hdfs\\.dataNodes\\.replicas \\(stack ${name}\\): lowering it from ${live} to ${live - 1} decommissions hdfs-datanode-${live - 1} first .*, and the program cannot reach the NameNode to do it \\(hdfs-namenode-0: .*nothing was changed`,
        ),
      );
      assert.equal((await apps.readNamespacedStatefulSet({ name: "hdfs-datanode", namespace })).spec!.replicas, live);
    });

    test("kafka.storage may not shrink, nor grow without a StorageClass that lets claims expand: refused at preview", async () => {
      const size = (await apps.readNamespacedStatefulSet({ name: "kafka-broker", namespace })).spec!.volumeClaimTemplates![0].spec!.resources!.requests!
        .storage!;
      const bytes = Number(/^(\d+)Gi$/.exec(String(size))![1]);
      const refusedWith = (asked: string) => refusedPreview("kafka.storage.size", asked, String(size));
      assert.match(
        await refusedWith(`${bytes / 2}Gi`),
        new RegExp(
          `kafka\\.storage \\(stack ${name}\\): size: ${bytes / 2}Gi is smaller than StatefulSet kafka-broker's volumes \\(${size}\\); volumes cannot shrink`,
        ),
      );
      // This cluster has no StorageClass at all.
      assert.match(
        await refusedWith(`${bytes * 2}Gi`),
        new RegExp(
          `kafka\\.storage \\(stack ${name}\\): size: growing StatefulSet kafka-broker's volumes from ${size} to ${bytes * 2}Gi needs a StorageClass that lets claims expand, and the volumes have no StorageClass`,
        ),
      );
      const preview = await stack.preview();
      assert.equal(Object.keys(preview.changeSummary).filter((op) => op !== "same").length, 0);
    });

    // [setting, quorum StatefulSet, its count, a valid other count]: sizes the API server's size guard refuses to change.
    const odd = (n: number) => n + 2;
    const quorums: [string, string, (c: ReturnType<typeof configOf>) => number | undefined, (n: number) => number][] = [
      ["zookeeper.replicas", "zookeeper", (c) => section(c, "zookeeper").replicas, odd],
      ["kafka.controllers.replicas", "kafka-controller", (c) => section(c, "kafka").controllers.replicas, odd],
      ["hdfs.journalNodes.replicas", "hdfs-journalnode", (c) => section(c, "hdfs").journalNodes?.replicas, odd],
      // A distributed pool needs at least 4 drives.
      ["minio.replicas", "minio", (c) => section(c, "minio").replicas, (n) => (n === 1 ? 4 : n * 2)],
    ];
    for (const [setting, workload, current, other] of quorums) {
      const size = current(configOf(name, namespace));
      if (size === undefined) continue;
      const asked = other(size);
      test(`resizing ${workload} (${size} -> ${asked}) is refused at preview, and by the API server to any client`, async () => {
        const refusal = await refusedPreview(setting, String(asked), String(size));
        assert.match(refusal, new RegExp(`StatefulSet ${workload} keeps ${size} replicas \\(asked: ${asked}\\): .*README: Resizing a quorum`));
        // The same refusal for clients that are not Pulumi: an edit of the StatefulSet (kubectl edit,
        // a GitOps tool), and its scale subresource (kubectl scale, an autoscaler).
        const jsonPatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch);
        const body = [{ op: "replace", path: "/spec/replicas", value: asked }];
        await assert.rejects(apps.patchNamespacedStatefulSet({ name: workload, namespace, body }, jsonPatch), (e: any) =>
          /keeps .* replicas/.test(String(e.body ?? e.message)),
        );
        await assert.rejects(apps.patchNamespacedStatefulSetScale({ name: workload, namespace, body }, jsonPatch), (e: any) =>
          /keeps .* replicas .*its size is fixed/.test(String(e.body ?? e.message)),
        );
        assert.equal((await apps.readNamespacedStatefulSet({ name: workload, namespace })).spec!.replicas, size);
        const preview = await stack.preview();
        assert.equal(Object.keys(preview.changeSummary).filter((op) => op !== "same").length, 0, "back to the deployed size: nothing to do");
      });
    }
  });
}
