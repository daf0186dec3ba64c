/**
 * The storage contract behind idempotent writes and deduplicated webhook
 * receivers. A key is first reserved (in flight, with a lease that expires so
 * a crashed worker does not block it forever), then completed with the
 * response to replay, or released so a retry can run again.
 */

/**
 * Where a key stands.
 *
 * @example
 * ```ts
 * const state: IdempotencyState = 'in_flight';
 * ```
 */
export type IdempotencyState = 'in_flight' | 'completed';

/**
 * One stored key.
 *
 * @example
 * ```ts
 * const record = await store.get(key);
 * if (record?.state === 'completed') return record.response;
 * ```
 */
export interface IdempotencyRecord<R = unknown> {
  key: string;
  state: IdempotencyState;
  /** Fingerprint of the request that reserved the key, when one was given. */
  fingerprint?: string;
  /** The stored response, once completed. */
  response?: R;
  /** When the key was reserved, ms since the epoch. */
  createdAt: number;
  /** When the record (or, in flight, the lease) expires, ms since the epoch. */
  expiresAt: number;
}

/**
 * The answer to {@link IdempotencyStore.reserve}: `reserved` means the caller
 * owns the key and must complete or release it.
 *
 * @example
 * ```ts
 * const result = await store.reserve(key, { fingerprint });
 * if (result.status === 'completed') return replay(result.record.response);
 * ```
 */
export type ReserveResult<R = unknown> =
  | { status: 'reserved'; record: IdempotencyRecord<R> }
  | { status: 'in_flight'; record: IdempotencyRecord<R> }
  | { status: 'completed'; record: IdempotencyRecord<R> }
  | { status: 'fingerprint_mismatch'; record: IdempotencyRecord<R> };

/**
 * Options for {@link IdempotencyStore.reserve}.
 *
 * @example
 * ```ts
 * await store.reserve(key, { fingerprint, ttlMs: 30_000 });
 * ```
 */
export interface ReserveOptions {
  /** Fingerprint of this request; a live key reserved with another one is a mismatch. */
  fingerprint?: string;
  /** Lease of the in-flight reservation, ms. The store's default when absent. */
  ttlMs?: number;
}

/**
 * Options for {@link IdempotencyStore.complete}.
 *
 * @example
 * ```ts
 * await store.complete(key, response, { ttlMs: 24 * 60 * 60 * 1000 });
 * ```
 */
export interface CompleteOptions {
  /** How long the completed record is kept, ms. The store's default when absent. */
  ttlMs?: number;
}

/**
 * Idempotency storage. Implementations must make `reserve` atomic: of
 * concurrent callers for one key, exactly one gets `reserved`.
 *
 * @example
 * ```ts
 * const result = await store.reserve(key, { fingerprint });
 * if (result.status === 'reserved') {
 *   try {
 *     await store.complete(key, await handle());
 *   } catch (error) {
 *     await store.release(key);
 *     throw error;
 *   }
 * }
 * ```
 */
export interface IdempotencyStore<R = unknown> {
  /** Claims `key` if it is free or expired; otherwise reports its state. */
  reserve(key: string, options?: ReserveOptions): Promise<ReserveResult<R>>;
  /** Records the response of a reserved key, to be replayed until it expires. */
  complete(key: string, response: R, options?: CompleteOptions): Promise<void>;
  /** Forgets an in-flight key (the work failed), so the next attempt runs again. */
  release(key: string): Promise<void>;
  /** The live record for `key`, or `undefined` when absent or expired. */
  get(key: string): Promise<IdempotencyRecord<R> | undefined>;
}
