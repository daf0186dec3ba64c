/**
 * Reconciling checkout payments and their refunds over real HTTP: a started
 * server with Stripe's fake on 127.0.0.1. A checkout settled by Stripe's
 * signed webhook posts its capture; a refund of it posts back and Stripe's
 * fake records the refund's balance transaction. A run over the period
 * matches the capture to its charge line and the refund to its refund line,
 * and finds exactly the two breaks planted: a settled checkout with no
 * charge line, and a refund line of a payment the ledger never refunded.
 */
import { FakeStripe } from '@clinicbridge/adapters/testing';
import type { Checkout, ReconciliationBreak, ReconciliationRun } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { postConcurrently, stripeIntentEvent } from '../../test/helpers/gateway-webhooks.ts';
import { tenantClient } from '../../test/helpers/http-server.ts';
import {
  type ProviderTestServer,
  startProviderServer,
  stripeFake,
} from '../../test/helpers/provider-server.ts';
import { until } from '../../test/helpers/until.ts';
import { checkoutFeature } from '../checkout/feature.ts';
import { moneyFeature } from '../money/feature.ts';
import { reconciliationFeature } from './feature.ts';

const STRIPE_SECRET = 'whsec_reconcile_checkouts';
const stripe = new FakeStripe();
let running: ProviderTestServer;

const { api } = tenantClient(() => running);

beforeAll(async () => {
  running = await startProviderServer({
    tenantCount: 1,
    fakes: [stripeFake(stripe)],
    inbound: { INBOUND_PAYMENTS_SECRET: STRIPE_SECRET },
    features: [moneyFeature, checkoutFeature, reconciliationFeature],
    env: { WEBHOOK_POLL_INTERVAL: '50ms', RECONCILIATION_DAILY: 'false' },
  });
}, 60_000);
afterAll(() => running?.close());

/** A Stripe checkout of `amount` EUR, settled by Stripe's signed webhook. */
async function paidCheckout(amount: number): Promise<Checkout> {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const invoice = await api<{ id: string }>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency: 'EUR',
    lines: [{ description: 'Package', quantity: 1, unitPrice: { amount, currency: 'EUR' } }],
  });
  const checkout = await api<Checkout>('POST', '/api/v1/checkouts', {
    invoiceId: invoice.id,
    gateway: 'stripe',
  });
  const success = await stripeIntentEvent(STRIPE_SECRET, 'payment_intent.succeeded', checkout);
  await postConcurrently(running.server.url, '/webhooks/payments', success, 1);
  return until(async () => {
    const current = await api<Checkout>('GET', `/api/v1/checkouts/${checkout.id}`);
    return current.status === 'succeeded' ? current : undefined;
  });
}

/** Stripe's balance transaction for a charge (the fake records refunds itself). */
function chargeLine(intentId: string, gross: number) {
  const fee = Math.round(gross * 0.029) + 30;
  stripe.balanceTransactions.push({
    id: `txn_chk_${intentId}`,
    object: 'balance_transaction',
    type: 'charge',
    amount: gross,
    fee,
    net: gross - fee,
    currency: 'eur',
    created: Math.floor(Date.now() / 1000),
    source: intentId,
  });
}

test(`checkout captures and refunds match their settlement lines; the planted breaks are found (${testDatabaseKind})`, async () => {
  const settled = await paidCheckout(10_000);
  chargeLine(settled.providerRef ?? '', 10_000);
  await api('POST', `/api/v1/checkouts/${settled.id}/refund`, {
    amount: { amount: 3_000, currency: 'EUR' },
    reason: 'requested_by_customer',
  });
  const unsettled = await paidCheckout(5_000); // no charge line: missing in settlement
  stripe.balanceTransactions.push({
    id: 'txn_chk_ghost_refund',
    object: 'balance_transaction',
    type: 'refund',
    amount: -1_500,
    fee: 0,
    net: -1_500,
    currency: 'eur',
    created: Math.floor(Date.now() / 1000),
    source: 'pi_never_refunded_here',
  }); // missing in ledger

  const now = Date.now();
  const run = await api<ReconciliationRun>('POST', '/api/v1/reconciliation/runs', {
    provider: 'stripe',
    from: new Date(now - 3_600_000).toISOString(),
    to: new Date(now + 3_600_000).toISOString(),
  });
  expect(run).toMatchObject({ status: 'completed', linesRead: 3, matched: 2, breaks: 2 });
  const page = await api<{ data: ReconciliationBreak[] }>(
    'GET',
    `/api/v1/reconciliation/breaks?runId=${run.id}&limit=100`,
  );
  expect(page.data.map((b) => [b.kind, b.paymentRef, b.lines.length]).sort()).toEqual([
    ['missing_in_ledger', 'pi_never_refunded_here', 1],
    ['missing_in_settlement', unsettled.providerRef, 0],
  ]);
  expect(page.data.find((b) => b.kind === 'missing_in_settlement')?.expected).toEqual({
    amount: 5_000,
    currency: 'EUR',
  });
}, 120_000);
