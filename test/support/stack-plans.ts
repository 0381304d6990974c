/**
 * The three stacks are planned once per test run (jest's global setup) and every test file reads the
 * same plans: a plan is the program's whole output, so no file needs its own.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Plan, planStack } from "../../tools/plan";

export const STACKS = ["dev", "staging", "prod"] as const;
export type StackName = (typeof STACKS)[number];

const DIR_VARIABLE = "DP_TEST_PLANS_DIR";

/** Jest global setup: plans every stack into a directory the test workers inherit. */
export default async function planStacksOnce(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-plans-"));
  for (const stack of STACKS) fs.writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify(await planStack({ stack })));
  process.env[DIR_VARIABLE] = dir;
}

const read = new Map<string, Plan>();

/** The stack's plan with its own config (planned here when a file runs outside jest's setup). */
export async function stackPlan(stack: StackName): Promise<Plan> {
  if (!read.has(stack)) {
    const dir = process.env[DIR_VARIABLE];
    read.set(stack, dir ? JSON.parse(fs.readFileSync(path.join(dir, `${stack}.json`), "utf8")) : await planStack({ stack }));
  }
  return read.get(stack)!;
}
