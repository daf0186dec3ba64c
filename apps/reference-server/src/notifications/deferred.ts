/**
 * Sends again the notifications a sender's daily quota deferred
 * (`MESSAGING_QUOTA_EXHAUSTED=defer`): on every scheduler pass, up to 50
 * `deferred` intents whose `not_before` has come are claimed
 * (`FOR UPDATE SKIP LOCKED`, so two server processes never take the same
 * one) and handed to the same send as the subscriber's (the composer, or
 * the notification queues), each in its own transaction with its event.
 * One the quota still refuses is deferred again; one nothing can send any
 * more (consent withdrawn) goes back to `recorded`.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { toEnvelope } from '../kernel/outbox.ts';
import { recordSendResult, type SendNotification } from './subscriber.ts';

/** Deferred intents handled per pass. */
const BATCH = 50;

/**
 * Sends the due deferred intents; resolves to how many were handled.
 *
 * @example
 * const jobs = [(now: Date) => sendDeferredNotifications(db, sendThroughComposer(composer), now)];
 */
export async function sendDeferredNotifications(
  db: Kysely<DB>,
  send: SendNotification,
  now: Date,
): Promise<number> {
  let handled = 0;
  // Each intent once per pass, even one deferred again to a time already due.
  const seen: string[] = [];
  for (let i = 0; i < BATCH; i += 1) {
    const done = await db.transaction().execute(async (trx) => {
      const intent = await trx
        .selectFrom('notification_intents')
        .select(['id', 'tenant_id', 'event_id', 'template', 'patient_id'])
        .where('status', '=', 'deferred')
        .where('not_before', '<=', now)
        .$if(seen.length > 0, (q) => q.where('id', 'not in', seen))
        .orderBy('not_before')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!intent) return false;
      seen.push(intent.id);
      const event = await trx
        .selectFrom('events')
        .selectAll()
        .where('id', '=', intent.event_id)
        .where('tenant_id', '=', intent.tenant_id)
        .executeTakeFirst();
      const sent = event
        ? await send(
            {
              id: intent.id,
              tenantId: intent.tenant_id,
              template: intent.template,
              patientId: intent.patient_id,
              eventId: intent.event_id,
            },
            { trx, event: toEnvelope(event) },
          )
        : null;
      if (sent) await recordSendResult(trx, intent.id, sent, now);
      else
        await trx
          .updateTable('notification_intents')
          .set({ status: 'recorded', not_before: null, updated_at: now })
          .where('id', '=', intent.id)
          .execute();
      return true;
    });
    if (!done) break;
    handled += 1;
  }
  return handled;
}
