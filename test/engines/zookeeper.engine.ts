/**
 * ZooKeeper as the program renders it: the StatefulSet's pods from the plan (zoo.cfg, the myid its
 * command derives from the ordinal), then what the servers say of themselves: who leads, which id
 * each took, which four-letter words they answer.
 */
import assert from "node:assert/strict";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { section } from "../../infra/config/schema";
import { loadPlatform } from "../../infra/config/stack";
import { readStackFile } from "../../tools/plan";
import { eventually } from "../eventually";
import { ApiServer } from "./api-server";
import { ZOOKEEPER_METRICS_PORT } from "../../components/zookeeper/spec";
import { ZOOKEEPER_METRICS } from "../../components/zookeeper/metrics";
import { engineFiles, planned, planOf, type Pod, ROOT, Sandbox, type StartOptions } from "./harness";

const STACKS = (process.env.DP_ENGINE_STACKS ?? "dev,prod").split(",");
const HOME = "/apache-zookeeper-3.9.4-bin";

/** A four-letter word and the server's whole answer. */
function fourLetters(ip: string, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = net.connect({ host: ip, port: 2181, timeout: 5000 }, () => socket.end(word));
    socket.on("data", (d) => {
      answer += d;
    });
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
    socket.on("timeout", () => {
      socket.destroy();
      reject(new Error(`${word} to ${ip}: no answer`));
    });
  });
}

for (const stack of STACKS) {
  describe(`ZooKeeper runs stack ${stack}'s rendered configuration`, () => {
    const plan = planOf(stack);
    const replicas = section(loadPlatform(ROOT, stack, readStackFile(stack)).config, "zookeeper").replicas;
    const sts = planned(plan, "StatefulSet", "zookeeper");
    let sandbox: Sandbox;
    let pods: Pod[] = [];

    before(async () => {
      sandbox = new Sandbox(`zookeeper-${stack}`, plan, sts.metadata.namespace);
      const files = engineFiles("zookeeper");
      const here = path.join(ROOT, "tools", "engines", "zookeeper");
      const opts: StartOptions = {
        image: [`${path.join(files, "lib")}:${HOME}/lib:ro`, `${here}/bin:${HOME}/bin:ro`, `${here}/conf/logback.xml:/conf/logback.xml:ro`],
        path: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${HOME}/bin`,
      };
      pods = await sandbox.startStatefulSet("zookeeper", opts);
      await Promise.all(pods.map((p) => p.waitReady(120)));
    });
    after(async () => {
      await sandbox?.stopAll();
    });

    test(`the StatefulSet's ${replicas} servers pass their readiness probe`, () => {
      assert.equal(pods.length, replicas);
    });

    test(replicas > 1 ? "the ensemble elected one leader, the others follow" : "the server runs standalone", async () => {
      // Ready (the admin server answers ruok) comes before the election ends: give it a minute.
      const modesNow = () => Promise.all(pods.map(async (p) => /Mode: (\w+)/.exec(await fourLetters(p.ip, "srvr"))?.[1]));
      let modes = await modesNow();
      for (let i = 0; i < 60 && modes.includes(undefined); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        modes = await modesNow();
      }
      if (replicas === 1) assert.deepEqual(modes, ["standalone"]);
      else assert.deepEqual([...modes].sort(), ["follower", ...Array(replicas - 2).fill("follower"), "leader"].sort());
    });

    test("each server took the id its ordinal gives it", async () => {
      for (const [i, p] of pods.entries()) {
        const conf = (await (await fetch(`http://${p.ip}:8080/commands/configuration`)).json()) as { server_id: number };
        assert.equal(conf.server_id, replicas === 1 ? 0 : i + 1, p.name);
      }
    });

    test("the four-letter words allowed are answered, and no other", async () => {
      const ip = pods[0].ip;
      assert.equal(await fourLetters(ip, "ruok"), "imok");
      assert.match(await fourLetters(ip, "mntr"), /^zk_version\t3\.9\.4/m);
      for (const word of ["stat", "dump", "envi", "conf", "wchp"])
        assert.match(await fourLetters(ip, word), new RegExp(`${word} is not executed because it is not in the whitelist`));
    });

    test("metrics: each server serves ZooKeeper's own /metrics with the names the alerts read", async () => {
      for (const p of pods) {
        const res = await fetch(`http://${p.ip}:${ZOOKEEPER_METRICS_PORT}/metrics`);
        assert.equal(res.status, 200, p.name);
        const names = new Set(
          (await res.text())
            .split("\n")
            .filter((l) => l && !l.startsWith("#"))
            .map((l) => l.split(/[{ ]/)[0]),
        );
        for (const name of Object.values(ZOOKEEPER_METRICS)) assert.ok(names.has(name), `${p.name}: ${name}`);
        assert.ok(names.has("jvm_memory_bytes_used"), `${p.name}: the JVM's own metrics`);
      }
    });

    test("no server logs an error or a configuration it does not know", () => {
      // Servers started together may reach a leader candidate before it listens: the election's own
      // retries (Learner, LearnerHandler) log errors and go on; any other error fails.
      const transient = /Learner\$LeaderConnector|LearnerHandler@/;
      for (const p of pods) {
        const errors = p
          .log()
          .split("\n")
          .filter((l) => / ERROR |[Uu]nknown (property|config)|Invalid config/.test(l) && !transient.test(l));
        assert.deepEqual(errors, [], p.name);
      }
    });

    test(`npm run health asks the servers through the API server's pod proxy: ${replicas > 1 ? "a full quorum, then one server short" : "standalone"}`, async () => {
      const api = await ApiServer.open(`zookeeper-${stack}`, plan);
      try {
        await api.register("zookeeper", pods);
        const full = await eventually("a healthy ensemble", 60, async () => {
          const r = await api.ask("zookeeper");
          return r.state === "healthy" ? r : undefined;
        });
        if (replicas === 1) {
          assert.deepEqual(full.facts, ["zookeeper-0: standalone"]);
          return;
        }
        assert.ok(full.facts.includes(`${replicas}/${replicas} servers in the quorum`), JSON.stringify(full));
        // A follower goes: the leader counts one synced follower fewer.
        const states = Object.fromEntries(full.facts[0].split(", ").map((f) => f.split(": ")));
        const follower = pods.find((p) => states[p.name] === "follower")!;
        await follower.stop();
        const short = await eventually("a degraded ensemble", 90, async () => {
          const r = await api.ask("zookeeper");
          return r.state === "degraded" ? r : undefined;
        });
        assert.deepEqual(short.problems, [`${replicas - 1} of ${replicas} servers in the quorum: 1 more lost stops it`]);
        assert.match(short.facts[0], new RegExp(`${follower.name}: no answer`));
        console.log(`# zookeeper health, a follower stopped: ${JSON.stringify(short)}`);
      } finally {
        await api.close();
      }
    });
  });
}
