/**
 * Per-sender daily quota for the composer. A WhatsApp business number (or
 * any sender) may send only so many business-initiated messages a day; past
 * the quota the composer skips that channel and falls back to the next, or
 * defers the message to the next UTC day (`whenExhausted: 'defer'`). Days
 * are UTC calendar days from an injected clock, so tests move time instead
 * of waiting. A store with `reserve` takes a unit atomically before the
 * send (and gives it back when the send fails), so several processes
 * sharing one store never pass the cap.
 */

/**
 * Counts sends per sender and day. In memory by default; the server can
 * back it by its database so several processes share one count.
 *
 * @example
 * const store: QuotaStore = new InMemoryQuotaStore();
 * await store.increment('whatsapp:meta', '2026-12-02'); // 1
 */
export interface QuotaStore {
  /** Sends counted so far for `sender` on `day` (YYYY-MM-DD, UTC). */
  used(sender: string, day: string): number | Promise<number>;
  /** Counts one send and returns the new total. */
  increment(sender: string, day: string): number | Promise<number>;
  /**
   * Takes one unit when fewer than `limit` are used, atomically; false when
   * the quota is used up. Optional: without it the composer checks `used`
   * and counts with `increment` after the send.
   */
  reserve?(sender: string, day: string, limit: number): boolean | Promise<boolean>;
  /** Gives back a unit taken by `reserve` whose send failed. */
  release?(sender: string, day: string): void | Promise<void>;
}

/**
 * A {@link QuotaStore} in a `Map`; drops earlier days as new ones begin.
 *
 * @example
 * const composer = createMessagingComposer({ channels, consent, sink, quota: { perSenderPerDay: 1000, store: new InMemoryQuotaStore() } });
 */
export class InMemoryQuotaStore implements QuotaStore {
  private day = '';
  private readonly counts = new Map<string, number>();

  used(sender: string, day: string): number {
    return day === this.day ? (this.counts.get(sender) ?? 0) : 0;
  }

  increment(sender: string, day: string): number {
    if (day !== this.day) {
      this.day = day;
      this.counts.clear();
    }
    const next = (this.counts.get(sender) ?? 0) + 1;
    this.counts.set(sender, next);
    return next;
  }

  reserve(sender: string, day: string, limit: number): boolean {
    if (this.used(sender, day) >= limit) return false;
    this.increment(sender, day);
    return true;
  }

  release(sender: string, day: string): void {
    if (day !== this.day) return;
    this.counts.set(sender, Math.max(0, (this.counts.get(sender) ?? 0) - 1));
  }
}

/**
 * Quota settings of the composer.
 *
 * @example
 * const quota: SenderQuotaOptions = { perSenderPerDay: 1000, store: new InMemoryQuotaStore() };
 */
export interface SenderQuotaOptions {
  /**
   * The daily cap: one number for every sender, or a cap per sender key
   * (`undefined` leaves that sender uncapped).
   */
  perSenderPerDay: number | ((sender: string) => number | undefined);
  /**
   * Past a sender's cap: `next_channel` (default) tries the next channel
   * (WhatsApp → SMS); `defer` stops and answers `deferred` with the start of
   * the next UTC day, for the caller to send again then.
   */
  whenExhausted?: 'next_channel' | 'defer';
  /** Default an {@link InMemoryQuotaStore}. */
  store?: QuotaStore;
  /** The sender a channel counts against. Default {@link senderKey}. */
  senderOf?: (channel: { channel: string; provider: string }) => string;
}

/**
 * The UTC day (`YYYY-MM-DD`) of an instant.
 *
 * @example
 * utcDay(new Date('2026-12-02T23:59:59Z')); // '2026-12-02'
 */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * The sender key a channel is counted under: `channel:provider`.
 *
 * @example
 * senderKey({ channel: 'whatsapp', provider: 'meta' }); // 'whatsapp:meta'
 */
export const senderKey = (channel: { channel: string; provider: string }): string =>
  `${channel.channel}:${channel.provider}`;

/**
 * The start of the UTC day after `at`: when a deferred message may go out.
 *
 * @example
 * nextUtcDay(new Date('2026-12-02T15:00:00Z')); // 2026-12-03T00:00:00.000Z
 */
export const nextUtcDay = (at: Date): Date =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
