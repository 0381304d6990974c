/**
 * npm run policy -- --manifests <file-or-dir> [--manifests ...] [--stack <stack>] [--json]
 * npm run policy -- --list [--json]
 * Runs the policy pack over plain Kubernetes YAML (for example `helm template` output).
 * Without --stack, every policy runs at its production level; --policy-config FILE uses another
 * pack config (the format of `pulumi preview --policy-pack-config`). Exit codes as `npm run check`.
 */
import { parseArgs } from "node:util";
import {
  enforcementOf,
  formatViolations,
  hasMandatory,
  loadPackConfig,
  loadPackConfigFile,
  PolicyInputError,
  runPolicies,
  stacksWithConfig,
} from "../policies/harness";
import { policies } from "../policies/all";
import { readManifests } from "../policies/manifests";
import { EXIT } from "./check";
import { parseOrUsage, runAsCli } from "./cli";

const USAGE = "usage: npm run policy -- --manifests <file-or-dir> [--stack <stack> | --policy-config FILE] [--json] | --list [--json]";

function list(json: boolean, out: (line: string) => void): void {
  const stacks = stacksWithConfig();
  const rows = policies.map((p) => ({
    policy: p.name,
    default: enforcementOf(p, undefined),
    ...Object.fromEntries(stacks.map((s) => [s, enforcementOf(p, loadPackConfig(s))])),
    description: p.description,
  }));
  if (json) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  const width = Math.max(...policies.map((p) => p.name.length));
  out(`${"policy".padEnd(width)}  ${["default", ...stacks].map((s) => s.padEnd(10)).join("")}`);
  for (const r of rows) {
    out(`${r.policy.padEnd(width)}  ${["default", ...stacks].map((s) => String((r as any)[s]).padEnd(10)).join("")}`);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      manifests: { type: "string", multiple: true },
      stack: { type: "string" },
      "policy-config": { type: "string" },
      json: { type: "boolean", default: false },
      list: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

/** The CLI: returns its exit code; `out` and `err` take whole lines (the console by default). */
export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const values = parseOrUsage(parse, argv, USAGE, err);
  if (!values) return EXIT.invalid;
  try {
    if (values.list) {
      list(values.json ?? false, out);
      return EXIT.ok;
    }
    if (!values.manifests?.length) {
      err(`--manifests or --list is required\n${USAGE}`);
      return EXIT.invalid;
    }
    const inputs = readManifests(values.manifests);
    const stack = values.stack ?? "manifests";
    const configFile = values["policy-config"];
    const config = configFile ? loadPackConfigFile(configFile) : values.stack ? loadPackConfig(values.stack) : undefined;
    const run = await runPolicies(stack, inputs, config);
    if (values.json) {
      const resources = inputs.map((r) => ({ type: r.type, name: r.name, inputs: r.props }));
      out(JSON.stringify({ stack: values.stack ?? null, resources, violations: run.violations, exemptions: run.exemptions }, null, 2));
    } else {
      const levels = configFile ? `with ${configFile}` : values.stack ? `with the ${values.stack} policy config` : "at production levels";
      out(`${inputs.length} objects checked ${levels}.`);
      out(formatViolations(run) || "No policy violations.");
    }
    return hasMandatory(run) ? EXIT.violations : EXIT.ok;
  } catch (e) {
    if (e instanceof PolicyInputError) {
      err(e.message);
      return EXIT.invalid;
    }
    err(`policy check failed: ${(e as Error).stack ?? e}`);
    return EXIT.internal;
  }
}

if (require.main === module) runAsCli((argv) => main(argv));
