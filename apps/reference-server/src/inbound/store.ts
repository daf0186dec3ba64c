/**
 * The durable store of inbound provider webhooks, bodies encrypted
 * (`./raw-body.ts`). Webhooks arriving while a batch commits go into the
 * next single INSERT (group commit); each is answered only once its own
 * row has committed. A webhook is inserted once
 * per provider event id (a replay finds the row and is acknowledged without
 * being processed again; with `REDIS_URL` a shared dedupe store answers
 * repeats first, see `./redis-dedupe.ts`). Payloads that verified but did not parse are kept
 * with their reason and raise an operator alert, never dropped.
 */
import { newId } from '@clinicbridge/sdk/contract';
import { CompiledQuery, type Kysely } from 'kysely';
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
  // The common case is a group commit: one multi-row statement (its own
  // transaction) for every webhook that arrived while the previous one
  // committed. An unparseable body also raises an alert, so it takes a
  // transaction holding both.
  if (!unparseable) {
    // Inside a caller's transaction the row belongs to that transaction: no batching.
    return db.isTransaction
      ? insertWebhook(db, webhook, id, sealRawBody(db, id, webhook.rawBody))
      : groupCommitOf(db).store(webhook, id);
  }
  return db.transaction().execute(async (trx) => {
    const stored = await insertWebhook(trx, webhook, id, sealRawBody(trx, id, webhook.rawBody));
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
  body: SealedBody,
): Promise<StoredWebhook> {
  const inserted = await insertRows(db, [{ webhook, id, body }]);
  if (inserted.has(id)) return { id, duplicate: false };
  const existing = await findWebhook(db, webhook);
  if (!existing) throw new Error('an inbound webhook conflicted on insert but was not found');
  return { id: existing.id, duplicate: true };
}

/** A webhook, the id of its row and its body sealed for that row. */
type Row = Pick<Pending, 'webhook' | 'id' | 'body'>;

/**
 * One INSERT of `rows`, skipping those whose provider event id is already
 * stored; answers the ids it inserted. Written out rather than through the
 * query builder: it runs for every batch, and its parameters are plain text
 * (times as ISO strings). An unparseable body's row is stored with its
 * reason and never attempted.
 */
async function insertRows(db: Kysely<DB>, rows: readonly Row[]): Promise<Set<string>> {
  const values: (string | null)[] = [];
  const tuples: string[] = [];
  for (const { id, webhook, body } of rows) {
    const unparseable = webhook.unparseableReason !== null;
    const at = values.length;
    const now = webhook.now.toISOString();
    values.push(
      id,
      webhook.provider,
      webhook.providerEventId,
      webhook.eventType,
      unparseable ? 'unparseable' : 'received',
      webhook.unparseableReason,
      body.raw_body,
      body.raw_body_kid,
      unparseable ? null : now,
      now,
    );
    const $ = (n: number) => `$${at + n}`;
    tuples.push(
      `(${$(1)}, ${$(2)}, ${$(3)}, ${$(4)}, ${$(5)}, ${$(6)}, ${$(7)}, ${$(8)}, 0, ${$(9)}::timestamptz, ${$(10)}::timestamptz)`,
    );
  }
  const inserted = await db.executeQuery<{ id: string }>(
    CompiledQuery.raw(
      `insert into inbound_webhooks (id, provider, provider_event_id, event_type, status, reason, raw_body,
        raw_body_kid, attempts, next_attempt_at, received_at)
      values ${tuples.join(', ')}
      on conflict (provider, provider_event_id) do nothing
      returning id`,
      values,
    ),
  );
  return new Set(inserted.rows.map((r) => r.id));
}

/** A webhook body as stored: encrypted for its row (`./raw-body.ts`). */
type SealedBody = ReturnType<typeof sealRawBody>;

interface Pending {
  readonly webhook: VerifiedWebhook;
  /** The id the row gets when this webhook is the one stored (the dedupe store may know it). */
  readonly id: string;
  /** Its body sealed for row `id`, before it waits: a batch's INSERT is built without encrypting. */
  readonly body: SealedBody;
  readonly resolve: (stored: StoredWebhook) => void;
  readonly reject: (error: unknown) => void;
}

/** The most webhooks one INSERT carries; the rest wait for the next one. */
const MAX_BATCH = 100;

const groupCommits = new WeakMap<
  Kysely<DB>,
  { store(webhook: VerifiedWebhook, id: string): Promise<StoredWebhook> }
>();

/**
 * The group commit of `db`: while one batch's INSERT is on its way, the
 * webhooks that arrive wait and then go together in the next one. Each body
 * is encrypted by its own request before it waits, so that work overlaps the
 * batch in flight instead of delaying the next batch's INSERT.
 */
function groupCommitOf(db: Kysely<DB>) {
  let found = groupCommits.get(db);
  if (found) return found;
  let waiting: Pending[] = [];
  let running = false;
  const drain = async () => {
    running = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, MAX_BATCH);
        waiting = waiting.slice(batch.length);
        await commitBatch(db, batch);
      }
    } finally {
      running = false;
    }
  };
  found = {
    store: (webhook, id) => {
      const body = sealRawBody(db, id, webhook.rawBody);
      return new Promise<StoredWebhook>((resolve, reject) => {
        waiting.push({ webhook, id, body, resolve, reject });
        if (running) return;
        running = true;
        // One turn of the event loop first, so webhooks read in the same
        // turn (PGlite blocks the loop while it runs a statement) share the batch.
        setImmediate(() => void drain());
      });
    },
  };
  groupCommits.set(db, found);
  return found;
}

