/**
 * Per-sender daily quota for the composer. A WhatsApp business number (or
 * any sender) may send only so many business-initiated messages a day; past
 * the quota the composer skips that channel and falls back to the next. Days
 * are UTC calendar days from an injected clock, so tests move time instead
 * of waiting.
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
}

/**
 * Quota settings of the composer.
 *
 * @example
 * const quota: SenderQuotaOptions = { perSenderPerDay: 1000, store: new InMemoryQuotaStore() };
 */
export interface SenderQuotaOptions {
  perSenderPerDay: number;
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
