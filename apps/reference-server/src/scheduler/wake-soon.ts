/**
 * Wakes the scheduler shortly after a handler returns. A handler returns
 * before its transaction commits; a short delay lets the dispatcher see the
 * committed rows instead of waiting a poll interval.
 */

/**
 * Returns a pass-through that schedules `wake` 20 ms later.
 *
 * @example
 * const soon = wakeSoon(context.wake);
 * retry: async (ctx) => soon(await retryDelivery(ctx.db, changeOf(ctx), ctx.params.deliveryId)),
 */
export function wakeSoon(wake: () => void): <T>(value: T) => T {
  return (value) => {
    setTimeout(wake, 20).unref();
    return value;
  };
}
