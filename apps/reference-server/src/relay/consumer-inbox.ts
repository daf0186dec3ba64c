/**
 * A consumer-side inbox for relayed events: brokers deliver at least once
 * (RabbitMQ never drops a repeat; JetStream only inside its duplicate
 * window), so a consumer that must not act twice records the event id in the
 * same transaction as the effect. A repeat finds the id and skips the
 * effect; a failed effect rolls the id back, so the redelivery applies it.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type {} from './schema.ts';

/**
 * Which consumer handles which event.
 *
 * @example
 * const key: InboxKey = { consumer: 'billing', eventId: 'evt_1' };
 */
export interface InboxKey {
  /** The consumer's own name: two consumers of one event each apply it once. */
  readonly consumer: string;
  /** The event id (`id` in the envelope, `messageId` in RabbitMQ, `Nats-Msg-Id` in JetStream). */
  readonly eventId: string;
}

/**
 * Applies `effect` once per consumer and event id, in one transaction with
 * the inbox row; resolves to whether it ran (false for a repeat).
 *
 * @example
 * const applied = await consumeOnce(db, { consumer: 'billing', eventId: envelope.id }, async (trx) => {
 *   await trx.insertInto('invoices').values(row).execute();
 * });
 */
export async function consumeOnce(
  db: Kysely<DB>,
  key: InboxKey,
  effect: (trx: Kysely<DB>) => Promise<void>,
  now: Date = new Date(),
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ event_id: string }>`
      insert into relay_consumer_inbox (consumer, event_id, processed_at)
      values (${key.consumer}, ${key.eventId}, ${now})
      on conflict (consumer, event_id) do nothing
      returning event_id`.execute(trx);
    if (rows.length === 0) return false;
    await effect(trx);
    return true;
  });
}
