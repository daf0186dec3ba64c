/**
 * Results of completed writes, by idempotency key, so that a repeated call
 * with the same key (a retry by the caller, a redelivered job) returns the
 * first result instead of charging, booking or sending again — also for
 * providers that have no idempotency support of their own.
 */

/**
 * Stores results of completed writes. Swap the in-memory default for a
 * database-backed one when several processes share work.
 *
 * @example
 * const store: IdempotencyResultStore = new InMemoryIdempotencyResultStore();
 */
export interface IdempotencyResultStore {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

/**
 * In-memory store with a time-to-live and a size bound.
 *
 * @example
 * const store = new InMemoryIdempotencyResultStore({ ttlMs: 24 * 3600_000 });
 */
export class InMemoryIdempotencyResultStore implements IdempotencyResultStore {
  private readonly entries = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
    this.ttlMs = options.ttlMs ?? 24 * 3600_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<unknown | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: unknown): Promise<void> {
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }
}
