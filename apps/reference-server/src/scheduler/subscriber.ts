/**
 * The contract of an internal subscriber (notifications, reporting,
 * analytics export, CRM sync). Each has its own inbox rows, so one slow or
 * failing subscriber never holds back another or the partner webhooks.
 * `handle` runs inside the transaction that acknowledges the event: its
 * database writes commit exactly when the acknowledgement does. Anything it
 * does outside the database must be idempotent, because delivery is
 * at-least-once.
 */
import type { EventEnvelope, EventType } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * What a handler gets besides the event.
 *
 * @example
 * async handle(trx, event, { now }: SubscriberContext) { console.log(now.toISOString()); }
 */
export interface SubscriberContext {
  /** The dispatcher's clock. */
  readonly now: Date;
}

/**
 * An internal subscriber.
 *
 * @example
 * const audit: InternalSubscriber = {
 *   name: 'audit-copy',
 *   eventTypes: ['*'],
 *   async handle(trx, event) { await trx.insertInto('copies').values({ id: event.id }).execute(); },
 * };
 */
export interface InternalSubscriber {
  /** Stable name; it keys the subscriber's inbox rows. */
  readonly name: string;
  /** Event types wanted; `'*'` is every type. */
  readonly eventTypes: readonly (EventType | '*')[];
  handle(trx: Kysely<DB>, event: EventEnvelope, context: SubscriberContext): Promise<void>;
}
