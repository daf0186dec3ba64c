/**
 * Waiting on a condition in tests, never on a fixed sleep: polls until the
 * probe gives a value, with a deadline generous enough for a busy machine.
 */

/**
 * Polls `probe` every 50 ms until it gives a value — anything but
 * `undefined`, `null` or `false` — and resolves to that; fails naming `what`
 * after `timeoutMs`.
 *
 * @example
 * const paid = await until(async () => (await getCheckout()).status === 'succeeded', 'the checkout to succeed');
 */
export async function until<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what = 'a condition',
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
