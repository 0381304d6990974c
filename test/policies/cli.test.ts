import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { policies } from "../../policies/all";
import { main as checkMain } from "../../tools/check";
import { main as policyMain } from "../../tools/policy";
import { ROOT, runMain } from "../helpers";
import { podWith, stackAround, workload } from "./fixtures";

const MAINS = { policy: policyMain, check: checkMain };
const run = (tool: keyof typeof MAINS, ...args: string[]) => runMain(MAINS[tool], ...args);

function manifestsDir(objects: unknown[], raw?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-manifests-"));
  fs.writeFileSync(path.join(dir, "all.yaml"), raw ?? objects.map((o) => YAML.stringify(o)).join("---\n"));
  return dir;
}

const compliant = () => stackAround(workload("StatefulSet")).map((r) => r.props);

describe("npm run policy", () => {
  it("runs as a process: exit 1 on a mandatory violation, its JSON on stdout", () => {
    const bad = workload(
      "Deployment",
      podWith((p) => {
        p.hostPID = true;
      }),
    ).props;
    const r = spawnSync(
      process.execPath,
      [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "tools/policy.ts", "--manifests", manifestsDir([...compliant(), bad]), "--json"],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).violations.map((v: { policy: string }) => v.policy)).toEqual(["no-host-access"]);
  });

  it("passes compliant manifests with exit 0 and the check's JSON shape", async () => {
    const r = await run("policy", "--manifests", manifestsDir(compliant()), "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(["exemptions", "resources", "stack", "violations"]);
    expect(out.resources.map((x: any) => `${x.type} ${x.name}`)).toEqual([
      "kubernetes:apps/v1:StatefulSet demo",
      "kubernetes:policy/v1:PodDisruptionBudget demo",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy default-deny-all",
    ]);
    expect(out.violations).toEqual([]);
  });

  it("fails mandatory violations with exit 1, in the same shape", async () => {
    const bad = workload(
      "Deployment",
      podWith((p) => {
        p.hostPID = true;
      }),
    ).props;
    const r = await run("policy", "--manifests", manifestsDir([...compliant(), bad]), "--json");
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).violations).toEqual([
      { policy: "no-host-access", resource: "Deployment/demo", enforcement: "mandatory", message: "pod: hostPID is true" },
    ]);
  });

  it("uses a stack's enforcement: advisory findings alone exit 0", async () => {
    const bad = workload(
      "Deployment",
      podWith((p) => {
        p.hostPID = true;
      }),
    ).props;
    const r = await run("policy", "--manifests", manifestsDir([...compliant(), bad]), "--stack", "dev");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Advisory policy violations (1):\n  [no-host-access] Deployment/demo: pod: hostPID is true");
  });

  it("shows exemptions from a pack config file with their reason", async () => {
    const bad = workload(
      "Deployment",
      podWith((p) => {
        p.hostPID = true;
      }),
    ).props;
    const config = path.join(manifestsDir([]), "pack.json");
    fs.writeFileSync(
      config,
      JSON.stringify({ "no-host-access": { exemptions: [{ resource: "Deployment/demo", reason: "node exporter reads host processes" }] } }),
    );
    const r = await run("policy", "--manifests", manifestsDir([...compliant(), bad]), "--policy-config", config);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Exemptions in force (1):\n  [no-host-access] Deployment/demo: node exporter reads host processes");
  });

  it("names the file and document of malformed YAML, with exit 2", async () => {
    const dir = manifestsDir([], "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ok }\n---\napiVersion: v1\nkind: [broken\n");
    const r = await run("policy", "--manifests", dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/all\.yaml: document 2: not valid YAML \(line \d+\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const notK8s = await run("policy", "--manifests", manifestsDir([], "just: a map\n"));
    expect(notK8s.status).toBe(2);
    expect(notK8s.stderr).toMatch(/all\.yaml: document 1: not a Kubernetes object: missing apiVersion, kind, metadata\.name/);
  });

  it("lists every policy with its enforcement per stack", async () => {
    const r = await run("policy", "--list", "--json");
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: any) => x.policy)).toEqual(policies.map((p) => p.name));
    expect(rows.find((x: any) => x.policy === "protect-stateful")).toMatchObject({ dev: "disabled", staging: "disabled", prod: "mandatory" });
    const text = await run("policy", "--list");
    expect(text.stdout.split("\n")[0]).toMatch(/^policy\s+default\s+dev\s+staging\s+prod/);
  });
});

describe("the pack's entry", () => {
  it("starts the policy server the Pulumi engine talks to (run as its own process, never imported)", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "index.ts"], { cwd: path.join(ROOT, "policies") });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /^(\d+)\s*$/m.exec(out);
          if (m) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`pack exited with ${code}: ${out}`)));
      });
      expect(Number(port)).toBeGreaterThan(0);
    } finally {
      child.kill();
    }
  });
});

describe("npm run check with the pack", () => {
  it("fills violations and exits 1 on a mandatory one", async () => {
    const r = await run("check", "--stack", "staging", "--set", "kafka.replicationFactor=2", "--set", "kafka.minInsyncReplicas=1", "--json");
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).violations).toEqual(
      expect.arrayContaining([
        {
          policy: "kafka-replication",
          resource: "ConfigMap/kafka-broker",
          enforcement: "mandatory",
          message: "ConfigMap kafka-broker server.properties: min.insync.replicas 1 is below 2",
        },
      ]),
    );
  });
});
