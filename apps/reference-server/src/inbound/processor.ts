/**
 * The inbound processor, a job of the dispatcher: claims stored webhooks
 * (`FOR UPDATE SKIP LOCKED`) and runs each provider's handler in a
 * savepoint, so the domain change and the `processed` mark commit together.
 * Transient failures retry on a backoff; permanent ones (and the tenth
 * transient one) mark the webhook failed with its reason and alert an operator.
 */
import { type Kysely, sql } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';
import { doublingBackoffMs } from '../scheduler/backoff.ts';
import { inboundHandlers } from './handlers.ts';
import { isProviderName } from './providers.ts';
import { openRawBody } from './raw-body.ts';

const BATCH = 20;
/**
 * Transient failures before a webhook is marked failed.
 *
 * @example
 * if (row.attempts >= MAX_INBOUND_ATTEMPTS) console.log('marked failed');
 */
export const MAX_INBOUND_ATTEMPTS = 10;

/**
 * Processes one batch; resolves to the number of webhooks handled.
 *
 * @example
 * const bus = await createEventBus({ database, config, jobs: [(now) => processInboundWebhooks(db, now)] });
 */
export async function processInboundWebhooks(db: Kysely<DB>, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      id: string;
      provider: string;
      raw_body: string;
      raw_body_kid: string | null;
      attempts: number;
    }>`
      select id, provider, raw_body, raw_body_kid, attempts from inbound_webhooks
      where status = 'received' and next_attempt_at <= ${now}
      order by received_at limit ${BATCH} for update skip locked`.execute(trx);
    for (const row of rows) {
      await sql`savepoint inbound_row`.execute(trx);
      try {
        if (!isProviderName(row.provider)) throw new Error(`unknown provider ${row.provider}`);
        const reason = await inboundHandlers[row.provider](
          trx,
          JSON.parse(openRawBody(trx, row)) as Record<string, unknown>,
          now,
        );
        await sql`release savepoint inbound_row`.execute(trx);
        await trx
          .updateTable('inbound_webhooks')
          .set({
            status: 'processed',
            reason,
            processed_at: now,
            attempts: row.attempts + 1,
            next_attempt_at: null,
          })
          .where('id', '=', row.id)
          .execute();
      } catch (error) {
        await sql`rollback to savepoint inbound_row`.execute(trx);
        const attempts = row.attempts + 1;
        const permanent = error instanceof Error && error.name === 'PermanentInboundError';
        const failed = permanent || attempts >= MAX_INBOUND_ATTEMPTS;
        const reason = permanent ? (error as Error).message : 'processing failed; it is retried';
        await trx
          .updateTable('inbound_webhooks')
          .set({
            status: failed ? 'failed' : 'received',
            reason,
            attempts,
            next_attempt_at: failed
              ? null
              : new Date(now.getTime() + doublingBackoffMs(attempts, 3_600_000)),
          })
          .where('id', '=', row.id)
          .execute();
        if (failed) {
          await raiseAlert(trx, {
            tenantId: null,
            kind: 'inbound_webhook_failed',
            message: `a ${row.provider} webhook could not be processed: ${reason}`,
            details: { inboundWebhookId: row.id, provider: row.provider },
            now,
          });
        }
      }
    }
    return rows.length;
  });
}
