import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** What is awaited, in the field's words: it makes the timeout error readable. */
  description: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns a value other than undefined, null or false, and resolves
 * with it: use it instead of sleeping for something that happens in another process (a row
 * written by the worker, a job finished). An error thrown by `condition` fails at once.
 */
export async function waitFor<T>(
  condition: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { description, timeoutMs = 10_000, intervalMs = 100 }: WaitForOptions,
): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new Error(
        `Timed out after ${Date.now() - started} ms (${attempts} checks) waiting for ${description}`,
      );
    }
    // The last check lands on the deadline rather than after it.
    await sleep(Math.min(intervalMs, remaining));
  }
}
