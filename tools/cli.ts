/** What every command-line tool shares: how it ends. */

type Main = (argv: string[]) => Promise<number>;

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
export function parseOrUsage<T>(parse: (argv: string[]) => T, argv: string[], usage: string, err: (line: string) => void): T | undefined {
  try {
    return parse(argv);
  } catch (e) {
    err(`${(e as Error).message}\n${usage}`);
    return undefined;
  }
}
