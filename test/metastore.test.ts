import * as fs from "node:fs";
import * as path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { HiveMetastore } from "../components/hive-metastore";
import { hiveMetastoreConfig } from "../components/hive-metastore/config";
import { hiveMetastoreManifests, metastoreUri } from "../components/hive-metastore/spec";
import { parseSiteXml } from "../components/kit/hadoop-xml";
import { SPARK_PACKAGES } from "../components/spark/spec";
import { recordResources } from "../tools/plan";
import { readEnvironment, ROOT } from "./helpers";
import { stackContracts } from "./support/contracts";

const NS = "data-platform";
const hms = (e: string, extra: object = {}) => hiveMetastoreConfig.parse({ ...readEnvironment(e).hiveMetastore, ...extra });
const byKind = (ms: any[], kind: string) => ms.filter((m) => m.kind === kind);
const { database, lake } = stackContracts("prod", NS);
const BACKENDS = { database, lake };

describe("Hive Metastore", () => {
  const ms: any[] = hiveMetastoreManifests(hms("prod"), NS, BACKENDS);
  const config = byKind(ms, "ConfigMap")[0].data;

  it("talks to MySQL as hive, with the password only from the Secret, and keeps the warehouse in MinIO", () => {
    const site = parseSiteXml(config["hive-site.xml"]);
    expect(site["javax.jdo.option.ConnectionURL"]).toBe(
      `jdbc:mysql://mysql.${NS}.svc.cluster.local:3306/hive_metastore?useSSL=false&allowPublicKeyRetrieval=true`,
    );
    expect(site["javax.jdo.option.ConnectionDriverName"]).toBe("com.mysql.cj.jdbc.Driver");
    expect(site["javax.jdo.option.ConnectionUserName"]).toBe("hive");
    // Only a placeholder in the ConfigMap: the pod puts the Secret's value in at start.
    expect(site["javax.jdo.option.ConnectionPassword"]).toBe("@HIVE_DB_PASSWORD@");
    expect(site["metastore.transactional.event.listeners"]).toBe("org.apache.hive.hcatalog.listener.DbNotificationListener");
    expect(site["metastore.warehouse.dir"]).toBe("s3a://data-lake/warehouse");
    expect(site["datanucleus.schema.autoCreateAll"]).toBe("false");
    // Only the name Hive defines (the engine suite checks every key against Hive's own classes).
    expect(site["hive.metastore.event.db.notification.api.auth"]).toBe("false");
    expect(Object.keys(site)).not.toContain("metastore.event.db.notification.api.auth");
    // prod's lake is TLS: HTTPS, and the JVM trusts the lake's CA through the store its init container writes.
    expect(parseSiteXml(config["core-site.xml"])).toMatchObject({
      "fs.s3a.endpoint": `https://minio.${NS}.svc.cluster.local:9000`,
      "fs.s3a.connection.ssl.enabled": "true",
      "fs.s3a.path.style.access": "true",
    });
    const [deployment] = byKind(ms, "Deployment");
    const env = deployment.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "HIVE_DB_PASSWORD", valueFrom: { secretKeyRef: { name: "mysql-credentials", key: "password" } } });
    expect(env).toContainEqual({ name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "minio-users", key: "metastore-secret-key" } } });
  });

  // The schema Job and the servers run on a real metastore in test/engines/hive-metastore.engine.ts.
  it("initialises or upgrades the schema in a Job named after what it runs", () => {
    const [j] = byKind(ms, "Job");
    expect(j.metadata.name).toMatch(/^hive-metastore-schema-[0-9a-f]{8}$/);
  });

  it("starts its servers only after the schema Job", async () => {
    const rs = await recordResources(
      "dev",
      {},
      () => new HiveMetastore("hive-metastore", { namespace: NS, clusterDomain: "cluster.local", config: hms("dev"), production: false, ...BACKENDS }),
    );
    const deployment = rs.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
    expect(deployment.options.dependsOn.some((u: string) => /Job::hive-metastore-schema-/.test(u))).toBe(true);
    const service = rs.find((r) => r.type === "kubernetes:core/v1:Service" && r.name === "hive-metastore")!;
    expect(service.options.dependsOn.some((u: string) => u.endsWith("Deployment::hive-metastore"))).toBe(true);
  });

  it("fetches its jars in an init container in maven mode, with HTTPS egress, and not in image mode", () => {
    const [deployment] = byKind(ms, "Deployment");
    const init = deployment.spec.template.spec.initContainers[0];
    expect(init.command[2]).toContain("dependency:copy-dependencies -DexcludeTransitive=true -DoutputDirectory=/opt/hive/auxlib");
    expect(ms.find((m) => m.metadata.name === "allow-hive-metastore-maven")).toBeDefined();
    const image = hiveMetastoreManifests(
      hms("prod", { dependencies: "image", image: "registry.example.com/dataplatform-hive-metastore:4.0.1-1" }),
      NS,
      BACKENDS,
    ) as any[];
    expect(byKind(image, "Deployment")[0].spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(["trust-store"]);
    expect(image.find((m) => m.metadata.name === "allow-hive-metastore-maven")).toBeUndefined();
  });

  it("leaves the image's own jars visible in image mode: no volume over /opt/hive/auxlib", () => {
    const image = hiveMetastoreManifests(
      hms("prod", { dependencies: "image", image: "registry.example.com/dataplatform-hive-metastore:4.0.1-1" }),
      NS,
      BACKENDS,
    ) as any[];
    const pods = [...byKind(image, "Deployment"), ...byKind(image, "Job")].map((w) => w.spec.template.spec);
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.containers[0].volumeMounts.map((m: any) => m.mountPath)).not.toContain("/opt/hive/auxlib");
      expect(pod.volumes.map((v: any) => v.name)).not.toContain("auxlib");
    }
    // Maven mode fills that directory in an init container, so there it is a shared volume.
    const maven = byKind(ms, "Deployment")[0].spec.template.spec;
    expect(maven.containers[0].volumeMounts).toContainEqual({ name: "auxlib", mountPath: "/opt/hive/auxlib" });
  });

  it("builds its image from the same jar list the init container uses", () => {
    const pom = new XMLParser({ isArray: (n) => n === "dependency" }).parse(config["pom.xml"]);
    expect(pom.project.dependencies.dependency.map((d: any) => d.artifactId)).toEqual(["mysql-connector-j", "hadoop-aws", "aws-java-sdk-bundle"]);
    expect(config["pom.xml"]).toBe(fs.readFileSync(path.join(ROOT, "images/hive-metastore/pom.xml"), "utf8"));
    expect(fs.readFileSync(path.join(ROOT, "images/hive-metastore/Dockerfile"), "utf8")).toContain(`FROM ${hms("dev").image}`);
    expect(SPARK_PACKAGES).not.toContain("com.mysql:mysql-connector-j:8.4.0");
  });

  it("is what Spark's Iceberg catalog points at", () => {
    expect(metastoreUri(NS)).toBe(`thrift://hive-metastore.${NS}.svc.cluster.local:9083`);
  });
});
