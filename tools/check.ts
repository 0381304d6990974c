/**
 * npm run check -- --stack <dev|staging|prod> [--env-file FILE] [--set path=value ...] [--json]
 * Plans the whole program offline (Pulumi mocks, no cluster), validates its config and runs the
 * policy pack over the plan with the stack's policy config.
 * Exit codes: 0 no mandatory violation; 1 mandatory violations; 2 invalid config or usage; 70 internal error.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../infra/config/load";
import { formatViolations, hasMandatory, loadPackConfig, PolicyInputError, runPolicies } from "../policies/harness";
import { planStack } from "./plan";
import { parseOrUsage, runAsCli } from "./cli";
import { formatSummary } from "./summary";

const USAGE = "usage: npm run check -- --stack <dev|staging|prod> [--env-file FILE] [--set path=value ...] [--json]";

export const EXIT = { ok: 0, violations: 1, invalid: 2, internal: 70 } as const;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      "env-file": { type: "string" },
      set: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

/** The CLI: returns its exit code; `out` and `err` take whole lines (the console by default). */
export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const values = parseOrUsage(parse, argv, USAGE, err);
  if (!values) return EXIT.invalid;
  if (values.help) {
    out(USAGE);
    return EXIT.ok;
  }
  if (!values.stack) {
    err(`--stack is required\n${USAGE}`);
    return EXIT.invalid;
  }
  try {
    const plan = await planStack({ stack: values.stack, envFile: values["env-file"], sets: values.set });
    const run = await runPolicies(
      plan.stack,
      plan.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs, opts: r.options })),
      loadPackConfig(plan.stack),
    );
    if (values.json) {
      const resources = plan.resources.map(({ type, name, inputs }) => ({ type, name, inputs }));
      out(JSON.stringify({ stack: plan.stack, resources, violations: run.violations, exemptions: run.exemptions }, null, 2));
    } else {
      out(formatSummary(plan));
      out(`\n${formatViolations(run) || "No policy violations."}`);
    }
    return hasMandatory(run) ? EXIT.violations : EXIT.ok;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof PolicyInputError) {
      err(e.message);
      return EXIT.invalid;
    }
    err(`check failed: ${(e as Error).stack ?? e}`);
    return EXIT.internal;
  }
}

if (require.main === module) runAsCli((argv) => main(argv));
