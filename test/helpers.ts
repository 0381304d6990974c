import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cloneDeep, set } from "lodash";
import * as YAML from "yaml";
import { ConfigError } from "../infra/config/load";
import type { Plan, PlannedResource } from "../tools/plan";

export const ROOT = path.resolve(__dirname, "..");

export function readEnvironment(name: string): Record<string, any> {
  return YAML.parse(fs.readFileSync(path.join(ROOT, "environments", `${name}.yaml`), "utf8"));
}

/** Writes a copy of an environment with changes at the given paths; returns its path. */
export function environmentWith(base: string, changes: Record<string, unknown>, raw?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-env-"));
  const file = path.join(dir, `${base}-variant.yaml`);
  if (raw !== undefined) {
    fs.writeFileSync(file, raw);
    return file;
  }
  const env = cloneDeep(readEnvironment(base));
  for (const [p, v] of Object.entries(changes)) set(env, p, v);
  fs.writeFileSync(file, YAML.stringify(env));
  return file;
}

/** The problems a config error reports, or fails the test when no ConfigError is thrown. */
export function configProblems(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError, but the config was accepted");
}

export async function configProblemsAsync(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError, but the config was accepted");
}

export function kindOf(r: PlannedResource): string {
  return r.type.split(":").pop()!;
}

export function find(plan: Plan, kind: string, name: string): PlannedResource {
  const found = plan.resources.find((r) => kindOf(r) === kind && r.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in plan: ${plan.resources.map((r) => `${kindOf(r)}/${r.name}`).join(", ")}`);
  return found;
}

export function all(plan: Plan, kind: string): PlannedResource[] {
  return plan.resources.filter((r) => kindOf(r) === kind);
}

/** A command-line tool's `main` run in this process: its exit code and what it printed, line by line. */
export async function runMain(main: (argv: string[], out: (l: string) => void, err: (l: string) => void) => Promise<number>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  const text = (lines: string[]) => lines.map((l) => `${l}\n`).join("");
  return { status, stdout: text(out), stderr: text(err) };
}

/**
 * A directory holding the repository's Pulumi.<stack>.yaml, pointed at a cluster nobody listens on
 * (https://127.0.0.1:9): a user's stack file whose cluster cannot be reached. Returns the directory
 * and the parsed stack file.
 */
export function unreachableStackDir(prefix: string, stack: string): { dir: string; stackFile: Record<string, any> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.writeFileSync(
    kubeconfig,
    YAML.stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "nowhere",
      clusters: [{ name: "nowhere", cluster: { server: "https://127.0.0.1:9" } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "nowhere", context: { cluster: "nowhere", user: "u" } }],
    }),
  );
  const stackFile = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  stackFile.config["dataplatform:kubeconfig"] = kubeconfig;
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify(stackFile));
  return { dir, stackFile };
}
