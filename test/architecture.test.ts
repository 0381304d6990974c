/**
 * How engines meet: through the contracts their components expose (components/kit/contracts.ts),
 * never through another engine's config or spec; and every engine folder reads the same way.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./helpers";
import { stackPlan } from "./support/stack-plans";

const COMPONENTS = path.join(ROOT, "components");
/** Shared data and tooling, not engines. */
const NOT_ENGINES = new Set(["kit", "lakehouse"]);
const engines = fs.readdirSync(COMPONENTS).filter((d) => fs.statSync(path.join(COMPONENTS, d)).isDirectory() && !NOT_ENGINES.has(d));
const tsFiles = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
const importsOf = (file: string) => [...fs.readFileSync(file, "utf8").matchAll(/^import[^;]*?from "([^"]+)";/gms)].map((m) => m[1]);

describe("architecture", () => {
  it.each(engines)("engine %s imports no other engine", (engine) => {
    const foreign = tsFiles(path.join(COMPONENTS, engine)).flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith("../") && !i.startsWith("../kit") && !i.startsWith("../lakehouse"))
        .map((i) => `${path.basename(f)} -> ${i}`),
    );
    expect(foreign).toEqual([]);
  });

  it("builds the platform from engine entry points and the kit only", () => {
    const internals = importsOf(path.join(ROOT, "infra", "platform.ts")).filter(
      (i) => i.startsWith("../components/") && !/^\.\.\/components\/[a-z-]+$/.test(i) && !i.startsWith("../components/kit"),
    );
    expect(internals).toEqual([]);
  });

  it.each(engines)("engine %s has one component, named after its folder in its class and type token, and a contract when others use it", (engine) => {
    const index = fs.readFileSync(path.join(COMPONENTS, engine, "index.ts"), "utf8");
    const classes = [...index.matchAll(/export class (\w+) extends pulumi\.ComponentResource/g)].map((m) => m[1]);
    expect(classes).toHaveLength(1);
    const folderAsClass = engine.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
    // Case aside (ZooKeeper): the folder's name.
    expect(classes[0].toLowerCase()).toBe(folderAsClass.toLowerCase());
    expect(index).toContain(`"dataplatform:${engine}:${classes[0]}"`);
    expect(index).toContain("this.registerOutputs(");
    // A producer builds what it publishes in contract.ts (pure, so consumers' tests use the real thing).
    const contract = /implements (\w+)/.exec(index)?.[1];
    if (contract && !contract.endsWith("Template")) expect(fs.existsSync(path.join(COMPONENTS, engine, "contract.ts"))).toBe(true);
  });
});

describe("renamed components", () => {
  // Each earlier type (and name) is an alias of today's: the deployed objects keep their URNs
  // (test/e2e/upgrade.e2e.ts previews it on the real engine; Airflow's chart cannot run there).
  const EARLIER: Record<string, string> = {
    "Minio/minio": "dataplatform:minio:MinIO",
    "Mysql/mysql": "dataplatform:mysql:MySQL",
    "HiveMetastore/hive-metastore": "dataplatform:hive:Metastore",
    "Hdfs/hdfs": "dataplatform:hdfs:HDFS",
    "Yarn/yarn": "dataplatform:yarn:YARN",
    "Dbt/dbt": "dataplatform:dbt:Project",
    "Airflow/airflow": "dataplatform:airflow:Orchestrator",
    "Starburst/starburst": "sql dataplatform:starburst:SqlEngine",
  };
  it.each(Object.entries(EARLIER))("%s answers to %s", async (component, earlier) => {
    const plan = await stackPlan("prod");
    const found = plan.resources.find((r) => r.component && `${r.type.split(":").pop()}/${r.name}` === component);
    expect(found?.options.aliases).toEqual([earlier]);
  });
});
