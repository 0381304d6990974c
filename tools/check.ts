/**
 * npm run check -- --stack <dev|staging|prod> [--env-file FILE] [--set path=value ...] [--json]
 * Plans the whole program offline (Pulumi mocks, no cluster) and validates its config.
 * Exit codes: 0 all well, 2 invalid config or usage, 1 anything else.
 */
import { parseArgs } from "util";
import { ConfigError } from "../infra/config/load";
import { planStack } from "./plan";
import { formatSummary } from "./summary";

const USAGE = "usage: npm run check -- --stack <dev|staging|prod> [--env-file FILE] [--set path=value ...] [--json]";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        "env-file": { type: "string" },
        set: { type: "string", multiple: true },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.stack) {
    console.error(`--stack is required\n${USAGE}`);
    return 2;
  }
  try {
    const plan = await planStack({ stack: values.stack, envFile: values["env-file"], sets: values.set });
    if (values.json) {
      const resources = plan.resources.map(({ type, name, inputs }) => ({ type, name, inputs }));
      console.log(JSON.stringify({ stack: plan.stack, resources, violations: [] }, null, 2));
    } else {
      console.log(formatSummary(plan));
      console.log("\nNo problems found.");
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    console.error(`check failed: ${(e as Error).message}`);
    return 1;
  }
}

main().then((code) => process.exit(code));
