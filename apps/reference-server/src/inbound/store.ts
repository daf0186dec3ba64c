/**
 * The durable store of inbound provider webhooks, bodies encrypted
 * (`./raw-body.ts`). A webhook is inserted once
 * per provider event id (a replay finds the row and is acknowledged without
 * being processed again; with `REDIS_URL` a shared dedupe store answers
 * repeats first, see `./redis-dedupe.ts`). Payloads that verified but did not parse are kept
 * with their reason and raise an operator alert, never dropped.
 */
import { newId } from '@clinicbridge/sdk/contract';
import { type Kysely, sql } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';
import { sealRawBody } from './raw-body.ts';
import type { InboundDedupe } from './redis-dedupe.ts';

/**
 * A verified webhook to store.
 *
 * @example
 * await storeInboundWebhook(db, { provider: 'visa', providerEventId: 'msg_1', eventType: 'visa.granted', rawBody, unparseableReason: null, now: new Date() });
 */
export interface VerifiedWebhook {
  readonly provider: string;
  readonly providerEventId: string;
  readonly eventType: string | null;
  readonly rawBody: string;
  /** Set when the body verified but is not usable JSON. */
  readonly unparseableReason: string | null;
  readonly now: Date;
}

/**
 * The stored row's id, and whether the provider had sent it before.
 *
 * @example
 * const { id, duplicate }: StoredWebhook = await storeInboundWebhook(db, webhook);
 */
export interface StoredWebhook {
  readonly id: string;
  readonly duplicate: boolean;
}

/**
 * Stores a verified webhook unless the provider already sent it.
 *
 * @example
 * const { id, duplicate } = await storeInboundWebhook(db, { provider: 'payments', providerEventId: 'evt_1', … });
 */
export async function storeInboundWebhook(
  db: Kysely<DB>,
  webhook: VerifiedWebhook,
  dedupe?: InboundDedupe,
): Promise<StoredWebhook> {
  const unparseable = webhook.unparseableReason !== null;
  const id = newId('inb');
  if (dedupe) {
    const answer = await dedupe.claim(webhook.provider, webhook.providerEventId, id);
    if (answer.kind === 'seen') {
      // The table decides: a claim whose insert has not landed (still running, or failed) is no repeat.
      const existing = await findWebhook(db, webhook);
      if (existing) return { id: existing.id, duplicate: true };
    }
  }
  // The common case is one statement (its own transaction): one round trip
  // before the provider gets its answer. An unparseable body also raises an
  // alert, so it takes a transaction holding both.
  if (!unparseable) return insertWebhook(db, webhook, id);
  return db.transaction().execute(async (trx) => {
    const stored = await insertWebhook(trx, webhook, id);
    if (!stored.duplicate) {
      await raiseAlert(trx, {
        tenantId: null,
        kind: 'inbound_webhook_unparseable',
        message: `a ${webhook.provider} webhook verified but could not be used: ${webhook.unparseableReason}`,
        details: { inboundWebhookId: stored.id, provider: webhook.provider },
        now: webhook.now,
      });
    }
    return stored;
  });
}

function findWebhook(db: Kysely<DB>, webhook: VerifiedWebhook) {
  return db
    .selectFrom('inbound_webhooks')
    .select('id')
    .where('provider', '=', webhook.provider)
    .where('provider_event_id', '=', webhook.providerEventId)
    .executeTakeFirst();
}

async function insertWebhook(
  db: Kysely<DB>,
  webhook: VerifiedWebhook,
  id: string,
): Promise<StoredWebhook> {
  const unparseable = webhook.unparseableReason !== null;
  const body = sealRawBody(db, id, webhook.rawBody);
  const inserted = await sql<{ id: string }>`
    insert into inbound_webhooks (id, provider, provider_event_id, event_type, status, reason, raw_body,
      raw_body_kid, attempts, next_attempt_at, received_at)
    values (${id}, ${webhook.provider}, ${webhook.providerEventId}, ${webhook.eventType},
      ${unparseable ? 'unparseable' : 'received'}, ${webhook.unparseableReason}, ${body.raw_body},
      ${body.raw_body_kid}, 0, ${unparseable ? null : webhook.now}, ${webhook.now})
    on conflict (provider, provider_event_id) do nothing
    returning id`.execute(db);
  const row = inserted.rows[0];
  if (row) return { id: row.id, duplicate: false };
  const existing = await findWebhook(db, webhook);
  if (!existing) throw new Error('an inbound webhook conflicted on insert but was not found');
  return { id: existing.id, duplicate: true };
}
