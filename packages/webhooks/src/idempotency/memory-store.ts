/**
 * An in-process {@link IdempotencyStore}: a bounded LRU map with expiry on an
 * injectable clock. Good for one process and for tests; several processes
 * need a shared store (the reference server keeps keys in PostgreSQL).
 */
import { assertDuration, assertKey, IdempotencyError } from './errors.ts';
import type {
  CompleteOptions,
  IdempotencyRecord,
  IdempotencyStore,
  ReserveOptions,
  ReserveResult,
} from './store.ts';

/**
 * Limits and clock of a {@link MemoryIdempotencyStore}.
 *
 * @example
 * ```ts
 * const options: MemoryIdempotencyStoreOptions = { maxEntries: 50_000, ttlMs: 60 * 60 * 1000 };
 * ```
 */
export interface MemoryIdempotencyStoreOptions {
  /** Most keys kept; the least recently used go first. Default 10,000. */
  maxEntries?: number;
  /** How long completed records are kept, ms. Default 24 hours. */
  ttlMs?: number;
  /** Lease of in-flight reservations, ms. Default 60 seconds. */
  inFlightTtlMs?: number;
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * In-memory LRU idempotency store.
 *
 * @example
 * ```ts
 * import { MemoryIdempotencyStore, deduplicate } from '@clinicbridge/webhooks/idempotency';
 *
 * const store = new MemoryIdempotencyStore({ maxEntries: 10_000 });
 * await deduplicate(store, `stripe:${event.id}`, () => handle(event));
 * ```
 */
export class MemoryIdempotencyStore<R = unknown> implements IdempotencyStore<R> {
  readonly #records = new Map<string, IdempotencyRecord<R>>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #inFlightTtlMs: number;
  readonly #now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new IdempotencyError('invalid_option', 'maxEntries must be a whole number >= 1.');
    }
    assertDuration('ttlMs', options.ttlMs);
    assertDuration('inFlightTtlMs', options.inFlightTtlMs);
    this.#maxEntries = maxEntries;
    this.#ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.#inFlightTtlMs = options.inFlightTtlMs ?? 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Number of records held, expired ones included until they are next touched. */
  get size(): number {
    return this.#records.size;
  }

  async reserve(key: string, options: ReserveOptions = {}): Promise<ReserveResult<R>> {
    assertKey(key);
    assertDuration('ttlMs', options.ttlMs);
    const existing = this.#live(key);
    if (existing) {
      const mismatch =
        options.fingerprint !== undefined &&
        existing.fingerprint !== undefined &&
        options.fingerprint !== existing.fingerprint;
      if (mismatch) return { status: 'fingerprint_mismatch', record: { ...existing } };
      return { status: existing.state, record: { ...existing } };
    }
    const now = this.#now();
    const record: IdempotencyRecord<R> = {
      key,
      state: 'in_flight',
      createdAt: now,
      expiresAt: now + (options.ttlMs ?? this.#inFlightTtlMs),
    };
    if (options.fingerprint !== undefined) record.fingerprint = options.fingerprint;
    this.#put(record);
    return { status: 'reserved', record: { ...record } };
  }

  async complete(key: string, response: R, options: CompleteOptions = {}): Promise<void> {
    assertKey(key);
    assertDuration('ttlMs', options.ttlMs);
    const now = this.#now();
    // A lease that expired while the work ran still produced this response:
    // record it rather than lose it.
    const previous = this.#live(key);
    const record: IdempotencyRecord<R> = {
      key,
      state: 'completed',
      response,
      createdAt: previous?.createdAt ?? now,
      expiresAt: now + (options.ttlMs ?? this.#ttlMs),
    };
    if (previous?.fingerprint !== undefined) record.fingerprint = previous.fingerprint;
    this.#put(record);
  }

  async release(key: string): Promise<void> {
    assertKey(key);
    const existing = this.#records.get(key);
    // Only in-flight work is released; a completed response stays replayable.
    if (existing?.state === 'in_flight') this.#records.delete(key);
  }

  async get(key: string): Promise<IdempotencyRecord<R> | undefined> {
    assertKey(key);
    const record = this.#live(key);
    return record ? { ...record } : undefined;
  }

  #live(key: string): IdempotencyRecord<R> | undefined {
    const record = this.#records.get(key);
    if (record === undefined) return undefined;
    this.#records.delete(key);
    if (record.expiresAt <= this.#now()) return undefined;
    this.#records.set(key, record); // most recently used goes last
    return record;
  }

  #put(record: IdempotencyRecord<R>): void {
    this.#records.delete(record.key);
    this.#records.set(record.key, record);
    while (this.#records.size > this.#maxEntries) {
      const oldest = this.#records.keys().next().value as string;
      this.#records.delete(oldest);
    }
  }
}
