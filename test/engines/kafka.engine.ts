/**
 * Kafka as the program renders it: the controllers and brokers of a stack's plan, started by their
 * own container commands (node ids from ordinals, advertised names, the pinned cluster ID, format
 * once), then the topics Job's script. What is asserted is what the cluster reports back.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadPlatform } from "../../infra/config/stack";
import { section } from "../../infra/config/schema";
import { readStackFile } from "../../tools/plan";
import { replicasOnBrokersScript } from "../../components/kafka/spec";
import { KAFKA_METRICS } from "../../components/kafka/metrics";
import { AGENT_JAR, JMX_EXPORTER } from "../../components/kit/metrics";
import { clientSecret, KAFKA_CLIENTS, type KafkaClient, keystoreLines, nodeSecret, TOOL_CONFIG } from "../../components/kafka/tls";
import { TestCa, type TlsSecret } from "./tls";
import { eventually } from "../eventually";
import { ApiServer } from "./api-server";
import { engineFiles, planned, plannedJob, planOf, type Pod, ROOT, Sandbox, samples, scrape, type StartOptions } from "./harness";

const STACKS = (process.env.DP_ENGINE_STACKS ?? "dev,prod").split(",");
/** A role override the brokers run with: it must reach their effective config, and only theirs. */
const BROKER_OVERRIDE = { key: "num.io.threads", value: "3" };
const AGENT_IN_IMAGE = "monitoring.agent=image";

/** A node's log as text: each JSON event's message (a multi-line one keeps its lines), other lines as they are. */
function messages(p: Pod): string {
  return p
    .log()
    .split("\n")
    .map((l) => (l.startsWith("{") ? String(JSON.parse(l).message ?? "") : l))
    .join("\n");
}
const OVERRIDE_SET = `kafka.overrides.broker.configFiles["server.properties"]["${BROKER_OVERRIDE.key}"]=${BROKER_OVERRIDE.value}`;

