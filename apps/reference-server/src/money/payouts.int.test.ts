/**
 * Escrow payouts over real HTTP: a started server whose Stripe Connect
 * escrow is Stripe's fake on 127.0.0.1. A tenant with a connected account
 * releases a tranche 10 times at once: the ledger posts once and the job
 * pays the tranche out as exactly one Connect transfer to that account,
 * audited. A tenant without one keeps its tranche in the platform balance.
 * The job leases only the pending payouts of its own provider: a paid one,
 * or one queued for another provider, is never leased (so the started
 * server's Stripe job cannot hold up rows meant for another account). The
 * job's error handling runs against a local escrow account that refuses or
 * is unavailable: a refusal fails the payout with one alert, an outage
 * waits and retries.
 */
import {
  type EscrowAccount,
  ProviderError,
  type ReleaseMilestoneInput,
} from '@clinicbridge/adapters';
import {
  FakeStripe,
  type ServedFakeProvider,
  STRIPE_API,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import type { Escrow } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { moneyFeature } from './feature.ts';
import { MAX_PAYOUT_ATTEMPTS, payOutReleasedTranches, setEscrowPayee } from './payouts.ts';

const stripe = new FakeStripe();
let served: ServedFakeProvider;
let running: TestServer;

beforeAll(async () => {
  served = await serveFakeProvider(STRIPE_API, stripe.handlers());
  running = await startTestServer({
    tenantCount: 2,
    features: [moneyFeature],
    env: {
      WEBHOOK_POLL_INTERVAL: '50ms',
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_API_URL: served.url,
    },
  });
}, 60_000);
afterAll(async () => {
  await running?.server.close();
  await served?.close();
});

const db = () => running.server.database.db;
const clinic = tenantClient(() => running, 0);
const other = tenantClient(() => running, 1);
const eur = (amount: number) => ({ amount, currency: 'EUR' });

/** An escrow account of `provider` that records what it was asked to pay and pays nothing. */
function recordingEscrow(provider: string, calls: ReleaseMilestoneInput[]): EscrowAccount {
  return {
    provider,
    hold: () => Promise.reject(new Error('not used')),
    refund: () => Promise.reject(new Error('not used')),
    releaseMilestone: (input) => {
      calls.push(input);
      return Promise.reject(new Error('not expected to be called'));
    },
  };
}

/** When each of these escrows' payouts is next due, by escrow id. */
async function dueTimes(escrowIds: string[]): Promise<Record<string, number>> {
  const rows = await db()
    .selectFrom('escrow_payouts')
    .select(['escrow_id', 'next_check_at'])
    .where('escrow_id', 'in', escrowIds)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.escrow_id, r.next_check_at.getTime()]));
}

async function heldEscrow(api: typeof clinic.api, ref: string): Promise<Escrow> {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const invoice = await api<{ id: string }>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency: 'EUR',
    lines: [{ description: 'Package', quantity: 1, unitPrice: eur(9_000) }],
  });
  const payment = await api<{ id: string }>('POST', '/api/v1/payments', {
    invoiceId: invoice.id,
    amount: eur(9_000),
    method: 'card',
    source: 'gateway',
    externalRef: ref,
  });
  return api<Escrow>('POST', '/api/v1/escrows', {
    paymentId: payment.id,
    milestones: [
      { code: 'admission', amount: eur(3_000) },
      { code: 'surgery', amount: eur(6_000) },
    ],
  });
}

test(`a released tranche is paid to the clinic's connected account once (${testDatabaseKind})`, async () => {
  const tenantId = running.tenants[0]?.tenantId ?? '';
  await setEscrowPayee(db(), tenantId, 'acct_1ClinicPayee', new Date());
  const escrow = await heldEscrow(clinic.api, 'pi_payout_1');
  const answers = await Promise.all(
    Array.from({ length: 10 }, () =>
      clinic.call('POST', `/api/v1/escrows/${escrow.id}/milestones/admission/release`, {}),
    ),
  );
  expect(answers.every((a) => a.status === 200)).toBe(true);

  const payout = await until(async () => {
    const row = await db()
      .selectFrom('escrow_payouts')
      .selectAll()
      .where('escrow_id', '=', escrow.id)
      .executeTakeFirst();
    return row?.status === 'paid' ? row : undefined;
  });
  expect(payout).toMatchObject({
    milestone: 'admission',
    payee_account_id: 'acct_1ClinicPayee',
    amount: 3_000,
    currency: 'EUR',
  });
  const transfers = [...stripe.transfers.values()].filter((t) => t.transfer_group === escrow.id);
  expect(transfers).toHaveLength(1);
  expect(transfers[0]).toMatchObject({ amount: 3_000, destination: 'acct_1ClinicPayee' });
  expect(payout.provider_transfer_id).toBe(transfers[0]?.id);
  const audits = await db()
    .selectFrom('audit_events')
    .select('action')
    .where('entity_id', '=', escrow.id)
    .execute();
  expect(audits.filter((a) => a.action === 'escrow.released')).toHaveLength(1);
  expect(audits.filter((a) => a.action === 'escrow.paid_out')).toHaveLength(1);
  // The surgery tranche is still held: nothing paid for it.
  const rows = await db()
    .selectFrom('escrow_payouts')
    .select('milestone')
    .where('escrow_id', '=', escrow.id)
    .execute();
  expect(rows.map((r) => r.milestone)).toEqual(['admission']);

  // Paid, it is no longer leased by the Stripe job, however late it runs.
  const paidDue = await dueTimes([escrow.id]);
  const stripeCalls: ReleaseMilestoneInput[] = [];
  const tomorrow = new Date(Date.now() + 86_400_000);
  expect(await payOutReleasedTranches(db(), recordingEscrow('stripe', stripeCalls), tomorrow)).toBe(
    0,
  );
  expect(stripeCalls).toEqual([]);
  expect(await dueTimes([escrow.id])).toEqual(paidDue);

  // A tenant without a connected account: released in the ledger, not paid out.
  const kept = await heldEscrow(other.api, 'pi_payout_2');
  await other.api('POST', `/api/v1/escrows/${kept.id}/milestones/admission/release`, {});
  expect(
    await db().selectFrom('escrow_payouts').select('id').where('escrow_id', '=', kept.id).execute(),
  ).toEqual([]);
}, 120_000);

