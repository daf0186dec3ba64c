/**
 * The HL7 processor, a job of the dispatcher: applies stored messages in
 * arrival order, each in a savepoint of one transaction, so a message's
 * effects (patient, encounter, invoice, audit, events) and its `processed`
 * mark commit together. One process at a time processes (a transaction
 * advisory lock; the others skip), which keeps a patient's A01 before its
 * A02. A message that can never be applied is marked failed with its
 * reason and an operator alert, and the rest go on; a transient failure
 * stops the batch so the order holds, and fails the message after
 * {@link MAX_HL7_ATTEMPTS} tries.
 */
import { isHl7ParseError, parseMessage } from '@clinicbridge/hl7';
import { type Kysely, sql } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { isApiError } from '../kernel/problem.ts';
import { applyAdt, PermanentAdtError } from './adt/index.ts';
import type { AdtTrigger } from './validate.ts';

const BATCH = 50;
/** 'HL7' as a number: the advisory lock key of the processor. */
const LOCK_KEY = 0x484c37;

/**
 * Tries of a message that fails for a reason that may pass (a database
 * error) before it is marked failed.
 *
 * @example
 * if (row.attempts >= MAX_HL7_ATTEMPTS) console.log('failed for good');
 */
export const MAX_HL7_ATTEMPTS = 5;

function permanent(error: unknown): boolean {
  return (
    error instanceof PermanentAdtError ||
    isHl7ParseError(error) ||
    (error instanceof Error && error.name === 'InvalidEventError') ||
    (isApiError(error) && error.status < 500)
  );
}

/**
 * Processes one batch; resolves to the number of messages settled.
 *
 * @example
 * const jobs: BusJob[] = [(now) => processHl7Messages(db, now)];
 */
export async function processHl7Messages(db: Kysely<DB>, now: Date): Promise<number> {
  // Every dispatcher pass calls this: with nothing waiting (the partial index
  // answers), skip the transaction and its lock.
  const waiting = await db
    .selectFrom('hl7_messages')
    .select('id')
    .where('status', '=', 'received')
    .limit(1)
    .executeTakeFirst();
  if (!waiting) return 0;
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(${LOCK_KEY}) as locked`.execute(trx);
    if (!lock.rows[0]?.locked) return 0;
    const rows = await trx
      .selectFrom('hl7_messages as m')
      .leftJoin('hl7_facilities as f', 'f.id', 'm.facility_id')
      .select([
        'm.id',
        'm.tenant_id',
        'm.sending_facility',
        'm.trigger_event',
        'm.raw',
        'm.attempts',
        'f.utc_offset_minutes',
      ])
      .where('m.status', '=', 'received')
      .orderBy('m.seq')
      .limit(BATCH)
      .execute();
    let settled = 0;
    for (const row of rows) {
      const change: ChangeContext = {
        tenantId: row.tenant_id,
        actor: { type: 'system', id: 'hl7' },
        requestId: null,
        now,
      };
      await sql`savepoint hl7_message`.execute(trx);
      try {
        const reason = await applyAdt(trx, change, {
          messageId: row.id,
          message: parseMessage(row.raw),
          trigger: row.trigger_event as AdtTrigger,
          sendingFacility: row.sending_facility,
          utcOffsetMinutes: row.utc_offset_minutes ?? 0,
        });
        await sql`release savepoint hl7_message`.execute(trx);
        await trx
          .updateTable('hl7_messages')
          .set({
            status: 'processed',
            reason: reason.slice(0, 1_000),
            processed_at: now,
            attempts: row.attempts + 1,
          })
          .where('id', '=', row.id)
          .execute();
        settled++;
      } catch (error) {
        await sql`rollback to savepoint hl7_message`.execute(trx);
        const attempts = row.attempts + 1;
        const failed = permanent(error) || attempts >= MAX_HL7_ATTEMPTS;
        const reason = permanent(error)
          ? (error as Error).message
          : 'processing failed (a database error?); it is retried';
        await trx
          .updateTable('hl7_messages')
          .set({ status: failed ? 'failed' : 'received', reason: reason.slice(0, 1_000), attempts })
          .where('id', '=', row.id)
          .execute();
        if (!failed) break;
        settled++;
        await raiseAlert(trx, {
          tenantId: row.tenant_id,
          kind: 'hl7_message_failed',
          message: `an HL7 ${row.trigger_event} from ${row.sending_facility} could not be applied: ${reason.slice(0, 300)}`,
          details: { hl7MessageId: row.id },
          now,
        });
      }
    }
    return settled;
  });
}
