import { defaultRef } from "../components/kit/secret-ref";
import { TRINO_CREDENTIALS } from "../components/starburst/config";
import { starburstConfig } from "../components/starburst/config";
import {
  catalogs,
  chartValues,
  engineVersion,
  hardenChartObject,
  imageTag,
  tablesScript,
  terminationGraceSeconds,
  trinoValues,
} from "../components/starburst/spec";
import { Starburst } from "../components/starburst";
import { loadTables, trinoDdl, trinoType } from "../components/lakehouse/tables";
import { planStack, recordResources } from "../tools/plan";
import { configProblems, environmentWith, find, readEnvironment, ROOT } from "./helpers";
import { loadPlatform } from "../infra/config/stack";
import { stackPlan } from "./support/stack-plans";
import { stackContracts } from "./support/contracts";

const NS = "data-platform";
const sql = (e: string, extra: object = {}) => starburstConfig.parse({ ...readEnvironment(e).starburst, ...extra });
const { metastore, lake } = stackContracts("dev", NS);
const LAKE = { metastore, lake };
const props = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split("\n")
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );

describe("SQL engine catalogs", () => {
  it("point both catalogs at the metastore and MinIO, credentials from the environment", () => {
    const c = catalogs(sql("dev"), LAKE);
    const iceberg = props(c.iceberg);
    expect(iceberg).toMatchObject({
      "connector.name": "iceberg",
      "iceberg.catalog.type": "hive_metastore",
      "hive.metastore.uri": `thrift://hive-metastore.${NS}.svc.cluster.local:9083`,
      "s3.endpoint": `http://minio.${NS}.svc.cluster.local:9000`,
      "s3.path-style-access": "true",
      "s3.aws-access-key": "${ENV:S3_ACCESS_KEY}",
      "s3.aws-secret-key": "${ENV:S3_SECRET_KEY}",
    });
    expect(props(c.hive)["connector.name"]).toBe("hive");
  });

  it("use the S3 property name of the pinned engine version", () => {
    expect(engineVersion(sql("dev"))).toBe(479);
    expect(props(catalogs(sql("dev"), LAKE).iceberg)["fs.native-s3.enabled"]).toBe("true");
    const newer = props(catalogs(sql("dev", { version: 481 }), LAKE).iceberg);
    expect(newer["fs.s3.enabled"]).toBe("true");
    expect(newer["fs.native-s3.enabled"]).toBeUndefined();
  });
});

describe("Iceberg snapshot retention", () => {
  it("is the floor of expire_snapshots and remove_orphan_files: 7 days unless set", () => {
    const iceberg = props(catalogs(sql("prod"), LAKE).iceberg);
    expect(iceberg["iceberg.expire-snapshots.min-retention"]).toBe("7d");
    expect(iceberg["iceberg.remove-orphan-files.min-retention"]).toBe("7d");
    const longer = props(catalogs(sql("prod", { icebergSnapshotRetention: "30d" }), LAKE).iceberg);
    expect([longer["iceberg.expire-snapshots.min-retention"], longer["iceberg.remove-orphan-files.min-retention"]]).toEqual(["30d", "30d"]);
  });

  it("refuses a value that is not a duration in hours or days, naming the file and the setting", () => {
    const file = environmentWith("dev", { "starburst.icebergSnapshotRetention": "forever" });
    const ids = {
      "dataplatform:kafka": JSON.stringify({ clusterId: "sM7vMcYvK3sxreD40T8S9Q" }),
      "dataplatform:hdfs": JSON.stringify({ clusterId: "CID-3d041b95-03f9-4210-b504-5b3b75fef1d4" }),
    };
    const problems = configProblems(() => loadPlatform(ROOT, "dev", { "dataplatform:environment": "dev", "dataplatform:environmentFile": file, ...ids }));
    expect(problems).toEqual([expect.stringMatching(/starburst\.icebergSnapshotRetention: must be a duration in hours or days, such as "7d"/)]);
    expect(problems[0]).toContain(file);
  });
});