/** `kafka-configs --describe --all`: each config's effective value and where it comes from. */
export function parseConfigs(out: string): Map<string, { value: string; source: string }> {
  const configs = new Map<string, { value: string; source: string }>();
  // No synonym at all (synonyms={}) is a value the broker derives from its defaults (retention.ms from log.retention.hours).
  for (const m of out.matchAll(/^\s+([a-z0-9.]+)=(.*?) sensitive=\w+ synonyms=\{(\w*)/gm)) configs.set(m[1], { value: m[2], source: m[3] || "DEFAULT_CONFIG" });
  return configs;
}

/** `kafka-topics --describe`: partition count and replication factor of each topic. */
function parseTopics(out: string): Map<string, { partitions: number; replicationFactor: number }> {
  const topics = new Map<string, { partitions: number; replicationFactor: number }>();
  for (const m of out.matchAll(/^Topic: (\S+)\s+TopicId: \S+\s+PartitionCount: (\d+)\s+ReplicationFactor: (\d+)/gm)) {
    topics.set(m[1], { partitions: Number(m[2]), replicationFactor: Number(m[3]) });
  }
  return topics;
}

for (const stack of STACKS) {
  describe(`Kafka runs stack ${stack}'s rendered configuration`, () => {
    const config = section(loadPlatform(ROOT, stack, readStackFile(stack)).config, "kafka");
    // The JMX exporter agent as an image built with it has it (pods here have no route to Maven Central).
    const plan = planOf(stack, [OVERRIDE_SET, AGENT_IN_IMAGE]);
    const namespace = planned(plan, "StatefulSet", "kafka-broker").metadata.namespace;
    let sandbox: Sandbox;
    let opts: StartOptions;
    let controllers: Pod[] = [];
    let brokers: Pod[] = [];
    const bootstrap = `kafka-bootstrap.${namespace}.svc.cluster.local:9092`;
    const tls = config.security === "tls";
    const jsonLogs = loadPlatform(ROOT, stack, readStackFile(stack)).config.monitoring?.logFormat === "json";
    /** TLS mode: the cluster's admin tools go to the replication listener as kafka-admin. */
    const replication = `kafka-broker-headless.${namespace}.svc.cluster.local:9091`;
    const cas: TestCa[] = [];
    const secrets: Record<string, TlsSecret> = {};

    /**
     * A command in a pod made from the topics Job's own container (image, user, network), with the
     * certificate Secret `secret` mounted where the Job mounts its own (TLS mode).
     */
    async function inJobPod(name: string, command: string[], secret = nodeSecret("admin")): Promise<{ code: number; log: string }> {
      const job = plannedJob(plan, "kafka-topics");
      const spec = job.spec.template.spec;
      const volumes = spec.volumes.map((v: any) => (v.name === "tls" ? { ...v, secret: { ...v.secret, secretName: secret } } : v));
      const template = { ...job.spec.template, spec: { ...spec, initContainers: [], volumes } };
      const script = [...(tls ? keystoreLines() : []), 'exec "$@"'].join("\n");
      template.spec.containers = [{ ...template.spec.containers[0], command: ["/bin/bash", "-c", script, "--", ...command] }];
      return sandbox.runJob({ metadata: { name }, spec: { template } }, opts);
    }

    /** A Kafka tool as the cluster's admin: over TLS in TLS mode (the bootstrap address becomes the replication listener). */
    async function kafka(tool: string, ...args: string[]): Promise<string> {
      // The console tools name their client settings file after their client.
      const flag = { "kafka-console-consumer": "--consumer.config", "kafka-console-producer": "--producer.config" }[tool] ?? "--command-config";
      const adminArgs = tls ? args.flatMap((a) => (a === bootstrap ? [replication, flag, TOOL_CONFIG] : [a])) : args;
      const run = await inJobPod(tool, [`/opt/kafka/bin/${tool}.sh`, ...adminArgs]);
      assert.equal(run.code, 0, `${tool} ${args.join(" ")}:\n${run.log}`);
      return run.log;
    }
    const describeTopics = async () => parseTopics(await kafka("kafka-topics", "--bootstrap-server", bootstrap, "--describe"));
    const effective = async (topic: string) =>
      parseConfigs(await kafka("kafka-configs", "--bootstrap-server", bootstrap, "--describe", "--all", "--entity-type", "topics", "--entity-name", topic));
    const runTopicsJob = async (sets: string[] = []) => {
      const job = plannedJob(sets.length ? planOf(stack, [OVERRIDE_SET, AGENT_IN_IMAGE, ...sets]) : plan, "kafka-topics");
      return sandbox.runJob(job, opts);
    };

    before(async () => {
      sandbox = new Sandbox(`kafka-${stack}`, plan, namespace);
      const files = engineFiles("kafka");
      if (tls) {
        // What cert-manager would write for the program's Certificates, and two that must be refused.
        const ca = new TestCa("dataplatform-ca");
        const stranger = new TestCa("another-ca");
        cas.push(ca, stranger);
        const svc = `${namespace}.svc.cluster.local`;
        secrets[nodeSecret("controller")] = ca.issue("kafka-controller", [`*.kafka-controller-headless.${svc}`]);
        secrets[nodeSecret("broker")] = ca.issue("kafka-broker", [
          `*.kafka-broker-headless.${svc}`,
          `kafka-broker-headless.${svc}`,
          `kafka-bootstrap.${svc}`,
          "localhost",
        ]);
        secrets[nodeSecret("admin")] = ca.issue("kafka-admin");
        for (const client of Object.keys(KAFKA_CLIENTS) as KafkaClient[]) secrets[clientSecret(client)] = ca.issue(client);
        secrets["no-grant"] = ca.issue("no-grant");
        secrets["other-ca"] = { ...stranger.issue("kafka-admin"), "ca.crt": ca.cert };
      }
      opts = {
        image: [
          `${path.join(files, "lib")}:/opt/kafka/libs:ro`,
          `${path.join(ROOT, "tools", "engines", "kafka", "bin")}:/opt/kafka/bin:ro`,
          `${path.join(engineFiles("jmx-exporter"), "lib", JMX_EXPORTER.jar)}:${AGENT_JAR}:ro`,
        ],
        secrets,
      };
      controllers = await sandbox.startStatefulSet("kafka-controller", opts);
      brokers = await sandbox.startStatefulSet("kafka-broker", opts);
      await Promise.all([...controllers, ...brokers].map((p) => p.waitForLog(/Kafka Server started/, 180)));
    });
    after(async () => {
      await sandbox?.stopAll();
      for (const ca of cas) ca.remove();
    });

    test("every node formatted its storage for the pinned cluster ID and took the id of its ordinal", () => {
      const nodes = [...controllers.map((p, i) => ({ p, id: 1000 + i })), ...brokers.map((p, i) => ({ p, id: i }))];
      for (const { p, id } of nodes) {
        assert.match(p.log(), /Formatting metadata directory \/var\/lib\/kafka\/data with metadata\.version/, p.name);
        assert.match(p.log(), new RegExp(`\\[KafkaRaftServer nodeId=${id}\\] Kafka Server started`), p.name);
        const meta = fs.readFileSync(path.join(sandbox.claimDir(`data-${p.name}`), "data", "meta.properties"), "utf8");
        assert.match(meta, new RegExp(`^cluster\\.id=${config.clusterId}$`, "m"), p.name);
        assert.match(meta, new RegExp(`^node\\.id=${id}$`, "m"), p.name);
      }
    });

    test("the topics Job creates every topic with its partitions, replication factor, min.insync.replicas and retention", async () => {
      const run = await runTopicsJob();
      assert.equal(run.code, 0, run.log);
      const topics = await describeTopics();
      for (const [name, t] of Object.entries(config.topics)) {
        assert.deepEqual(topics.get(name), { partitions: t.partitions, replicationFactor: t.replicationFactor ?? config.replicationFactor }, name);
        const c = await effective(name);
        assert.equal(c.get("min.insync.replicas")?.value, String(config.minInsyncReplicas), `${name} min.insync.replicas`);
        if (t.retentionHours) assert.equal(c.get("retention.ms")?.value, String(t.retentionHours * 3_600_000), `${name} retention.ms`);
      }
    });

    test("a topic a client creates with no settings, and the internal topics, get the stack's durability", async () => {
      await kafka("kafka-topics", "--bootstrap-server", bootstrap, "--create", "--topic", "probe-defaults", "--partitions", "1");
      const topics = await describeTopics();
      assert.equal(topics.get("probe-defaults")?.replicationFactor, config.replicationFactor);
      const c = await effective("probe-defaults");
      assert.equal(
        c.get("min.insync.replicas")?.value,
        String(config.minInsyncReplicas),
        `min.insync.replicas comes from ${c.get("min.insync.replicas")?.source}`,
      );
      // The group coordinator makes __consumer_offsets when a first group joins.
      await kafka("kafka-console-consumer", "--bootstrap-server", bootstrap, "--topic", "probe-defaults", "--group", "probe", "--timeout-ms", "8000");
      const internal = await effective("__consumer_offsets");
      assert.equal(internal.get("min.insync.replicas")?.value, String(config.minInsyncReplicas));
      assert.equal((await describeTopics()).get("__consumer_offsets")?.replicationFactor, config.replicationFactor);
    });

    test("rerunning the Job changes nothing", async () => {
      const topics = Object.keys(config.topics);
      const configsOf = async () => Object.fromEntries(await Promise.all(topics.map(async (t) => [t, Object.fromEntries(await effective(t))])));
      const [before, configsBefore] = [await describeTopics(), await configsOf()];
      const run = await runTopicsJob();
      assert.equal(run.code, 0, run.log);
      assert.doesNotMatch(run.log, /creating|growing|removing/);
      assert.deepEqual(await describeTopics(), before);
      assert.deepEqual(await configsOf(), configsBefore);
    });

    test("metrics: every controller and broker serves the JMX exporter's /metrics with the names the alerts read; Kafka's tools in the pod still run", async () => {
      for (const c of controllers) {
        const text = await scrape(c);
        for (const name of [KAFKA_METRICS.activeControllers, KAFKA_METRICS.offlinePartitions]) assert.ok(samples(text, name).length, `${c.name}: ${name}`);
        assert.ok(samples(text, "jvm_memory_used_bytes").length, `${c.name}: the JVM's own metrics`);
      }
      const active = (await Promise.all(controllers.map(scrape))).map((t) => samples(t, KAFKA_METRICS.activeControllers)[0].value);
      assert.deepEqual(active.filter((v) => v === 1).length, 1, `one active controller: ${active}`);
      const topic = Object.keys(config.topics)[0];
      let sizes = 0;
      for (const b of brokers) {
        const text = await scrape(b);
        for (const name of [
          KAFKA_METRICS.underReplicated,
          KAFKA_METRICS.messagesIn,
          KAFKA_METRICS.bytesIn,
          KAFKA_METRICS.bytesOut,
          KAFKA_METRICS.failedProduce,
          KAFKA_METRICS.failedFetch,
          KAFKA_METRICS.isrShrinks,
        ]) {
          assert.ok(samples(text, name).length, `${b.name}: ${name}`);
        }
        assert.equal(samples(text, KAFKA_METRICS.underReplicated)[0].value, 0, `${b.name}: no partition under-replicated`);
        assert.ok(
          samples(text, KAFKA_METRICS.requestTime).some((s) => /request="Produce"/.test(s.labels) && /quantile="0.99"/.test(s.labels)),
          `${b.name}: produce p99`,
        );
        sizes += samples(text, KAFKA_METRICS.logSize).filter((s) => s.labels.includes(`topic="${topic}"`)).length;
      }
      // Each partition's replicas: every one reports its log's size on the broker that holds it.
      const t = config.topics[topic];
      assert.equal(sizes, t.partitions * (t.replicationFactor ?? config.replicationFactor), `${KAFKA_METRICS.logSize} for ${topic}`);
      // The agent is the server's alone: a tool run in the broker's container starts no second one on the port.
      const tool = await brokers[0].run(
        [
          "/bin/bash",
          "-c",
          `/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:${tls ? "9091 --command-config /tmp/tls/client.properties" : "9092"} | head -1`,
        ],
        120,
      );
      assert.equal(tool.code, 0, tool.output);
    });

    /** A client's tool against the client listener with the client settings `props` (one per line), its certificate Secret mounted. */
    const asClient = (name: string, secret: string, props: string[], tool: string, configFlag: string, args: string[], input = "") =>
      inJobPod(
        name,
        [
          "/bin/bash",
          "-c",
          [
            "printf '%s\\n' \"$@\" > /tmp/client.properties",
            `${input ? `printf '${input}\\n' | ` : ""}timeout 90 /opt/kafka/bin/${tool}.sh --bootstrap-server ${bootstrap} ${configFlag} /tmp/client.properties ${args.join(" ")} 2>&1; echo "exit $?"`,
          ].join("\n"),
          "--",
          ...props,
        ],
        secret,
      );
    const TRUST = [
      "security.protocol=SSL",
      "ssl.truststore.type=PEM",
      "ssl.truststore.location=/certs/ca.crt",
      "request.timeout.ms=10000",
      "default.api.timeout.ms=20000",
    ];
    const WITH_KEY = [...TRUST, "ssl.keystore.type=PEM", "ssl.keystore.location=/tmp/tls/keystore.pem"];

    if (tls) {
      test("TLS: a plaintext client, a client without a certificate and a certificate of another CA are all refused", async () => {
        const plain = await asClient(
          "plain",
          nodeSecret("admin"),
          ["security.protocol=PLAINTEXT", "request.timeout.ms=5000", "default.api.timeout.ms=10000"],
          "kafka-topics",
          "--command-config",
          ["--list"],
        );
        assert.doesNotMatch(plain.log, /exit 0$/m, plain.log);
        const anonymous = await asClient("anonymous", nodeSecret("admin"), TRUST, "kafka-topics", "--command-config", ["--list"]);
        assert.match(anonymous.log, /SSL handshake failed|SslAuthenticationException/, anonymous.log);
        assert.doesNotMatch(anonymous.log, /exit 0$/m);
        const foreign = await asClient("foreign", "other-ca", WITH_KEY, "kafka-topics", "--command-config", ["--list"]);
        assert.match(foreign.log, /SSL handshake failed|SslAuthenticationException/, foreign.log);
        assert.doesNotMatch(foreign.log, /exit 0$/m);
        console.log(
          `# kafka refuses a client without a certificate:\n${anonymous.log
            .split("\n")
            .filter((l) => /Exception|failed/.test(l))
            .slice(0, 2)
            .join("\n")
            .replace(/^/gm, "#   ")}`,
        );
      });

      test("TLS: each client does what its ACLs allow and nothing else", async () => {
        const [topic] = Object.keys(config.topics).sort();
        // Airflow (the event generator) writes and reads end offsets; it may not join a group.
        const wrote = await asClient(
          "airflow-writes",
          clientSecret("airflow"),
          WITH_KEY,
          "kafka-console-producer",
          "--producer.config",
          ["--topic", topic],
          "acl-probe",
        );
        assert.match(wrote.log, /exit 0$/m, wrote.log);
        assert.doesNotMatch(wrote.log, /AuthorizationException/, wrote.log);
        const offsets = await asClient("airflow-offsets", clientSecret("airflow"), WITH_KEY, "kafka-get-offsets", "--command-config", ["--topic", topic]);
        assert.match(offsets.log, new RegExp(`^${topic}:\\d+:[1-9]\\d*$`, "m"), offsets.log);
        // The streaming application reads with its groups, and may not write.
        const read = await asClient("streaming-reads", clientSecret("spark-streaming"), WITH_KEY, "kafka-console-consumer", "--consumer.config", [
          "--topic",
          topic,
          "--group",
          "spark-streaming-acl-test",
          "--from-beginning",
          "--max-messages",
          "1",
          "--timeout-ms",
          "30000",
        ]);
        assert.match(read.log, /^acl-probe$/m, read.log);
        const streamingWrites = await asClient(
          "streaming-writes",
          clientSecret("spark-streaming"),
          WITH_KEY,
          "kafka-console-producer",
          "--producer.config",
          ["--topic", topic],
          "refused",
        );
        assert.match(streamingWrites.log, /AuthorizationException/, streamingWrites.log);
        const otherGroup = await asClient("streaming-group", clientSecret("spark-streaming"), WITH_KEY, "kafka-console-consumer", "--consumer.config", [
          "--topic",
          topic,
          "--group",
          "someone-else",
          "--max-messages",
          "1",
          "--timeout-ms",
          "20000",
        ]);
        assert.match(otherGroup.log, /GroupAuthorizationException|Not authorized to access group/, otherGroup.log);
        // A certificate of the platform's CA with no grant is authenticated and may do nothing.
        const listed = await asClient("no-grant-lists", "no-grant", WITH_KEY, "kafka-topics", "--command-config", ["--list"]);
        assert.match(listed.log, /exit 0$/m, listed.log);
        assert.doesNotMatch(listed.log, new RegExp(`^${topic}$`, "m"), "a principal without Describe sees no topic");
        const noGrantWrites = await asClient(
          "no-grant-writes",
          "no-grant",
          WITH_KEY,
          "kafka-console-producer",
          "--producer.config",
          ["--topic", topic],
          "refused",
        );
        assert.match(noGrantWrites.log, /AuthorizationException/, noGrantWrites.log);
      });
    }

    const [first, firstTopic] = Object.entries(config.topics).sort(([a], [b]) => a.localeCompare(b))[0];
    test(`raising ${first}'s partitions grows them; lowering them is refused and changes nothing`, async () => {
      const grown = firstTopic.partitions + 2;
      const up = await runTopicsJob([`kafka.topics.${first}.partitions=${grown}`]);
      assert.equal(up.code, 0, up.log);
      assert.equal((await describeTopics()).get(first)?.partitions, grown);
      const down = await runTopicsJob([`kafka.topics.${first}.partitions=${firstTopic.partitions}`]);
      assert.notEqual(down.code, 0, "a lower partition count fails the Job");
      assert.match(down.log, new RegExp(`${first} has ${grown} partitions but the config asks for ${firstTopic.partitions}`));
      assert.equal((await describeTopics()).get(first)?.partitions, grown);
    });

    test(`removing a per-topic setting returns ${first} to the broker default`, async () => {
      const set = await runTopicsJob([`kafka.topics.${first}.partitions=${firstTopic.partitions + 2}`, `kafka.topics.${first}.retentionHours=1`]);
      assert.equal(set.code, 0, set.log);
      assert.equal((await effective(first)).get("retention.ms")?.value, "3600000");
      const removed = await runTopicsJob([`kafka.topics.${first}.partitions=${firstTopic.partitions + 2}`]);
      assert.equal(removed.code, 0, removed.log);
      const retention = (await effective(first)).get("retention.ms");
      assert.ok(retention, "kafka-configs reports retention.ms");
      assert.match(
        retention.source,
        /^(DEFAULT_CONFIG|STATIC_BROKER_CONFIG|DYNAMIC_DEFAULT_BROKER_CONFIG|DYNAMIC_BROKER_CONFIG)$/,
        `retention.ms still comes from ${retention.source} (${retention.value})`,
      );
      assert.notEqual(retention.value, "3600000");
    });

    test("the scale-down check run in a broker finds every replica a removed broker holds, and none on an empty id", async () => {
      const last = brokers.length - 1;
      const held = await brokers[0].run(["/bin/bash", "-c", replicasOnBrokersScript([last])]);
      assert.equal(held.code, 3, held.output);
      const listed = new Set(
        held.output
          .split("\n")
          .filter((l) => l.startsWith("held "))
          .map((l) => l.slice(5).split(":")[0]),
      );
      // Every stack topic has a replica of each partition on the last broker (one broker in dev; RF = brokers in prod).
      for (const [topic, { partitions }] of await describeTopics()) {
        if (!(topic in config.topics)) continue;
        for (let p = 0; p < partitions; p++) assert.ok(listed.has(`${topic}-${p}`), `${topic}-${p} missing from: ${held.output}`);
      }
      assert.ok(
        [...listed].some((tp) => tp.startsWith("__consumer_offsets-")),
        "internal topics are checked too",
      );
      if (brokers.length > 1) {
        // A partition with no replica on the last broker is not listed.
        await kafka("kafka-topics", "--bootstrap-server", bootstrap, "--create", "--topic", "scale-check-probe", "--replica-assignment", "0");
        const again = await brokers[0].run(["/bin/bash", "-c", replicasOnBrokersScript([last])]);
        assert.doesNotMatch(again.output, /^held scale-check-probe-/m);
        assert.match(again.output, /^held orders-0: /m);
      }
      const empty = await brokers[0].run(["/bin/bash", "-c", replicasOnBrokersScript([brokers.length])]);
      assert.equal(empty.code, 0, empty.output);
      assert.doesNotMatch(empty.output, /^held /m);
    });

    test(`a broker role override (${BROKER_OVERRIDE.key}) is what the brokers run with, and the controllers keep the default`, async () => {
      for (const id of brokers.map((_, i) => String(i))) {
        const broker = parseConfigs(
          await kafka("kafka-configs", "--bootstrap-server", bootstrap, "--describe", "--all", "--entity-type", "brokers", "--entity-name", id),
        );
        assert.deepEqual(broker.get(BROKER_OVERRIDE.key), { value: BROKER_OVERRIDE.value, source: "STATIC_BROKER_CONFIG" }, `broker ${id}`);
      }
      for (const c of controllers)
        assert.doesNotMatch(messages(c), new RegExp(`^\\s*${BROKER_OVERRIDE.key.replace(/\./g, "\\.")} = ${BROKER_OVERRIDE.value}$`, "m"), c.name);
    });

    test(`logs: every event a node logs is ${jsonLogs ? "one JSON object (level, logger, message, engine)" : "a line of text"} on stdout`, () => {
      for (const p of [...controllers, ...brokers]) {
        const lines = p.log().split("\n");
        const events = lines.filter((l) => l.startsWith("{"));
        const textEvents = lines.filter((l) => /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+\] (INFO|WARN|ERROR|DEBUG) /.test(l));
        if (!jsonLogs) {
          assert.ok(textEvents.length > 20, `${p.name}: text events`);
          continue;
        }
        assert.deepEqual(textEvents, [], `${p.name}: an event logged as text`);
        assert.ok(events.length > 20, `${p.name}: ${events.length} JSON events`);
        for (const line of events) {
          const e = JSON.parse(line);
          assert.ok(e.level && e.loggerName && typeof e.message === "string" && e.engine === "kafka", `${p.name}: ${line.slice(0, 200)}`);
        }
      }
    });

    test("no node logs an unknown or unused configuration", () => {
      for (const p of [...controllers, ...brokers]) {
        // Kafka's wording: "These configurations '[...]' were supplied but are not used yet."
        assert.doesNotMatch(messages(p), /were supplied but are not used|isn't a known config|unknown config/i, p.name);
      }
    });

    if (tls) {
      test("a renewed broker certificate: the brokers restart one at a time to load it, and serve it", async () => {
        const ca = cas[0];
        const svc = `${namespace}.svc.cluster.local`;
        const renewed = ca.issue("kafka-broker", [`*.kafka-broker-headless.${svc}`, `kafka-broker-headless.${svc}`, `kafka-bootstrap.${svc}`, "localhost"]);
        const serialOf = (pem: string) => execFileSync("openssl", ["x509", "-noout", "-serial"], { input: pem, encoding: "utf8" }).trim();
        const admin = fs.mkdtempSync(path.join(os.tmpdir(), "dp-kafka-admin-"));
        for (const [k, v] of Object.entries(secrets[nodeSecret("admin")])) fs.writeFileSync(path.join(admin, k), v);
        const served = (ip: string) =>
          execFileSync(
            "bash",
            ["-c", `openssl s_client -connect ${ip}:9091 -cert tls.crt -key tls.key -CAfile ca.crt </dev/null 2>/dev/null | openssl x509 -noout -serial`],
            { cwd: admin, encoding: "utf8" },
          ).trim();
        assert.notEqual(served(brokers[0].ip), serialOf(renewed["tls.crt"]));
        // cert-manager rewrites the Secret; the kubelet updates the mounted files.
        secrets[nodeSecret("broker")] = renewed;
        sandbox.updateSecret(nodeSecret("broker"), renewed);
        const started = Date.now();
        const template = planned(plan, "StatefulSet", "kafka-broker").spec.template;
        for (let i = 0; i < brokers.length; i++) {
          const code = await Promise.race([brokers[i].exited, new Promise<string>((r) => setTimeout(() => r("still running"), 300_000))]);
          assert.equal(code, 0, `${brokers[i].name}: ${code}\n${brokers[i].lastLog().split("\n").slice(-20).join("\n")}`);
          assert.match(brokers[i].lastLog(), /certificate renewed: restarting to load it/);
          assert.ok(
            brokers.every((b, j) => j === i || b.running),
            `${brokers[i].name} stopped while another broker was down`,
          );
          console.log(`# ${brokers[i].name} stopped to load the renewed certificate ${Math.round((Date.now() - started) / 1000)}s after the renewal`);
          // The kubelet starts the container again.
          await brokers[i].stop();
          brokers[i] = await sandbox.startPod(brokers[i].name, brokers[i].ip, template, opts);
          const restarted = brokers[i];
          // This start's log only: the pod's log file keeps the earlier start's lines.
          await eventually(`${restarted.name} started again`, 180, async () => (/Kafka Server started/.test(restarted.lastLog()) ? true : undefined));
          assert.equal(served(brokers[i].ip), serialOf(renewed["tls.crt"]), `${brokers[i].name} serves the renewed certificate`);
        }
        fs.rmSync(admin, { recursive: true, force: true });
      });
    }

    test(`npm run health runs Kafka's own tools in a broker: brokers, quorum, partitions and a group's lag${config.brokers > 1 ? ", then a broker short" : ""}`, async () => {
      const api = await ApiServer.open(`kafka-${stack}`, plan);
      let lastOutput = "";
      const exec = async (pod: string, _container: string, command: string[]) => {
        const run = await [...brokers, ...controllers].find((p) => p.name === pod)!.run(command, 120);
        lastOutput = run.output;
        return run;
      };
      try {
        await api.register("kafka-broker", brokers);
        // A group 3 records behind on a one-partition topic.
        await kafka(
          "kafka-topics",
          "--bootstrap-server",
          bootstrap,
          "--create",
          "--topic",
          "health-lag",
          "--partitions",
          "1",
          "--replication-factor",
          String(brokers.length),
        );
        const produced = await brokers[0].run(
          [
            "/bin/bash",
            "-c",
            `export KAFKA_HEAP_OPTS=-Xmx256m; unset KAFKA_LOG4J_OPTS; seq 1 5 | /opt/kafka/bin/kafka-console-producer.sh ${tls ? `--bootstrap-server localhost:9091 --producer.config ${TOOL_CONFIG}` : "--bootstrap-server localhost:9092"} --topic health-lag`,
          ],
          120,
        );
        assert.equal(produced.code, 0, produced.output);
        await kafka(
          "kafka-consumer-groups",
          "--bootstrap-server",
          bootstrap,
          "--group",
          "health-check",
          "--topic",
          "health-lag",
          "--reset-offsets",
          "--to-offset",
          "2",
          "--execute",
        );
        let last: unknown;
        const report = await eventually("a healthy Kafka", 60, async () => {
          const r = await api.ask("kafka", exec);
          last = r;
          return r.state === "healthy" ? r : undefined;
        }).catch((e) => {
          throw new Error(`${(e as Error).message}; last: ${JSON.stringify(last)}`);
        });
        const n = brokers.length;
        assert.equal(report.facts[0], `${n}/${n} brokers registered`);
        assert.match(report.facts[1], new RegExp(`^controller quorum: leader \\d+ of ${controllers.length} voters$`));
        assert.equal(report.facts[2], "0 under-replicated, 0 unavailable partitions");
        assert.match(report.facts[3], /^consumer lag: (.*, )?health-check 3(,|$)/);
        console.log(`# kafka health: ${JSON.stringify(report)}\n# what the broker's tools said:\n${lastOutput.replace(/^/gm, "#   ")}`);
        if (n === 1) return;
        // The last broker stops: its partitions' followers leave the ISRs.
        await brokers[n - 1].stop();
        const short = await eventually("Kafka one broker short", 120, async () => {
          const r = await api.ask("kafka", exec);
          return r.state !== "healthy" && /under-replicated partitions/.test(r.problems.join()) ? r : undefined;
        });
        assert.equal(short.state, "degraded", JSON.stringify(short));
        assert.equal(short.problems[0], `${n - 1} of ${n} brokers registered`);
        assert.match(short.problems[1], /^\d+ under-replicated partitions$/);
        console.log(`# kafka health, a broker stopped: ${JSON.stringify(short)}`);
      } finally {
        await api.close();
      }
    });
  });
}
