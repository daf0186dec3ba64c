/**
 * Run-once guard for webhook receivers: providers deliver at least once, so
 * the same event id can arrive twice, even concurrently.
 */
import { assertDuration } from './errors.ts';
import type { IdempotencyStore } from './store.ts';

/**
 * Outcome of {@link deduplicate}. `in_flight`: another delivery of the same
 * event is being handled right now (answer 409 or 503 so the provider retries).
 *
 * @example
 * ```ts
 * const outcome = await deduplicate(store, id, handler);
 * if (outcome.status === 'in_flight') return new Response(null, { status: 409 });
 * ```
 */
export type DeduplicateResult<T> =
  | { status: 'processed'; result: T }
  | { status: 'duplicate'; result: T | undefined }
  | { status: 'in_flight' };

/**
 * Options for {@link deduplicate}.
 *
 * @example
 * ```ts
 * await deduplicate(store, id, handler, { leaseMs: 30_000, ttlMs: 7 * 24 * 3600_000 });
 * ```
 */
export interface DeduplicateOptions {
  /** How long the handler may run before another delivery may take over, ms. */
  leaseMs?: number;
  /** How long a handled event id is remembered, ms. Longer than the provider's retry window. */
  ttlMs?: number;
}

/**
 * Runs `handler` once per `eventId`. A replayed delivery gets `duplicate` (with
 * the first run's result) without running the handler. If the handler throws,
 * the id is released so the provider's retry runs it again.
 *
 * @example
 * ```ts
 * import { MemoryIdempotencyStore, deduplicate } from '@clinicbridge/webhooks/idempotency';
 *
 * const store = new MemoryIdempotencyStore();
 * const outcome = await deduplicate(store, `github:${deliveryId}`, () => enqueue(event));
 * ```
 */
export async function deduplicate<T>(
  store: IdempotencyStore,
  eventId: string,
  handler: () => T | Promise<T>,
  options: DeduplicateOptions = {},
): Promise<DeduplicateResult<T>> {
  assertDuration('leaseMs', options.leaseMs);
  assertDuration('ttlMs', options.ttlMs);
  const reservation = await store.reserve(
    eventId,
    options.leaseMs === undefined ? {} : { ttlMs: options.leaseMs },
  );
  if (reservation.status === 'in_flight') return { status: 'in_flight' };
  if (reservation.status !== 'reserved') {
    return { status: 'duplicate', result: reservation.record.response as T | undefined };
  }
  let result: T;
  try {
    result = await handler();
  } catch (error) {
    // If releasing fails too, the lease still expires, so the retry is only
    // delayed; the handler's error is the one the caller needs.
    await store.release(eventId).catch(() => undefined);
    throw error;
  }
  await store.complete(
    eventId,
    result,
    options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs },
  );
  return { status: 'processed', result };
}
