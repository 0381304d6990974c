import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { stacksWithConfig } from "../policies/harness";
import { ROOT } from "./helpers";

describe("pull-request workflow", () => {
  const wf = YAML.parse(fs.readFileSync(path.join(ROOT, ".github/workflows/pull-request.yml"), "utf8"));
  const commands = (job: string) => wf.jobs[job].steps.map((s: any) => s.run ?? "").join("\n");
  const stacks = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter(Boolean)
    .sort();

  it("runs on pull requests: tests, the offline check and the policy preview for every stack", () => {
    expect(Object.keys(wf.on)).toContain("pull_request");
    expect(commands("test")).toMatch(/npm ci --prefix policies[\s\S]*npm test/);
    expect(commands("check")).toContain("npm run check -- --stack ${{ matrix.stack }}");
    expect(commands("preview")).toContain("--policy-pack policies --policy-pack-config policies/config/${{ matrix.stack }}.json");
    for (const job of ["check", "preview"]) expect([...wf.jobs[job].strategy.matrix.stack].sort()).toEqual(stacks);
  });

  it("every stack has a policy config", () => {
    expect([...stacksWithConfig()].sort()).toEqual(stacks);
  });
});
