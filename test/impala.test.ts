import { parseSiteXml } from "../components/kit/hadoop-xml";
import { impalaConfig } from "../components/impala/config";
import { catalogFlags, configFiles, impaladFlags, impalaManifests } from "../components/impala/spec";
import { planStack } from "../tools/plan";
import { find, readEnvironment } from "./helpers";
import { stackContracts } from "./support/contracts";
import { stackPlan } from "./support/stack-plans";

const NS = "data-platform";
const impala = (e: string, extra: object = {}) => impalaConfig.parse({ ...readEnvironment(e).impala, ...extra });

describe("Impala", () => {
  it("tells every daemon where the statestore, the catalog and the metastore are", () => {
    expect(catalogFlags(NS)).toEqual(
      expect.arrayContaining([
        `--state_store_host=impala-statestored.${NS}.svc.cluster.local`,
        "--state_store_port=24000",
        "--catalog_service_port=26000",
        "--hms_event_polling_interval_s=1",
      ]),
    );
    const coord = impaladFlags(impala("dev"), NS, "coordinators");
    expect(coord).toEqual(
      expect.arrayContaining([
        `--catalog_service_host=impala-catalogd.${NS}.svc.cluster.local`,
        "--is_coordinator=true",
        "--is_executor=false",
        "--hs2_port=21050",
      ]),
    );
    expect(impaladFlags(impala("dev"), NS, "executors")).toEqual(expect.arrayContaining(["--is_coordinator=false", "--is_executor=true"]));
    const files = configFiles(stackContracts("prod", NS));
    expect(parseSiteXml(files["hive-site.xml"])["hive.metastore.uris"]).toBe(`thrift://hive-metastore.${NS}.svc.cluster.local:9083`);
    const core = parseSiteXml(files["core-site.xml"]);
    expect(core["fs.defaultFS"]).toBe("hdfs://dataplatform");
    expect(core["fs.s3a.endpoint"]).toBe(`https://minio.${NS}.svc.cluster.local:9000`);
    expect(core["fs.s3a.connection.ssl.enabled"]).toBe("true");
  });

  it("derives mem_limit and the JVM heap from the container memory", () => {
    // 2Gi limit, heap 20% = 409 MiB, JVM footprint 409 + 256 = 665 MiB, 85% of the remaining 1383 MiB.
    expect(impaladFlags(impala("dev"), NS, "executors")).toContain("--mem_limit=1175m");
    const executor = (impalaManifests(impala("dev"), NS, stackContracts("dev", NS)) as any[]).find((m) => m.metadata.name === "impala-executor");
    const c = executor.spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: "JAVA_TOOL_OPTIONS", value: "-Xms409m -Xmx409m" });
    expect(c.image).toBe("apache/impala:4.4.1-impalad_executor");
    expect(c.command[2]).toMatch(/^exec \/opt\/impala\/bin\/daemon_entrypoint\.sh \/opt\/impala\/bin\/impalad /);
    expect(c.volumeMounts).toContainEqual({ name: "logs", mountPath: "/opt/impala/logs" });
    expect(c.command[2]).toContain("--log_dir=/opt/impala/logs");
    const statestore = (impalaManifests(impala("dev"), NS, stackContracts("dev", NS)) as any[]).find((m) => m.metadata.name === "impala-statestored");
    expect(statestore.spec.template.spec.containers[0].env.map((e: any) => e.name)).not.toContain("JAVA_TOOL_OPTIONS");
  });

  it("rejects a container too small for the JVM plus query memory", () => {
    const r = impalaConfig.safeParse({
      ...readEnvironment("dev").impala,
      executors: { replicas: 1, resources: { requests: { cpu: "1", memory: "768Mi" }, limits: { memory: "768Mi" } } },
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toMatch(
      /768Mi \(768 MiB\) leaves 305 MiB for query memory \(mem_limit\) after the 409 MiB JVM \(heapPercent 20\) and 15% native headroom/,
    );
  });

  it("scales executors by changing only their Deployment", async () => {
    const key = (r: any) => `${r.type.split(":").pop()}/${r.name}`;
    const before = await stackPlan("prod");
    const after = await planStack({ stack: "prod", sets: ["impala.executors.replicas=6"] });
    const b = new Map(before.resources.map((r) => [key(r), JSON.stringify(r.inputs)]));
    expect(after.resources.filter((r) => b.get(key(r)) !== JSON.stringify(r.inputs)).map(key)).toEqual(["Deployment/impala-executor"]);
    expect(find(after, "Deployment", "impala-executor").inputs.spec.replicas).toBe(6);
  });
});
