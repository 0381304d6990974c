/** What every command-line tool shares: its prelude (arguments, --help, --stack) and how it ends. */
import * as path from "node:path";
import { ConfigError } from "../infra/config/load";

type Main = (argv: string[]) => Promise<number>;
export type Lines = (line: string) => void;

/**
 * Runs a tool's `main` with the process's arguments and sets its exit code, letting stdout drain
 * (process.exit() would cut a large plan short on a pipe). An error `main` did not expect is a bug:
 * one line and exit 70.
 */
export function runAsCli(main: Main): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(`internal error (please report it): ${(e as Error).stack ?? e}`);
      process.exitCode = 70;
    },
  );
}

/** A tool's arguments, or undefined once it has printed why they are wrong and its usage. */
export function parseOrUsage<T>(parse: (argv: string[]) => T, argv: string[], usage: string, err: Lines): T | undefined {
  try {
    return parse(argv);
  } catch (e) {
    err(`${(e as Error).message}\n${usage}`);
    return undefined;
  }
}

interface Parsed<V> {
  values: V & { help?: boolean; stack?: string };
  positionals: string[];
}

export interface Started<V> {
  values: V & { stack: string };
  positionals: string[];
  /** Prints why the arguments are wrong and the usage; returns the tool's bad-usage exit code. */
  usage(why: string): number;
}

/**
 * The prelude every stack tool runs: parse (or print why not and the usage), --help, --stack
 * required. Returns the started tool, or the exit code to return at once.
 */
export function start<V>(
  argv: string[],
  tool: { usage: string; invalid: number; parse: (argv: string[]) => Parsed<V> },
  out: Lines,
  err: Lines,
): Started<V> | number {
  const parsed = parseOrUsage(tool.parse, argv, tool.usage, err);
  if (!parsed) return tool.invalid;
  const usage = (why: string) => {
    err(`${why}\n${tool.usage}`);
    return tool.invalid;
  };
  if (parsed.values.help) {
    out(tool.usage);
    return 0;
  }
  if (!parsed.values.stack) return usage("--stack is required");
  return { values: parsed.values as V & { stack: string }, positionals: parsed.positionals, usage };
}

/** `load()`'s result, or undefined once each of its ConfigError's problems is printed on its own line. */
export async function loadOrReport<T>(err: Lines, load: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) err(p);
    return undefined;
  }
}

/** A path the user typed: relative to where they ran npm (npm run moves to the project's root). */
export function userPath(p: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.INIT_CWD ?? process.cwd(), p);
}
