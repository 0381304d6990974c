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
