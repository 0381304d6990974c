import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { policies } from "../../policies/all";
import { formatViolations, loadPackConfig, loadPackConfigFile, PolicyInputError, runPolicies, stacksWithConfig } from "../../policies/harness";
import { planStack } from "../../tools/plan";
import { ROOT } from "../helpers";
import { podWith, stackAround, workload } from "./fixtures";
import { STACKS, stackPlan } from "../support/stack-plans";

const privileged = () =>
  workload(
    "StatefulSet",
    podWith((p) => {
      p.containers[0].securityContext.privileged = true;
    }),
  );

function writeConfig(config: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dp-pack-")), "pack.json");
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

describe("enforcement per stack", () => {
  it("has a config for every stack, naming every policy and nothing else", () => {
    expect(stacksWithConfig()).toEqual(["dev", "staging", "prod"]);
    for (const stack of stacksWithConfig()) {
      const config = loadPackConfig(stack);
      expect(Object.keys(config).sort()).toEqual(policies.map((p) => p.name).sort());
    }
  });

  it("runs most checks as advisory in dev and makes them mandatory in prod", async () => {
    const [dev, prod] = await Promise.all([
      runPolicies("dev", stackAround(privileged()), loadPackConfig("dev")),
      runPolicies("prod", stackAround(privileged()), loadPackConfig("prod")),
    ]);
    expect(dev.violations.find((v) => v.policy === "no-privileged-containers")?.enforcement).toBe("advisory");
    expect(prod.violations.find((v) => v.policy === "no-privileged-containers")?.enforcement).toBe("mandatory");
    const devMandatory = Object.entries(loadPackConfig("dev"))
      .filter(([, c]) => typeof c === "object" && c.enforcementLevel === "mandatory")
      .map(([n]) => n);
    // Credentials are guarded in every tier: dev leaks them as well as prod.
    expect(devMandatory.sort()).toEqual(["credentials-in-arguments", "no-default-credentials", "no-literal-secrets-in-env", "object-store-root-credentials"]);
  });

  it("skips disabled policies", async () => {
    const unprotected = { ...workload("StatefulSet"), opts: { protect: false } };
    expect((await runPolicies("dev", [unprotected], loadPackConfig("dev"))).violations.filter((v) => v.policy === "protect-stateful")).toEqual([]);
    expect((await runPolicies("prod", [unprotected], loadPackConfig("prod"))).violations.filter((v) => v.policy === "protect-stateful")).toHaveLength(1);
  });
});

describe("exemptions", () => {
  it("excuses one object from one policy and shows the reason", async () => {
    const config = {
      "no-privileged-containers": {
        enforcementLevel: "mandatory",
        exemptions: [{ resource: "StatefulSet/demo", reason: "needs raw device access for the benchmark" }],
      },
    };
    const run = await runPolicies("prod", stackAround(privileged()), loadPackConfigFile(writeConfig(config)));
    expect(run.violations.filter((v) => v.policy === "no-privileged-containers")).toEqual([]);
    expect(run.exemptions).toEqual([{ policy: "no-privileged-containers", resource: "StatefulSet/demo", reason: "needs raw device access for the benchmark" }]);
    expect(formatViolations(run)).toContain("[no-privileged-containers] StatefulSet/demo: needs raw device access for the benchmark");
    const other = await runPolicies("prod", stackAround(privileged()), undefined);
    expect(other.violations.filter((v) => v.policy === "no-privileged-containers")).toHaveLength(1);
  });

  it("matches objects by kind and their own name, as a chart's objects are named in a real preview", async () => {
    const chartObject = { ...privileged(), name: "trino:data-platform/demo" };
    const config = { "no-privileged-containers": { exemptions: [{ resource: "StatefulSet/demo", reason: "needs raw device access for the benchmark" }] } };
    const run = await runPolicies("prod", [chartObject], loadPackConfigFile(writeConfig(config)));
    expect(run.violations.filter((v) => v.policy === "no-privileged-containers")).toEqual([]);
    expect(run.exemptions.map((e) => e.resource)).toContain("StatefulSet/demo");
  });

  it("excuses objects from stack policies too", async () => {
    const config = { "pdb-required": { exemptions: [{ resource: "Deployment/demo", reason: "stateless and restarts in seconds" }] } };
    const run = await runPolicies("prod", [workload("Deployment")], loadPackConfigFile(writeConfig(config)));
    expect(run.violations.filter((v) => v.policy === "pdb-required")).toEqual([]);
  });
});

describe("pack config validation", () => {
  const problems = (config: unknown) => {
    try {
      loadPackConfigFile(writeConfig(config));
    } catch (e) {
      if (e instanceof PolicyInputError) return e.message;
      throw e;
    }
    throw new Error("accepted");
  };
  it("names the file and the setting", () => {
    expect(problems({ "no-privileged": {} })).toMatch(/pack\.json: no-privileged: no such policy/);
    expect(problems({ "pinned-images": { allowedRegistry: [] } })).toMatch(
      /pinned-images\.allowedRegistry: unknown setting; allowed: enforcementLevel, exemptions, allowedRegistries/,
    );
    expect(problems({ "pinned-images": { enforcementLevel: "strict" } })).toMatch(
      /pinned-images\.enforcementLevel: "strict"; allowed: advisory, mandatory, remediate, disabled/,
    );
    expect(problems({ "pinned-images": { exemptions: [{ resource: "Pod/x", reason: "" }] } })).toMatch(
      /pinned-images\.exemptions\.0\.reason: must NOT have fewer than 10 characters/,
    );
    expect(problems({ "kafka-replication": { minReplicationFactor: "three" } })).toMatch(/kafka-replication\.minReplicationFactor: must be integer/);
    expect(problems({ all: "strict" })).toMatch(/all: "strict"; allowed: advisory, mandatory, remediate, disabled/);
  });

  it('accepts the engine\'s shorthands: a bare level per policy, and "all"', async () => {
    const config = loadPackConfigFile(writeConfig({ all: "advisory", "no-privileged-containers": "mandatory", "pdb-required": "disabled" }));
    const run = await runPolicies("prod", [privileged(), workload("Deployment")], config);
    expect(run.violations.find((v) => v.policy === "no-privileged-containers")?.enforcement).toBe("mandatory");
    expect(run.violations.filter((v) => v.policy === "pdb-required")).toEqual([]);
    const advisory = await runPolicies(
      "prod",
      [
        workload(
          "Deployment",
          podWith((p) => {
            delete p.containers[0].readinessProbe;
          }),
        ),
      ],
      config,
    );
    expect(advisory.violations.find((v) => v.policy === "probes-set")?.enforcement).toBe("advisory");
  });

  it("treats remediate as mandatory, since no policy of the pack remediates", async () => {
    const run = await runPolicies("prod", [privileged()], loadPackConfigFile(writeConfig({ "no-privileged-containers": "remediate" })));
    expect(run.violations.find((v) => v.policy === "no-privileged-containers")?.enforcement).toBe("mandatory");
  });
});

describe("the whole platform through the pack", () => {
  it.each(STACKS)("%s has no mandatory violation", async (stack) => {
    const plan = await stackPlan(stack);
    const run = await runPolicies(
      stack,
      plan.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs, opts: r.options })),
      loadPackConfig(stack),
    );
    expect(run.violations.filter((v) => v.enforcement === "mandatory")).toEqual([]);
    if (stack === "prod") {
      // Not even an advisory finding in prod.
      expect(run.violations).toEqual([]);
    }
  });

  it("sees real problems in the planned program", async () => {
    const plan = await planStack({
      stack: "staging",
      sets: ["kafka.replicationFactor=2", "kafka.minInsyncReplicas=1", "kafka.image=docker.io/bitnami/kafka:3.9.0"],
    });
    const run = await runPolicies(
      "staging",
      plan.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs, opts: r.options })),
      loadPackConfig("staging"),
    );
    expect(run.violations).toEqual(
      expect.arrayContaining([
        {
          policy: "kafka-replication",
          resource: "ConfigMap/kafka-broker",
          enforcement: "mandatory",
          message: "ConfigMap kafka-broker server.properties: default.replication.factor 2 is below 3",
        },
        expect.objectContaining({ policy: "no-unmaintained-images", resource: "StatefulSet/kafka-broker", enforcement: "advisory" }),
      ]),
    );
  });
});

describe("the pack's entry", () => {
  it("is imported by no test or tool (constructing the pack starts a server)", () => {
    const offenders: string[] = [];
    const scan = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory() && e.name !== "node_modules") scan(p);
        else if (e.name.endsWith(".ts") && /from ["'](\.\.\/)+policies(\/index)?["']|policies\/index["']/.test(fs.readFileSync(p, "utf8"))) offenders.push(p);
      }
    };
    for (const d of ["test", "tools", "infra"]) scan(path.join(ROOT, d));
    expect(offenders).toEqual([]);
  });

  it("every policy is exercised by a policy test", () => {
    const tests = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith(".test.ts") && f !== "harness.test.ts")
      .map((f) => fs.readFileSync(path.join(__dirname, f), "utf8"))
      .join("\n");
    const untested = policies.map((p) => p.name).filter((name) => !tests.includes(`"${name}"`));
    expect(untested).toEqual([]);
  });
});