test(`a refused payout fails with one alert; an unavailable provider is retried later (${testDatabaseKind})`, async () => {
  const tenantId = running.tenants[1]?.tenantId ?? '';
  const refusing = await heldEscrow(other.api, 'pi_payout_3');
  const waiting = await heldEscrow(other.api, 'pi_payout_4');
  // Two payouts queued for a local account, due at once. The started server's job sends through
  // Stripe's fake: it leases only Stripe's payouts, so these stay due for the local account's job.
  const queuedAt = new Date(0);
  await db()
    .transaction()
    .execute(async (trx) => {
      for (const escrowId of [refusing.id, waiting.id]) {
        await trx
          .insertInto('escrow_payouts')
          .values({
            id: `pyo_test_${escrowId}`,
            tenant_id: tenantId,
            escrow_id: escrowId,
            milestone: 'admission',
            provider: 'local',
            payee_account_id: 'acct_1Local',
            amount: 3_000,
            currency: 'EUR',
            status: 'pending',
            provider_transfer_id: null,
            attempts: 0,
            last_error: null,
            next_check_at: queuedAt,
            created_at: new Date(),
            updated_at: new Date(),
          })
          .execute();
      }
    });
  const stripeCalls: ReleaseMilestoneInput[] = [];
  const now = new Date();
  expect(await payOutReleasedTranches(db(), recordingEscrow('stripe', stripeCalls), now)).toBe(0);
  expect(stripeCalls).toEqual([]);
  expect(await dueTimes([refusing.id, waiting.id])).toEqual({
    [refusing.id]: queuedAt.getTime(),
    [waiting.id]: queuedAt.getTime(),
  });

  const calls: ReleaseMilestoneInput[] = [];
  const local: EscrowAccount = {
    provider: 'local',
    hold: () => Promise.reject(new Error('not used')),
    refund: () => Promise.reject(new Error('not used')),
    releaseMilestone: (input) => {
      calls.push(input);
      const code = input.escrowRef === refusing.id ? 'rejected' : 'provider_unavailable';
      return Promise.reject(
        new ProviderError({ code, provider: 'local', operation: 'escrow.releaseMilestone' }),
      );
    },
  };
  expect(await payOutReleasedTranches(db(), local, now)).toBe(0);
  const after = await db()
    .selectFrom('escrow_payouts')
    .selectAll()
    .where('escrow_id', 'in', [refusing.id, waiting.id])
    .execute();
  const byEscrow = new Map(after.map((r) => [r.escrow_id, r]));
  expect(byEscrow.get(refusing.id)).toMatchObject({
    status: 'failed',
    attempts: 1,
    last_error: 'rejected',
  });
  expect(byEscrow.get(waiting.id)).toMatchObject({
    status: 'pending',
    attempts: 1,
    last_error: 'provider_unavailable',
  });
  expect(byEscrow.get(waiting.id)?.next_check_at.getTime()).toBeGreaterThan(now.getTime());
  const alerts = await db()
    .selectFrom('operator_alerts')
    .select('details')
    .where('kind', '=', 'escrow_payout_failed')
    .execute();
  expect(alerts.filter((a) => JSON.stringify(a.details).includes(refusing.id))).toHaveLength(1);
  // Run again at once: the failed one is final, the waiting one is not due yet.
  await payOutReleasedTranches(db(), local, now);
  expect(calls.map((c) => c.escrowRef).sort()).toEqual([refusing.id, waiting.id].sort());
  expect(MAX_PAYOUT_ATTEMPTS).toBeGreaterThan(1);
}, 120_000);
