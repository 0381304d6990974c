/**
 * Polls `check` until it returns a value (not undefined), or fails naming `what`. With
 * `retryErrors`, a check that throws (a daemon not answering yet) is tried again, and its last
 * error is in the failure.
 */
export async function eventually<T>(
  what: string,
  seconds: number,
  check: () => Promise<T | undefined>,
  o: { retryErrors?: boolean; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      if (!o.retryErrors) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}${last ? ` (last: ${last})` : ""}`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
  }
}
