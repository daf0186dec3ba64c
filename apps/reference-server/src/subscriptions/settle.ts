/**
 * Applying a gateway's verified subscription webhook, inside the inbound
 * processor's transaction. The subscription row is locked first, and each
 * gateway charge is recorded once per outcome (a unique key in
 * `subscription_charges`), so a replayed webhook or a gateway's retry storm
 * acts once. A paid period posts from gateway clearing to the clinic's
 * payable under the ledger key `subscription:<id>:renewal:<charge id>` —
 * unique too — and emits `subscription.renewed`; a failed charge posts
 * nothing and emits `subscription.payment_failed`; the gateway ending the
 * subscription emits `subscription.cancelled` once.
 */
import type { SubscriptionWebhookOutcome } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { tenantAccounts } from '../money/escrow.ts';
import { createTransfer } from '../money/ledger.ts';

/**
 * A webhook that names a subscription but cannot apply to it (a charge in
 * another currency): retrying cannot help.
 *
 * @example
 * throw new SubscriptionMismatchError('the charge is in USD; subscription sbs_… bills EUR');
 */
export class SubscriptionMismatchError extends Error {
  override readonly name = 'SubscriptionMismatchError';
}

type Applied = Exclude<SubscriptionWebhookOutcome, { kind: 'ignored' | 'invalid' }>;
type Charge = Extract<Applied, { kind: 'renewal_paid' | 'renewal_failed' }>;

const refOf = (value: string) =>
  /^[A-Za-z0-9][A-Za-z0-9._:/+=#@-]{0,127}$/.test(value) ? value : 'unreadable';

/** Records the charge once per outcome; false when it was recorded before. */
async function recordCharge(
  trx: Kysely<DB>,
  row: Row<'subscriptions'>,
  outcome: Charge,
  transferId: string | null,
  now: Date,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('subscription_charges')
    .values({
      id: `sbc_${crypto.randomUUID()}`,
      tenant_id: row.tenant_id,
      subscription_id: row.id,
      provider_charge_id: outcome.chargeId,
      outcome: outcome.kind === 'renewal_paid' ? 'paid' : 'failed',
      amount: outcome.amount?.amount ?? null,
      currency: outcome.amount?.currency ?? null,
      transfer_id: transferId,
      failure_code: outcome.kind === 'renewal_failed' ? outcome.failureCode : null,
      created_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['subscription_id', 'provider_charge_id', 'outcome']).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

async function renew(
  trx: Kysely<DB>,
  row: Row<'subscriptions'>,
  outcome: Extract<Applied, { kind: 'renewal_paid' }>,
  now: Date,
): Promise<string> {
  const { amount } = outcome;
  if (amount.currency !== row.currency) {
    throw new SubscriptionMismatchError(
      `the charge is in ${amount.currency}; subscription ${row.id} bills ${row.currency}`,
    );
  }
  const seen = await trx
    .selectFrom('subscription_charges')
    .select('id')
    .where('subscription_id', '=', row.id)
    .where('provider_charge_id', '=', outcome.chargeId)
    .where('outcome', '=', 'paid')
    .executeTakeFirst();
  if (seen) return `charge ${outcome.chargeId} of subscription ${row.id} was already posted`;
  const [clearing, payable] = await tenantAccounts(trx, row.tenant_id, row.currency, now);
  const { transfer } = await createTransfer(
    trx,
    {
      tenantId: row.tenant_id,
      key: `subscription:${row.id}:renewal:${outcome.chargeId}`,
      debitAccountId: clearing.id,
      creditAccountId: payable.id,
      amount: amount.amount,
      currency: row.currency,
    },
    now,
  );
  await recordCharge(trx, row, outcome, transfer.id, now);
  const updated = await trx
    .updateTable('subscriptions')
    .set({
      periods_paid: row.periods_paid + 1,
      // A period paid after the subscription ended is still money received; it stays ended.
      ...(row.status === 'cancelled' ? {} : { status: 'active' as const, failure_code: null }),
      updated_at: now,
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvent(trx, {
    tenantId: row.tenant_id,
    type: 'subscription.renewed',
    entityType: 'subscription',
    entityId: row.id,
    data: {
      subscriptionId: row.id as `sbs_${string}`,
      gateway: row.gateway,
      amount,
      providerChargeId: refOf(outcome.chargeId),
      periodsPaid: updated.periods_paid,
      transferId: transfer.id as `ltr_${string}`,
    },
    occurredAt: now,
  });
  return `subscription ${row.id} renewed: ${outcome.chargeId} posted as ${transfer.id}`;
}

async function fail(
  trx: Kysely<DB>,
  row: Row<'subscriptions'>,
  outcome: Extract<Applied, { kind: 'renewal_failed' }>,
  now: Date,
): Promise<string> {
  const first = await recordCharge(trx, row, outcome, null, now);
  if (!first)
    return `failure of ${outcome.chargeId} for subscription ${row.id} was already recorded`;
  if (row.status !== 'cancelled') {
    await trx
      .updateTable('subscriptions')
      .set({ status: 'past_due', failure_code: outcome.failureCode, updated_at: now })
      .where('id', '=', row.id)
      .execute();
  }
  await recordEvent(trx, {
    tenantId: row.tenant_id,
    type: 'subscription.payment_failed',
    entityType: 'subscription',
    entityId: row.id,
    data: {
      subscriptionId: row.id as `sbs_${string}`,
      gateway: row.gateway,
      amount: outcome.amount ?? null,
      failureCode: outcome.failureCode,
      providerChargeId: refOf(outcome.chargeId),
    },
    occurredAt: now,
  });
  return `subscription ${row.id} payment failed: ${outcome.chargeId}, nothing posted`;
}

async function end(trx: Kysely<DB>, row: Row<'subscriptions'>, now: Date): Promise<string> {
  if (row.status === 'cancelled') return `subscription ${row.id} is already cancelled`;
  await trx
    .updateTable('subscriptions')
    .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
    .where('id', '=', row.id)
    .execute();
  await recordEvent(trx, {
    tenantId: row.tenant_id,
    type: 'subscription.cancelled',
    entityType: 'subscription',
    entityId: row.id,
    data: {
      subscriptionId: row.id as `sbs_${string}`,
      gateway: row.gateway,
      cancelledBy: 'gateway',
    },
    occurredAt: now,
  });
  return `subscription ${row.id} cancelled by the gateway`;
}

/**
 * Applies a gateway's subscription webhook to its subscription; resolves to
 * what was done, or null when no subscription has this gateway id.
 *
 * @example
 * const reason = await settleSubscription(trx, 'stripe', readStripeSubscriptionEvent(payload), now);
 */
export async function settleSubscription(
  trx: Kysely<DB>,
  gateway: Row<'subscriptions'>['gateway'],
  outcome: Applied,
  now: Date,
): Promise<string | null> {
  const row = await trx
    .selectFrom('subscriptions')
    .selectAll()
    .where('gateway', '=', gateway)
    .where('provider_ref', '=', outcome.subscriptionId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  if (outcome.kind === 'renewal_paid') return renew(trx, row, outcome, now);
  if (outcome.kind === 'renewal_failed') return fail(trx, row, outcome, now);
  return end(trx, row, now);
}
