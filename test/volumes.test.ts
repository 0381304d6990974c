/** The DR volume inventory command: what it refuses before it touches a cluster, and an unreachable cluster. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { INVENTORY_KIND } from "../infra/backup/volumes";
import { EXIT, main } from "../tools/volumes";
import { unreachableStackDir } from "./helpers";

const ROOT = path.resolve(__dirname, "..");

/** The tool as `npm run volumes` runs it (ts-node in Node itself, which loads the client's ES modules). */
const volumesCli = (args: string[]) =>
  spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "tools/volumes.ts", ...args], { cwd: ROOT, encoding: "utf8" });

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("npm run volumes", () => {
  // A stack file like a user's, pointing at a cluster nobody listens on.
  const { dir, stackFile } = unreachableStackDir("dp-volumes-", "dev");
  const inventory = (body: object) => {
    const file = path.join(dir, `inv-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(body));
    return file;
  };
  const valid = { kind: INVENTORY_KIND, stack: "dev", namespace: "data-platform", exportedAt: "2026-12-02T00:00:00Z", volumes: [] };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("refuses a missing command, stack or file, with the usage", async () => {
    expect(await run(["--stack", "dev"])).toMatchObject({
      code: EXIT.invalid,
      err: expect.stringMatching(/^the command must be export or restore, not nothing\nusage:/),
    });
    expect(await run(["export"])).toMatchObject({ code: EXIT.invalid, err: expect.stringMatching(/^--stack is required/) });
    expect(await run(["restore", "--stack", "dev"])).toMatchObject({ code: EXIT.invalid, err: expect.stringMatching(/^restore needs the inventory file/) });
    expect(await run(["export", "--stack", "dev", "--bogus"])).toMatchObject({ code: EXIT.invalid, err: expect.stringMatching(/--bogus/) });
    expect(await run(["export", "--stack", "nope"])).toMatchObject({
      code: EXIT.invalid,
      err: expect.stringMatching(/^--stack nope: no file Pulumi\.nope\.yaml; allowed: .*dev/),
    });
  });

  it("refuses an inventory that is not one, naming the file and the field", async () => {
    const notJson = inventory({});
    fs.writeFileSync(notJson, "{ not json");
    expect((await run(["restore", "--stack", "dev", "--dir", dir, notJson])).err).toMatch(new RegExp(`^${notJson}: cannot read the volume inventory: `));
    const wrong = inventory({ ...valid, kind: "other", volumes: [{ claim: "" }] });
    const r = await run(["restore", "--stack", "dev", "--dir", dir, wrong]);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err.split("\n")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${wrong}: kind: .*; expected the output of npm run volumes -- export$`)),
        expect.stringMatching(new RegExp(`^${wrong}: volumes\\.0\\.claim: `)),
      ]),
    );
  });

  it("refuses an inventory of another namespace than the stack's", async () => {
    const other = inventory({ ...valid, namespace: "elsewhere" });
    expect(await run(["restore", "--stack", "dev", "--dir", dir, other])).toEqual({
      code: EXIT.invalid,
      out: "",
      err: `${other}: namespace elsewhere is not stack dev's namespace data-platform (Pulumi.dev.yaml: dataplatform:namespace)`,
    });
  });

  it("says in one line that the cluster cannot be reached", () => {
    // As a user runs it: the Kubernetes client is an ES module, which only Node 22 itself loads.
    const r = volumesCli(["export", "--stack", "dev", "--dir", dir, "--out", path.join(dir, "out.json")]);
    expect(r.status).toBe(EXIT.unreachable);
    expect(r.stderr.trim()).toMatch(/^cannot reach the cluster at https:\/\/127\.0\.0\.1:9: [^\n]+$/);
    expect(fs.existsSync(path.join(dir, "out.json"))).toBe(false);
  });

  it("names the stack setting when its kubeconfig or context cannot be used", () => {
    const other = fs.mkdtempSync(path.join(dir, "stack-"));
    const withSetting = (key: string, value: string) => {
      fs.writeFileSync(path.join(other, "Pulumi.dev.yaml"), YAML.stringify({ config: { ...stackFile.config, [`dataplatform:${key}`]: value } }));
      return volumesCli(["export", "--stack", "dev", "--dir", other]);
    };
    const missing = withSetting("kubeconfig", path.join(other, "absent"));
    expect([missing.status, missing.stderr.trim()]).toEqual([
      EXIT.invalid,
      expect.stringMatching(/^Pulumi\.dev\.yaml: dataplatform:kubeconfig: cannot load \S+absent: ENOENT/),
    ]);
    const context = withSetting("context", "nope");
    expect([context.status, context.stderr.trim()]).toEqual([
      EXIT.invalid,
      "Pulumi.dev.yaml: dataplatform:context: nope is not in the kubeconfig; allowed: nowhere",
    ]);
  });
});