async function commitBatch(db: Kysely<DB>, batch: Pending[]): Promise<void> {
  if (batch.length === 1) {
    const [only] = batch as [Pending];
    await insertWebhook(db, only.webhook, only.id, only.body).then(only.resolve, only.reject);
    return;
  }
  try {
    const answers = await insertWebhooks(db, batch);
    batch.forEach((p, i) => {
      p.resolve(answers[i] as StoredWebhook);
    });
  } catch {
    // One bad webhook must not fail the others: store them one by one.
    for (const p of batch) {
      await insertWebhook(db, p.webhook, p.id, p.body).then(p.resolve, p.reject);
    }
  }
}

/** Inserts parseable webhooks in one statement; answers in the same order. */
async function insertWebhooks(db: Kysely<DB>, pending: readonly Row[]): Promise<StoredWebhook[]> {
  const keyOf = (w: VerifiedWebhook) => `${w.provider}\n${w.providerEventId}`;
  const webhooks = pending.map((p) => p.webhook);
  // The first of two with one provider event id is the one stored, as if they came one by one.
  const first = new Map<string, Row>();
  for (const p of pending) {
    if (!first.has(keyOf(p.webhook))) first.set(keyOf(p.webhook), p);
  }
  const insertedIds = await insertRows(db, [...first.values()]);
  // Those the provider had sent before: look up the stored rows' ids.
  const known = [...first.values()].filter(({ id }) => !insertedIds.has(id));
  const existing = new Map<string, string>();
  if (known.length > 0) {
    const found = await db
      .selectFrom('inbound_webhooks')
      .select(['id', 'provider', 'provider_event_id'])
      .where((eb) =>
        eb.or(
          known.map(({ webhook }) =>
            eb.and([
              eb('provider', '=', webhook.provider),
              eb('provider_event_id', '=', webhook.providerEventId),
            ]),
          ),
        ),
      )
      .execute();
    for (const row of found) existing.set(`${row.provider}\n${row.provider_event_id}`, row.id);
  }
  const answered = new Set<string>();
  return webhooks.map((webhook) => {
    const key = keyOf(webhook);
    const entry = first.get(key);
    const stored = entry !== undefined && insertedIds.has(entry.id) && !answered.has(key);
    answered.add(key);
    if (stored && entry) return { id: entry.id, duplicate: false };
    const id = existing.get(key) ?? entry?.id;
    if (id === undefined) throw new Error('inbound webhook neither inserted nor found');
    return { id, duplicate: true };
  });
}
