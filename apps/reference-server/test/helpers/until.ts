/**
 * Waiting on a condition in tests, never on a fixed sleep: polls until the
 * probe gives a value, with a deadline generous enough for a busy machine.
 */

/**
 * Polls `probe` every 50 ms until it resolves to something other than
 * `undefined`, and resolves to that; fails naming `what` after `timeoutMs`.
 *
 * @example
 * const paid = await until(async () => (await getCheckout()).status === 'succeeded' || undefined, 'the checkout to succeed');
 */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what = 'a condition',
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
