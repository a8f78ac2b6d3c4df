/** A process `until` watches: when it exits, waiting stops with its output. */
export interface Watched {
  alive(): boolean;
  exited: Promise<unknown>;
  output(): string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for a condition, not for a time: polls `check` every `intervalMs` until it holds, or
 * fails after `timeoutMs` (or at once when the watched app has exited), with the app's output in
 * the message. The deadline is only there to end a test that would hang; nothing is timed.
 */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  app?: Watched,
  timeoutMs = 120_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (app && !app.alive()) {
      await app.exited;
      await pause(100); // its last words
      throw new Error(`the app exited while waiting for ${what}:\n${app.output()}`);
    }
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}${app ? `:\n${app.output()}` : ''}`);
    await pause(intervalMs);
  }
}

/** As `until`, for a value: reads it until `check` accepts it, and returns it. */
export async function untilValue<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 120_000,
  intervalMs = 100,
): Promise<T> {
  let value = await read();
  const deadline = Date.now() + timeoutMs;
  while (!check(value)) {
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}: ${JSON.stringify(value)}`);
    await pause(intervalMs);
    value = await read();
  }
  return value;
}
