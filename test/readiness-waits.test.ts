/** The end-to-end tests skip readiness waits (their cluster has no kubelet); a real stack never does. */
import * as fs from "node:fs";
import * as path from "node:path";
import { STACKS, stackPlan } from "./support/stack-plans";

const ROOT = path.resolve(__dirname, "..");

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourcesUnder(full);
    return /\.(ts|js|ya?ml|tpl)$/.test(e.name) ? [full] : [];
  });
}

describe("readiness waits in real stacks", () => {
  it.each(STACKS)("stack %s plans no object that skips its readiness wait", async (stack) => {
    const plan = await stackPlan(stack);
    const skipping = plan.resources.filter((r) => r.inputs.skipAwait === true || r.inputs.metadata?.annotations?.["pulumi.com/skipAwait"] !== undefined);
    expect(plan.resources.length).toBeGreaterThan(100);
    expect(skipping.map((r) => `${r.type} ${r.name}`)).toEqual([]);
  });

  it("no program, environment or tool source mentions skipping them, except the policy that forbids it", () => {
    const dirs = ["infra", "components", "charts", "environments", "policies", "tools"].map((d) => path.join(ROOT, d)).filter(fs.existsSync);
    const files = [
      ...dirs.flatMap(sourcesUnder),
      ...fs
        .readdirSync(ROOT)
        .filter((f) => /^Pulumi\..*yaml$/.test(f))
        .map((f) => path.join(ROOT, f)),
    ];
    const mentions = files.filter((f) => /skipAwait/i.test(fs.readFileSync(f, "utf8"))).map((f) => path.relative(ROOT, f));
    expect(files.length).toBeGreaterThan(50);
    expect(mentions).toEqual(["policies/all.ts", "policies/rules/no-skip-await.ts"]);
  });
});