describe("Trino chart values", () => {
  const v: any = trinoValues(sql("prod"), LAKE);

  it("size the coordinator and workers from their memory limits", () => {
    expect(v.image).toEqual({ repository: "trinodb/trino", tag: "479" });
    expect(v.server.workers).toBe(4);
    // 32Gi limit: heap 70% = 22937 MiB, queries 50% of the heap = 11468 MiB per node, 4 workers.
    expect(v.worker.jvm.maxHeapSize).toBe("22937M");
    expect(v.worker.config.query.maxMemoryPerNode).toBe("11468MB");
    expect(v.worker.config.memory.heapHeadroomPerNode).toBe("6881MB");
    expect(v.server.config.query.maxMemory).toBe("45872MB");
    expect(v.worker.resources.limits.memory).toBe("32Gi");
  });

  it("shut workers down gracefully with twice the grace period to spare", () => {
    expect(v.worker.gracefulShutdown).toEqual({ enabled: true, gracePeriodSeconds: 120 });
    expect(v.worker.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(2 * 120);
    expect(terminationGraceSeconds(sql("prod"))).toBe(270);
    expect(v.additionalConfigProperties).toEqual(expect.arrayContaining(["enable-dynamic-filtering=true", "join-distribution-type=AUTOMATIC"]));
    // The chart writes shutdown.grace-period from gracefulShutdown; a second one would define it twice.
    expect(v.additionalConfigProperties.some((p: string) => p.startsWith("shutdown.grace-period"))).toBe(false);
    // The chart's default catalogs are removed, so only the platform's are served.
    expect(v.catalogs).toMatchObject({ tpch: null, tpcds: null });
    // Asked through the API server's proxy (npm run health), the coordinator must accept its
    // X-Forwarded-For; the workers, never asked that way, keep refusing forwarded headers.
    expect(v.server.coordinatorExtraConfig).toBe("http-server.process-forwarded=true");
    expect(v.additionalConfigProperties.join("\n")).not.toMatch(/process-forwarded/);
    const starburst = chartValues(sql("prod", { flavor: "starburst", security: "plaintext", licenseSecret: "l" }), LAKE) as any;
    expect(starburst.coordinator.additionalProperties).toBe("http-server.process-forwarded=true");
    expect(starburst.additionalProperties).not.toMatch(/process-forwarded/);
  });

  it("sign internal requests with the shared secret, read from its Secret, never written in a file or a value", () => {
    expect(v.additionalConfigProperties).toContain("internal-communication.shared-secret=${ENV:TRINO_INTERNAL_SHARED_SECRET}");
    expect(v.env).toContainEqual({ name: "TRINO_INTERNAL_SHARED_SECRET", valueFrom: { secretKeyRef: { name: "trino-internal", key: "shared-secret" } } });
    const starburst = chartValues(sql("prod", { flavor: "starburst", security: "plaintext", licenseSecret: "l" }), LAKE) as any;
    expect(starburst.additionalProperties).toContain("internal-communication.shared-secret=${ENV:TRINO_INTERNAL_SHARED_SECRET}");
    expect(starburst.additionalEnv).toContainEqual({
      name: "TRINO_INTERNAL_SHARED_SECRET",
      valueFrom: { secretKeyRef: { name: "trino-internal", key: "shared-secret" } },
    });
  });

  it("add only part-of to the chart's own labels, which its selectors rely on", () => {
    expect(v.coordinator.labels).toEqual({ "app.kubernetes.io/part-of": "data-platform" });
    expect(v.worker.labels).toEqual({ "app.kubernetes.io/part-of": "data-platform" });
    // The chart's own access control (the workers' shutdown rule) is left as it is in dev; tls mode adds the coordinator's rules.
    expect((trinoValues(sql("dev"), LAKE) as any).accessControl).toBeUndefined();
  });

  it("harden the chart's Deployments the way the policy pack requires", () => {
    const deployment = { spec: { replicas: 4, template: { spec: { containers: [{ name: "trino-worker" }] } } } };
    const hardened: any = hardenChartObject("kubernetes:apps/v1:Deployment", deployment);
    expect(hardened.spec.template.spec).toEqual({ containers: [{ name: "trino-worker" }], automountServiceAccountToken: false, enableServiceLinks: false });
    expect(hardened.spec.replicas).toBe(4);
    expect(hardenChartObject("kubernetes:core/v1:ConfigMap", { data: {} })).toBeUndefined();
  });

  it("run restricted, with MinIO credentials from the Secret", () => {
    expect(v.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
    expect(v.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(v.env).toContainEqual({ name: "S3_SECRET_KEY", valueFrom: { secretKeyRef: { name: "minio-users", key: "trino-secret-key" } } });
    expect(JSON.stringify(v)).not.toMatch(/minioadmin/);
  });
});

describe("Starburst flavor", () => {
  it("needs a licence Secret", () => {
    const file = environmentWith("dev", { "starburst.flavor": "starburst" });
    const ids = {
      "dataplatform:kafka": JSON.stringify({ clusterId: "sM7vMcYvK3sxreD40T8S9Q" }),
      "dataplatform:hdfs": JSON.stringify({ clusterId: "CID-3d041b95-03f9-4210-b504-5b3b75fef1d4" }),
    };
    const problems = configProblems(() => loadPlatform(ROOT, "dev", { "dataplatform:environment": "dev", "dataplatform:environmentFile": file, ...ids }));
    expect(problems).toEqual([expect.stringMatching(/starburst\.licenseSecret: is required when flavor is "starburst"/)]);
  });

  it("takes the engine image from a mirror repository, keeping the pinned tag", () => {
    expect((trinoValues(sql("prod", { repository: "registry.corp.example/trinodb/trino" }), LAKE) as any).image).toEqual({
      repository: "registry.corp.example/trinodb/trino",
      tag: "479",
    });
    const sep: any = chartValues(
      sql("prod", { flavor: "starburst", security: "plaintext", licenseSecret: "l", repository: "registry.corp.example/sep" }),
      LAKE,
    );
    expect(sep.image).toEqual({ repository: "registry.corp.example/sep", tag: "476-e" });
    expect(() => sql("prod", { repository: "Bad Repo" })).toThrow(/must be an image repository such as registry\.example\/trinodb\/trino/);
  });

  it("passes the licence and the worker shutdown settings to the Starburst chart", () => {
    const v: any = chartValues(sql("prod", { flavor: "starburst", security: "plaintext", licenseSecret: "starburst-license" }), LAKE);
    expect(v.starburstPlatformLicense).toBe("starburst-license");
    expect(v.image.tag).toBe("476-e");
    expect(imageTag(sql("prod", { flavor: "starburst", security: "plaintext", licenseSecret: "x" }))).toBe("476-e");
    expect(v.additionalEnv).toContainEqual({ name: "S3_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "minio-users", key: "trino-access-key" } } });
    expect(v.worker).toMatchObject({ replicas: 4, starburstWorkerShutdownGracePeriodSeconds: 120, deploymentTerminationGracePeriodSeconds: 270 });
  });
});

describe("SQL engine validation", () => {
  it.each([
    [
      { workers: { ...readEnvironment("dev").starburst.workers, queryMemoryPercent: 80 } },
      /workers\.queryMemoryPercent: 80% of the heap for queries plus the engine's 30% heap headroom is above the heap; allowed: up to 70/,
    ],
    [{ workers: { ...readEnvironment("dev").starburst.workers, heapPercent: 90 } }, /workers\.resources\.limits\.memory: 2Gi \(2048 MiB\) cannot hold/],
    [{ workers: { ...readEnvironment("dev").starburst.workers, replicas: 0 } }, /workers\.replicas: must be at least 1/],
  ])("rejects impossible sizing", (change, message) => {
    const result = starburstConfig.safeParse({ ...readEnvironment("dev").starburst, ...change });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n")).toMatch(message);
  });
});

describe("Iceberg tables", () => {
  it("are defined once and created idempotently through the coordinator", () => {
    const ddl = trinoDdl("iceberg", loadTables());
    expect(ddl[0]).toBe("CREATE SCHEMA IF NOT EXISTS iceberg.default");
    expect(ddl.slice(1).map((s) => /iceberg\.default\.(\w+)/.exec(s)![1])).toEqual(["orders", "customers", "products", "daily_revenue", "customer_cohorts"]);
    expect(ddl[1]).toContain("order_ts timestamp(6) with time zone");
    expect(ddl[1]).toContain("partitioning = ARRAY['day(order_ts)']");
    expect(ddl.every((s) => s.includes("IF NOT EXISTS"))).toBe(true);
    expect(() => trinoType("uuid")).toThrow(/no Trino mapping/);
    const script = tablesScript(NS, ddl);
    expect(script).toContain(`until answer=$(trino --server http://trino.${NS}.svc.cluster.local:8080 --user lake-tables --execute 'SELECT 1' 2>&1)`);
  });

  it("are created after the engine is up", async () => {
    const rs = await recordResources(
      "dev",
      {},
      () =>
        new Starburst("starburst", {
          namespace: NS,
          clusterDomain: "cluster.local",
          config: sql("dev"),
          production: false,
          credentials: { ref: defaultRef(TRINO_CREDENTIALS), existing: false },
          ...LAKE,
        }),
    );
    const chart = rs.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
    expect(chart.inputs).toMatchObject({ chart: "trino", version: "1.42.0", repositoryOpts: { repo: "https://trinodb.github.io/charts" }, namespace: NS });
    const job = rs.find((r) => r.type === "kubernetes:batch/v1:Job")!;
    expect(job.name).toMatch(/^lake-tables-/);
    expect(job.inputs.spec.template.spec.containers[0].image).toBe("trinodb/trino:479");
    const pdb = rs.find((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget")!;
    expect(pdb.inputs.spec).toMatchObject({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "trino", "app.kubernetes.io/component": "worker", "app.kubernetes.io/part-of": "data-platform" } },
    });
    expect(job.options.dependsOn.some((u: string) => u.endsWith("Chart::trino"))).toBe(true);
  });
});

describe("scaling the SQL engine", () => {
  it("changing starburst.workers.replicas changes exactly one resource: the chart's worker count", async () => {
    const key = (r: any) => `${r.type.split(":").pop()}/${r.name}`;
    const before = await stackPlan("staging");
    const after = await planStack({ stack: "staging", sets: ["starburst.workers.replicas=6"] });
    const b = new Map(before.resources.map((r) => [key(r), JSON.stringify(r.inputs)]));
    expect(after.resources.filter((r) => b.get(key(r)) !== JSON.stringify(r.inputs)).map(key)).toEqual(["Chart/trino"]);
    const chart = find(after, "Chart", "trino").inputs;
    const old = find(before, "Chart", "trino").inputs;
    expect(chart.values.server.workers).toBe(6);
    expect({ ...chart.values, server: { ...chart.values.server, workers: 2, config: old.values.server.config } }).toEqual(old.values);
  });
});
