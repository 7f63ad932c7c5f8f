/**
 * Polls `probe` until it gives a truthy value and returns it; after `timeoutMs` fails naming
 * `what`, with `context()` (e.g. a bot's last log lines) appended when given. For waiting on
 * other processes and servers; never a timing assertion.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 120_000,
  context?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context ? `\n${context()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
