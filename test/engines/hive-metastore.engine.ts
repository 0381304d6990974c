/**
 * The Hive Metastore as the program deploys it, on a MySQL-compatible server: the plan's MySQL
 * StatefulSet (on MariaDB from Debian's packages, the mysql image's entrypoint stood in for), the
 * schema Job's command (once to create the schema, again as a no-op), then the metastore Deployment,
 * asked over Thrift for its databases. Every key of the rendered hive-site.xml must be one Hive's own
 * configuration classes define: Hive ignores the others without a word.
 *
 * Pods here have no route to Maven Central, so the plan is made with `hiveMetastore.dependencies=image`
 * (the program's air-gapped mode): the image's auxlib holds images/hive-metastore/pom.xml's jars.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { parseSiteXml } from "../../components/kit/hadoop-xml";
import { METASTORE_DATABASE } from "../../components/mysql/config";
import { engineFiles, lakeSecrets, planned, plannedJob, planOf, type Pod, ROOT, Sandbox, samples, scrape, type StartOptions } from "./harness";
import { AGENT_JAR, JMX_EXPORTER } from "../../components/kit/metrics";
import { METASTORE_METRICS } from "../../components/hive-metastore/metrics";

const STACKS = (process.env.DP_ENGINE_HIVE_STACKS ?? "dev").split(",");
const HIVE_RELEASE = "apache-hive-metastore-4.0.1-bin";
const MYSQL_ROOT = "engine-test-root";
const SECRETS = {
  "mysql-credentials": { password: "engine-test-hive", "root-password": MYSQL_ROOT },
  ...lakeSecrets(),
};

/** The release's jars and Hive's and Hadoop's others, on this machine (outside a pod). */
const hiveClasspath = (hive: string) => [path.join(hive, HIVE_RELEASE, "lib", "*"), path.join(hive, "lib", "*")].join(":");

/** Every configuration key Hive 4.0.1 defines (MetastoreConf with its hive.* synonyms, and HiveConf). */
function hiveKeys(hive: string): Set<string> {
  const out = execFileSync("java", ["-cp", hiveClasspath(hive), path.join(ROOT, "tools", "engines", "hive-metastore", "ConfKeys.java")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    maxBuffer: 16 * 1024 * 1024,
  });
  return new Set(out.split("\n").filter(Boolean));
}

/**
 * The metastore loads the notification listener hive-site.xml names (HCatalog's, in the image's lib/):
 * Maven Central has no 4.0.x of it, so the test's own stand-in, built here, takes its place.
 */
function standInListener(hive: string): string {
  const classes = fs.mkdtempSync(path.join(os.tmpdir(), "hcatalog-listener-"));
  execFileSync(
    "javac",
    [
      "--release",
      "17",
      "-nowarn",
      "-d",
      classes,
      "-cp",
      hiveClasspath(hive),
      path.join(ROOT, "tools", "engines", "hive-metastore", "DbNotificationListener.java"),
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  fs.chmodSync(classes, 0o755);
  return classes;
}

/** One call of the metastore's Thrift service (binary protocol, unframed, no SASL: its defaults) returning list<string>. */
function thriftStringList(host: string, port: number, method: string): Promise<string[]> {
  const name = Buffer.from(method);
  const call = Buffer.alloc(4 + 4 + name.length + 4 + 1);
  call.writeUInt32BE(0x80010001, 0); // version 1, message type CALL
  call.writeInt32BE(name.length, 4);
  name.copy(call, 8);
  call.writeInt32BE(1, 8 + name.length); // sequence id
  call.writeUInt8(0, 12 + name.length); // the arguments: an empty struct
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: 30_000 }, () => socket.write(call));
    let data = Buffer.alloc(0);
    const tryParse = () => {
      try {
        let o = 0;
        const need = (n: number) => {
          if (data.length < o + n) throw new RangeError("short");
        };
        need(4);
        const type = data.readUInt32BE(o) & 0xff;
        o += 4;
        need(4);
        const len = data.readInt32BE(o);
        o += 4 + len;
        need(4);
        o += 4;
        if (type !== 2) throw new Error(`${method}: the metastore answered with message type ${type}, not a reply`);
        need(3);
        const fieldType = data.readUInt8(o);
        const fieldId = data.readInt16BE(o + 1);
        o += 3;
        if (fieldType !== 15 || fieldId !== 0) throw new Error(`${method}: the reply holds field ${fieldId} (type ${fieldType}), not the result list`);
        need(5);
        const count = data.readInt32BE(o + 1);
        o += 5;
        const items: string[] = [];
        for (let i = 0; i < count; i++) {
          need(4);
          const n = data.readInt32BE(o);
          o += 4;
          need(n);
          items.push(data.subarray(o, o + n).toString());
          o += n;
        }
        socket.destroy();
        resolve(items);
      } catch (e) {
        if (!(e instanceof RangeError)) {
          socket.destroy();
          reject(e);
        }
      }
    };
    socket.on("data", (chunk) => {
      data = Buffer.concat([data, chunk]);
      tryParse();
    });
    socket.on("timeout", () => {
      socket.destroy();
      reject(new Error(`${method}: no answer from ${host}:${port}`));
    });
    socket.on("error", reject);
  });
}

