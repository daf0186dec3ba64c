/**
 * What an operator needs about the HL7 feed: messages that were stored but
 * could not be applied (with their reasons), and a way to apply one again
 * once its cause is fixed (a mapping added, an earlier message resent).
 * Refusals and unreadable bytes are listed from `rejects.ts`. Only ids,
 * codes, senders and reasons leave here — message bytes are PHI.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * A stored message that failed, as an operator sees it.
 *
 * @example
 * const [first]: FailedHl7Message[] = await listFailedHl7Messages(db);
 */
export interface FailedHl7Message {
  id: string;
  tenantId: string;
  sender: string;
  controlId: string;
  event: string;
  reason: string | null;
  attempts: number;
  receivedAt: string;
}

/**
 * Failed messages, newest first.
 *
 * @example
 * const failed = await listFailedHl7Messages(db, 50);
 */
export async function listFailedHl7Messages(
  db: Kysely<DB>,
  limit = 100,
): Promise<FailedHl7Message[]> {
  const rows = await db
    .selectFrom('hl7_messages')
    .select([
      'id',
      'tenant_id',
      'sending_application',
      'sending_facility',
      'control_id',
      'message_type',
      'trigger_event',
      'reason',
      'attempts',
      'received_at',
    ])
    .where('status', '=', 'failed')
    .orderBy('received_at', 'desc')
    .limit(Math.min(limit, 1_000))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    sender: `${r.sending_application}@${r.sending_facility}`,
    controlId: r.control_id,
    event: `${r.message_type}^${r.trigger_event}`,
    reason: r.reason,
    attempts: r.attempts,
    receivedAt: r.received_at.toISOString(),
  }));
}

/**
 * Puts a failed message back in the queue; false when it is not failed.
 * It is applied after the messages already waiting.
 *
 * @example
 * if (await retryHl7Message(db, 'hl7_…')) wake();
 */
export async function retryHl7Message(db: Kysely<DB>, id: string): Promise<boolean> {
  const result = await db
    .updateTable('hl7_messages')
    .set({ status: 'received', attempts: 0 })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
