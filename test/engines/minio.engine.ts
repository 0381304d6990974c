/**
 * MinIO as the program renders it: the server from the planned StatefulSet, then the planned setup
 * Job (the bucket, one user and policy per client) run with the real mc against it. What the server
 * then allows each client's user is asked over S3, with the user's own keys. prod runs TLS: a pool of
 * servers speaking HTTPS between themselves, and a JVM client (the metastore's pod, its trust store
 * written by its planned init container) reading and writing the lake through Hadoop's S3A.
 *
 * MinIO publishes RELEASE.* tags the Go module proxy does not serve: the server and mc are built
 * from the newest commits the proxy resolves (tools/engines/minio/build.sh).
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import * as tls from "node:tls";
import { DATA_LAKE_BUCKET } from "../../components/minio/config";
import { accessKeyOf, LAKE_CLIENTS, LAKE_USER_CREDENTIALS } from "../../components/minio/users";
import type { LakeClient } from "../../components/kit/contracts";
import { engineFiles, planned, planOf, type Pod, ROOT, Sandbox, samples, type StartOptions } from "./harness";
import { METRICS_PATH, MINIO_METRICS } from "../../components/minio/metrics";
import * as http from "node:http";
import * as https from "node:https";
import { TestCa } from "./tls";
import { ApiServer } from "./api-server";
import { eventually } from "../eventually";

const STACKS = (process.env.DP_ENGINE_STACKS ?? "dev,prod").split(",").filter((s) => s === "dev" || s === "prod");
const BIN = "/opt/minio/bin";
const ROOT_CREDENTIALS = { "root-user": "engine-test-root", "root-password": "engine-test-root-password-0123" };
const secretKeyOf = (client: LakeClient, round = 1) => `engine-test-${client}-secret-${round}`;
const users = (round = 1) =>
  Object.fromEntries(
    (Object.keys(LAKE_CLIENTS) as LakeClient[]).flatMap((c) => [
      [`${c}-access-key`, accessKeyOf(c)],
      [`${c}-secret-key`, secretKeyOf(c, round)],
    ]),
  );

function minioBin(): string {
  return path.join(
    execFileSync("bash", [path.join(ROOT, "tools", "engines", "minio", "build.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim(),
    "bin",
  );
}

for (const stack of STACKS) {
  describe(`MinIO runs stack ${stack}'s rendered server and setup Job; each client's user reaches only its prefixes`, () => {
    const plan = planOf(stack);
    const sts = planned(plan, "StatefulSet", "minio");
    const namespace: string = sts.metadata.namespace;
    const secure = sts.spec.template.spec.volumes.some((v: any) => v.secret?.secretName === "minio-tls");
    const service = `minio.${namespace}.svc.cluster.local`;
    const ca = secure ? new TestCa("engine-test-platform-ca") : undefined;
    /** A certificate as cert-manager would issue the planned one: its names, from the platform CA. */
    const issue = () => ca!.issue("minio", planned(plan, "Certificate", "minio-tls").spec.dnsNames);
    let servers: Pod[] = [];
    const job = plan.find((r) => r.type.endsWith(":Job") && r.inputs.metadata.name.startsWith("minio-buckets-"))!.inputs;
    let sandbox: Sandbox;
    let server: Pod;
    let bin: string;
    let opts: StartOptions;
    let jobOpts: StartOptions;
    const config = fs.mkdtempSync(path.join(os.tmpdir(), "dp-mc-"));

    /**
     * mc on this machine as a client's user: keys in MC_HOST_<alias>, as any S3 client would present
     * them. TLS: by the Service's name (resolved to the server), trusting `caFile` alone.
     */
    const mcAs = (access: string, secret: string, args: string[], caFile = path.join(config, "ca.crt")) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const env = {
          ...process.env,
          MC_CONFIG_DIR: config,
          MC_HOST_as: secure ? `https://${access}:${secret}@${service}:9000` : `http://${access}:${secret}@${server.ip}:9000`,
          ...(secure ? { SSL_CERT_FILE: caFile, MC_RESOLVE: `${service}:9000=${server.ip}` } : {}),
        };
        execFile(path.join(bin, "mc"), ["--no-color", ...args], { env }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
        );
      });
    /** Which secret keys the users have now: the rotation test moves them to the second round. */
    let current = 1;
    const put = (client: LakeClient, key: string, round = current) => {
      const file = path.join(config, "object");
      fs.writeFileSync(file, `${client} wrote ${key}\n`);
      return mcAs(accessKeyOf(client), secretKeyOf(client, round), ["cp", file, `as/${DATA_LAKE_BUCKET}/${key}`]);
    };
    const get = (client: LakeClient, key: string) => mcAs(accessKeyOf(client), secretKeyOf(client, current), ["cat", `as/${DATA_LAKE_BUCKET}/${key}`]);

    before(async () => {
      bin = minioBin();
      sandbox = new Sandbox(`minio-${stack}`, plan, namespace);
      opts = {
        image: [`${bin}:${BIN}:ro`],
        path: `${BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        secrets: { "minio-credentials": ROOT_CREDENTIALS, [LAKE_USER_CREDENTIALS.secret]: users(), ...(secure ? { "minio-tls": issue() } : {}) },
      };
      if (ca) fs.writeFileSync(path.join(config, "ca.crt"), ca.cert);
      servers = await sandbox.startStatefulSet("minio", opts);
      server = servers[0];
      // A distributed pool is ready once its servers have formed it (each answers ready only then).
      await Promise.all(servers.map((s) => s.waitReady(180)));
      // The setup Job runs with what the mc image has on its PATH: mc, a shell and coreutils (no sed,
      // no grep), so a script that needs more fails here as it would in the cluster.
      const coreutils = path.join(config, "image-bin");
      fs.mkdirSync(coreutils);
      for (const tool of ["cat", "mkdir", "sleep", "ls", "rm", "cp", "mv", "head", "tail", "tr", "cut", "env", "id", "touch", "chmod", "getent"]) {
        fs.symlinkSync(execFileSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(), path.join(coreutils, tool));
      }
      jobOpts = { ...opts, image: [...opts.image, `${coreutils}:/opt/image-bin:ro`], path: `${BIN}:/opt/image-bin` };
    });
    after(async () => {
      await sandbox?.stopAll();
      fs.rmSync(config, { recursive: true, force: true });
      ca?.remove();
    });

    test("the setup Job makes the bucket and every client's user, and runs again without harm", async () => {
      for (const round of [1, 2]) {
        const result = await sandbox.runJob(job, jobOpts);
        assert.equal(result.code, 0, `run ${round}:\n${result.log.split("\n").slice(-30).join("\n")}`);
      }
      const listed = await mcAs(ROOT_CREDENTIALS["root-user"], ROOT_CREDENTIALS["root-password"], ["admin", "user", "list", "as", "--json"]);
      const found = listed.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { accessKey: string; policyName?: string; userStatus: string });
      assert.deepEqual(
        found.map((u) => [u.accessKey, u.policyName, u.userStatus]).sort(),
        (Object.keys(LAKE_CLIENTS) as LakeClient[]).map((c) => [accessKeyOf(c), `lake-${c}`, "enabled"]).sort(),
      );
    });

    test("each table client reads and writes the warehouse, and is refused Airflow's logs, the bucket's root and admin calls", async () => {
      const tableClients: LakeClient[] = ["trino", "spark", "yarn", "impala", "metastore"];
      for (const client of tableClients) assert.equal((await put(client, `warehouse/${client}/part-0`)).code, 0, client);
      // They share the tables: each reads what another wrote.
      for (const client of tableClients) assert.match((await get(client, "warehouse/spark/part-0")).out, /spark wrote/, client);
      assert.equal((await put("airflow-logs", "airflow-logs/dag/run/1.log")).code, 0);
      const refusals = [
        await put("trino", "airflow-logs/forged.log"),
        await get("trino", "airflow-logs/dag/run/1.log"),
        await put("trino", "outside/anything"),
        await mcAs(accessKeyOf("trino"), secretKeyOf("trino"), ["ls", `as/${DATA_LAKE_BUCKET}/`]),
        await mcAs(accessKeyOf("trino"), secretKeyOf("trino"), ["mb", "as/another-bucket"]),
        await mcAs(accessKeyOf("trino"), secretKeyOf("trino"), ["admin", "user", "list", "as"]),
        await get("airflow-logs", "warehouse/spark/part-0"),
      ];
      for (const r of refusals) {
        assert.notEqual(r.code, 0, r.out);
        assert.match(r.out, /Access Denied|AccessDenied|Insufficient permissions|not allowed/i);
      }
      console.log(`# minio: ${refusals.length} calls outside a user's prefixes refused, e.g. "${refusals[0].out.trim().split("\n").pop()}"`);
    });

    test("metrics: every server answers Prometheus, with no token, for the whole pool: the names the alerts read, every server and drive online", async () => {
      const get = (ip: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const url = `${secure ? "https" : "http"}://${ip}:9000${METRICS_PATH}`;
          const req = (secure ? https : http).get(url, secure ? { ca: ca!.cert, servername: service } : {}, (res) => {
            let body = "";
            res.on("data", (d) => {
              body += d;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on("error", reject);
        });
      const drives = servers.length * sts.spec.volumeClaimTemplates.length;
      for (const s of servers) {
        const { status, body } = await get(s.ip);
        assert.equal(status, 200, `${s.name}: ${body.slice(0, 200)}`);
        for (const name of Object.values(MINIO_METRICS)) assert.ok(samples(body, name).length, `${s.name}: ${name}`);
        const value = (name: string) => samples(body, name).reduce((n, x) => n + x.value, 0);
        assert.deepEqual(
          [value(MINIO_METRICS.nodesOnline), value(MINIO_METRICS.nodesOffline), value(MINIO_METRICS.drivesOnline), value(MINIO_METRICS.drivesOffline)],
          [servers.length, 0, drives, 0],
          s.name,
        );
        assert.ok(value(MINIO_METRICS.usableFree) > 0 && value(MINIO_METRICS.usableFree) <= value(MINIO_METRICS.usableTotal), s.name);
        assert.ok(value(MINIO_METRICS.requests) > 0, `${s.name}: the clients' requests above`);
        // Per server: the dashboard counts each (api, server) series once, whichever pod answered.
        assert.ok(
          samples(body, MINIO_METRICS.requests).every((x) => /server="[^"]+"/.test(x.labels)),
          `${s.name}: ${MINIO_METRICS.requests} by server`,
        );
      }
    });

    test("a wrong secret key is refused; a new one takes effect when the setup Job runs again", async () => {
      assert.match((await put("trino", "warehouse/t/x", 2)).out, /Access Denied|SignatureDoesNotMatch|InvalidAccessKeyId|does not match/i);
      sandbox.updateSecret(LAKE_USER_CREDENTIALS.secret, users(2));
      const result = await sandbox.runJob(job, { ...jobOpts, secrets: { ...opts.secrets, [LAKE_USER_CREDENTIALS.secret]: users(2) } });
      assert.equal(result.code, 0, result.log);
      assert.equal((await put("trino", "warehouse/t/x", 2)).code, 0);
      assert.notEqual((await put("trino", "warehouse/t/y", 1)).code, 0, "the old key is refused");
      current = 2;
      opts.secrets![LAKE_USER_CREDENTIALS.secret] = users(2);
    });

    test("npm run health asks MinIO through the API server's pod proxy (over HTTPS in tls mode): both quorums kept", async () => {
      const api = await ApiServer.open(`minio-${stack}`, plan);
      try {
        await api.register("minio", servers);
        const report = await api.ask("minio");
        assert.deepEqual(report, { engine: "minio", state: "healthy", facts: ["write quorum kept, read quorum kept"], problems: [] });
      } finally {
        await api.close();
      }
    });

    if (secure) {
      /** The certificate a TLS client is shown at `ip`, checked against `trusted` for the Service's name. */
      const handshake = (ip: string, trusted: string) =>
        new Promise<{ authorized: boolean; error?: string; serial: string; names: string }>((resolve, reject) => {
          const socket = tls.connect({ host: ip, port: 9000, servername: service, ca: trusted, rejectUnauthorized: false }, () => {
            const peer = socket.getPeerCertificate();
            resolve({
              authorized: socket.authorized,
              error: socket.authorizationError?.toString(),
              serial: peer.serialNumber,
              names: peer.subjectaltname ?? "",
            });
            socket.end();
          });
          socket.on("error", reject);
        });

      test("tls: every server shows the planned certificate, one pool forms over HTTPS, plain HTTP and another CA are refused", async () => {
        for (const s of servers) {
          const shown = await handshake(s.ip, ca!.cert);
          assert.ok(shown.authorized, `${s.name}: ${shown.error}`);
          assert.match(shown.names, new RegExp(`DNS:\\*\\.minio-headless\\.${namespace}\\.svc\\.cluster\\.local`));
        }
        const info = await mcAs(ROOT_CREDENTIALS["root-user"], ROOT_CREDENTIALS["root-password"], ["admin", "info", "as", "--json"]);
        assert.equal(info.code, 0, info.out);
        const pool = JSON.parse(info.out).info.servers as { state: string; endpoint: string }[];
        assert.deepEqual(
          pool.map((p) => p.state),
          servers.map(() => "online"),
          info.out,
        );
        const plain = await fetch(`http://${server.ip}:9000/minio/health/live`).then(
          (r) => `HTTP ${r.status}`,
          (e) => String(e),
        );
        // MinIO answers an HTTP request on its TLS port with 400 (Go's "client sent an HTTP request to an HTTPS server").
        assert.equal(plain, "HTTP 400");
        const stranger = new TestCa("engine-test-other-ca");
        try {
          fs.writeFileSync(path.join(config, "other-ca.crt"), stranger.cert);
          const refused = await mcAs(
            accessKeyOf("trino"),
            secretKeyOf("trino", current),
            ["ls", `as/${DATA_LAKE_BUCKET}/warehouse/`],
            path.join(config, "other-ca.crt"),
          );
          assert.notEqual(refused.code, 0);
          assert.match(refused.out, /certificate signed by unknown authority|x509/i);
        } finally {
          stranger.remove();
        }
        console.log(`# minio tls: ${servers.length} servers online over HTTPS; plain HTTP: ${plain}`);
      });

      test("tls: a JVM client reads and writes the lake through S3A, trusting the CA through the store its planned init container writes", async () => {
        // The metastore's planned pod: its trust-store init container as planned, its container's env
        // (HADOOP_CLIENT_OPTS, the metastore user's keys) and core-site (fs.s3a.*), running Hadoop's shell.
        const deployment = planned(plan, "Deployment", "hive-metastore");
        const template = deployment.spec.template;
        const main = template.spec.containers[0];
        const classpath = "/config:/opt/hadoop/share/hadoop/lib/*";
        const shell = (opts: string, args: string) => `java ${opts} -cp "${classpath}" org.apache.hadoop.fs.FsShell ${args}`;
        const run = (script: string) =>
          sandbox.runJob(
            {
              metadata: { name: "s3a-client" },
              spec: {
                template: {
                  ...template,
                  spec: {
                    ...template.spec,
                    initContainers: template.spec.initContainers.filter((c: any) => c.name === "trust-store"),
                    containers: [{ ...main, command: ["/bin/bash", "-c", script] }],
                  },
                },
              },
            },
            {
              ...opts,
              image: [`${path.join(engineFiles("hadoop"), "lib")}:/opt/hadoop/share/hadoop/lib:ro`],
              secrets: { ...opts.secrets, "mysql-credentials": { password: "unused-here" } },
            },
          );
        const written = await run(
          [
            "set -eu",
            "echo 'the metastore wrote this over TLS' > /tmp/object",
            shell("$HADOOP_CLIENT_OPTS", "-mkdir -p s3a://data-lake/warehouse/jvm"),
            shell("$HADOOP_CLIENT_OPTS", "-put -f /tmp/object s3a://data-lake/warehouse/jvm/object"),
            shell("$HADOOP_CLIENT_OPTS", "-cat s3a://data-lake/warehouse/jvm/object"),
          ].join("\n"),
        );
        assert.equal(written.code, 0, written.log.split("\n").slice(-40).join("\n"));
        assert.match(written.log, /the metastore wrote this over TLS/);
        assert.match((await get("spark", "warehouse/jvm/object")).out, /the metastore wrote this over TLS/);
        // The same JVM without the trust store's options: the JDK's CAs alone refuse the lake (asked
        // once: S3A would otherwise retry the handshake for minutes).
        const noRetries = "-D fs.s3a.attempts.maximum=0 -D fs.s3a.retry.limit=0";
        const untrusted = await run(["set -eu", shell("", `${noRetries} -cat s3a://data-lake/warehouse/jvm/object`)].join("\n"));
        assert.notEqual(untrusted.code, 0);
        assert.match(untrusted.log, /PKIX path building failed|unable to find valid certification path/);
      });

      test("tls: a renewed certificate is served without a restart", async () => {
        const before = (await handshake(server.ip, ca!.cert)).serial;
        const renewedAt = Date.now();
        sandbox.updateSecret("minio-tls", issue());
        const after = await eventually("MinIO to serve the renewed certificate", 120, async () => {
          const shown = await handshake(server.ip, ca!.cert);
          return shown.serial !== before && shown.authorized ? shown.serial : undefined;
        });
        console.log(`# minio tls: renewed certificate served after ${Math.round((Date.now() - renewedAt) / 1000)} s`);
        assert.notEqual(after, before);
        assert.ok(
          servers.every((s) => s.running),
          "no server restarted",
        );
        assert.equal((await put("trino", "warehouse/after-renewal")).code, 0);
      });
    }
  });
}