for (const stack of STACKS) {
  describe(`the Hive Metastore runs stack ${stack}'s rendered configuration on a MySQL-compatible server`, () => {
    // The image's jars, and the JMX exporter agent as an image built with it has it (pods here have no route to Maven Central).
    const plan = planOf(stack, ["hiveMetastore.dependencies=image", "monitoring.agent=image"]);
    const metastore = planned(plan, "Deployment", "hive-metastore");
    const namespace = metastore.metadata.namespace;
    const schemaJob = plannedJob(plan, "hive-metastore-schema");
    let sandbox: Sandbox;
    let hive: StartOptions;
    let mysql: Pod;
    let servers: Pod[] = [];
    let hiveHome: string;
    let listener: string;
    /** A statement as root, through the server pod's own client. */
    const sql = async (statement: string) => {
      const r = await mysql.run(["mariadb", "-uroot", `-p${MYSQL_ROOT}`, "-N", "-B", "-e", statement, METASTORE_DATABASE]);
      assert.equal(r.code, 0, r.output);
      return r.output.trim();
    };

    before(async () => {
      sandbox = new Sandbox(`hive-${stack}`, plan, namespace);
      const mariadb = execFileSync("bash", [path.join(ROOT, "tools", "engines", "mariadb.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      }).trim();
      hiveHome = engineFiles("hive-metastore");
      listener = standInListener(hiveHome);
      const auxlib = path.join(
        execFileSync("bash", [path.join(ROOT, "tools", "engines", "fetch.sh"), "hive-auxlib", path.join(ROOT, "images", "hive-metastore", "pom.xml")], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "inherit"],
        }).trim(),
        "lib",
      );
      const here = path.join(ROOT, "tools", "engines");
      const mysqlImage: StartOptions = {
        image: [`${path.join(mariadb, "usr")}:/opt/mariadb:ro`, `${here}/mysql/docker-entrypoint.sh:/usr/local/bin/docker-entrypoint.sh:ro`],
        entrypoint: ["docker-entrypoint.sh", "mysqld"],
        path: "/opt/mariadb/bin:/opt/mariadb/sbin:/usr/local/bin:/usr/bin:/bin",
        extraEnv: [`LD_LIBRARY_PATH=/opt/mariadb/lib/x86_64-linux-gnu`],
        user: "mysql",
        secrets: SECRETS,
      };
      hive = {
        image: [
          `${path.join(hiveHome, HIVE_RELEASE, "lib")}:/opt/hive/lib:ro`,
          `${path.join(hiveHome, HIVE_RELEASE, "scripts")}:/opt/hive/scripts:ro`,
          `${path.join(hiveHome, "lib")}:/opt/hadoop/share/hadoop/lib:ro`,
          `${here}/hive-metastore/bin:/opt/hive/bin:ro`,
          // The image built from images/hive-metastore/Dockerfile: its jars in auxlib.
          `${auxlib}:/opt/hive/auxlib:ro`,
          `${listener}:/opt/hive/hcatalog-listener:ro`,
          `${path.join(engineFiles("jmx-exporter"), "lib", JMX_EXPORTER.jar)}:${AGENT_JAR}:ro`,
        ],
        user: "hive",
        secrets: SECRETS,
      };
      [mysql] = await sandbox.startStatefulSet("mysql", mysqlImage);
      await mysql.waitReady(120);
    });
    after(async () => {
      await sandbox?.stopAll();
      if (listener) fs.rmSync(listener, { recursive: true, force: true });
    });

    test("every key of the rendered hive-site.xml is one Hive defines", () => {
      const site = parseSiteXml(planned(plan, "ConfigMap", "hive-metastore-config").data["hive-site.xml"]);
      const known = hiveKeys(hiveHome);
      assert.ok(known.size > 1000, `Hive's keys were read (${known.size})`);
      assert.deepEqual(
        Object.keys(site).filter((k) => !known.has(k)),
        [],
      );
    });

    test("the schema Job creates the metastore schema in the database the server was given", async () => {
      const run = await sandbox.runJob(schemaJob, hive);
      assert.equal(run.code, 0, run.log.split("\n").slice(-40).join("\n"));
      assert.match(run.log, /Initialization script completed/);
      assert.equal(await sql("SELECT SCHEMA_VERSION FROM VERSION"), "4.0.0");
    });

    test("rerunning the schema Job changes nothing", async () => {
      const tables = async () => sql("SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()");
      const before = [await tables(), await sql("SELECT VER_ID, SCHEMA_VERSION, VERSION_COMMENT FROM VERSION")];
      const run = await sandbox.runJob(schemaJob, hive);
      assert.equal(run.code, 0, run.log.split("\n").slice(-40).join("\n"));
      assert.doesNotMatch(run.log, /Initialization script completed/);
      assert.match(run.log, /No schema upgrade required from version 4\.0\.0/);
      assert.deepEqual([await tables(), await sql("SELECT VER_ID, SCHEMA_VERSION, VERSION_COMMENT FROM VERSION")], before);
    });

    test("the metastore serves on 9083 and lists its default database", async () => {
      servers = await Promise.all(
        Array.from({ length: metastore.spec.replicas }, (_, i) =>
          sandbox.startPod(`hive-metastore-${i}`, sandbox.ipFor(`hive-metastore-${i}`), metastore.spec.template, hive),
        ),
      );
      await Promise.all(servers.map((s) => s.waitReady(240)));
      for (const s of servers) assert.deepEqual(await thriftStringList(s.ip, 9083, "get_all_databases"), ["default"]);
      // The database lives in the lake, not on a pod's disk.
      assert.equal(await sql("SELECT DB_LOCATION_URI FROM DBS WHERE NAME = 'default'"), "s3a://data-lake/warehouse");
    });

    test("metrics: each metastore serves Hive's own metrics through the JMX exporter, counting the calls it answered", async () => {
      for (const s of servers) {
        const calls = async () => samples(await scrape(s), METASTORE_METRICS.apiCalls).find((x) => x.labels.includes('api="get_all_databases"'))?.value ?? 0;
        const before = await calls();
        await thriftStringList(s.ip, 9083, "get_all_databases");
        await thriftStringList(s.ip, 9083, "get_all_databases");
        assert.equal(await calls(), before + 2, `${s.name}: ${METASTORE_METRICS.apiCalls}{api="get_all_databases"}`);
        const text = await scrape(s);
        for (const name of Object.values(METASTORE_METRICS)) assert.ok(samples(text, name).length, `${s.name}: ${name}`);
        assert.ok(
          samples(text, METASTORE_METRICS.apiTime).some((x) => /api="get_all_databases"/.test(x.labels) && /quantile="0.99"/.test(x.labels)),
          `${s.name}: get_all_databases p99`,
        );
      }
    });

    test("logs: each metastore writes its events to stdout as one JSON object per line (logFormat json), none as text", () => {
      for (const s of servers) {
        const lines = s
          .log()
          .split("\n")
          .filter((l) => l.trim());
        const events = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
        assert.ok(events.length > 20, `${s.name}: ${events.length} JSON events`);
        assert.ok(
          events.every((e) => e.engine === "hive-metastore" && e.level && e.loggerName && typeof e.message === "string"),
          `${s.name}: every event has the engine, level, logger and message`,
        );
        assert.ok(
          events.some((e) => /Starting hive metastore on port|Started the new metaserver|Opened a connection to metastore/i.test(e.message)),
          `${s.name}: the server's own start-up events`,
        );
        // No log4j event as a text line (Hive's default pattern starts with an ISO 8601 time).
        assert.deepEqual(
          lines.filter((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d+ +(INFO|WARN|ERROR)/.test(l)),
          [],
          s.name,
        );
      }
    });

    test("the logs hold no unknown-key or schema warning", () => {
      for (const s of servers)
        assert.doesNotMatch(s.log(), /HiveConf of name .* does not exist|Version information not found|schema version .* does not match/i);
      assert.doesNotMatch(fs.readFileSync(mysql.logFile, "utf8"), /\[ERROR\]|^ERROR|unknown (variable|option)/im);
    });
  });
}
