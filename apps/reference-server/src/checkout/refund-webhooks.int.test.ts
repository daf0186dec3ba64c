/**
 * Refunds the gateway answers as pending, finished by its later webhook,
 * over real HTTP: a started server with Stripe's and Razorpay's fakes on
 * 127.0.0.1 set to answer refunds `pending`. Asking the refund records
 * `payment.refund.initiated` only; the gateway's signed success webhook,
 * delivered several times at once with new event ids, records
 * `payment.refund.issued` and `refund.completed` exactly once; a refund
 * the gateway reports failed records neither and raises one alert.
 */
import { FakeRazorpay, FakeStripe } from '@clinicbridge/adapters/testing';
import type { Checkout, Invoice } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import {
  postConcurrently,
  razorpayEvent,
  type SignedWebhook,
  stripeEvent,
} from '../../test/helpers/gateway-webhooks.ts';
import { tenantClient } from '../../test/helpers/http-server.ts';
import {
  type ProviderTestServer,
  razorpayFake,
  startProviderServer,
  stripeFake,
} from '../../test/helpers/provider-server.ts';
import { until } from '../../test/helpers/until.ts';
import { moneyFeature } from '../money/feature.ts';
import { checkoutFeature } from './feature.ts';

const STRIPE_SECRET = 'whsec_refund_webhooks_secret';
const RAZORPAY_SECRET = 'razorpay-refund-webhooks-secret';
const stripe = new FakeStripe();
const razorpay = new FakeRazorpay();
let running: ProviderTestServer;

beforeAll(async () => {
  stripe.refundStatus = 'pending';
  razorpay.refundStatus = 'pending';
  running = await startProviderServer({
    tenantCount: 1,
    fakes: [stripeFake(stripe), razorpayFake(razorpay)],
    inbound: { INBOUND_PAYMENTS_SECRET: STRIPE_SECRET, INBOUND_RAZORPAY_SECRET: RAZORPAY_SECRET },
    features: [moneyFeature, checkoutFeature],
    env: { WEBHOOK_POLL_INTERVAL: '50ms' },
  });
}, 60_000);
afterAll(() => running?.close());

const { api } = tenantClient(() => running);
const db = () => running.server.database.db;

const post = (path: string, webhook: SignedWebhook, times: number) =>
  postConcurrently(running.server.url, path, webhook, times);

const stripeWebhook = (type: string, object: Record<string, unknown>) =>
  stripeEvent(STRIPE_SECRET, type, object);

const razorpayWebhook = (event: string, entity: string, object: Record<string, unknown>) =>
  razorpayEvent(RAZORPAY_SECRET, event, { [entity]: { entity: object } });

/** Every inbound webhook received so far has been processed. */
const inboundSettled = () =>
  until(async () => {
    const open = await db()
      .selectFrom('inbound_webhooks')
      .select('id')
      .where('status', '=', 'received')
      .execute();
    return open.length === 0 ? true : undefined;
  });

/** The recorded events of a checkout by type, for one refund. */
async function refundEvents(checkoutId: string, refundId: string): Promise<string[]> {
  const rows = await db()
    .selectFrom('events')
    .select(['type', 'data'])
    .where('entity_id', '=', checkoutId)
    .orderBy('sequence')
    .execute();
  return rows
    .filter((r) =>
      (typeof r.data === 'string' ? r.data : JSON.stringify(r.data)).includes(refundId),
    )
    .map((r) => r.type);
}

async function alertsAbout(kind: string, id: string): Promise<number> {
  const rows = await db()
    .selectFrom('operator_alerts')
    .select('details')
    .where('kind', '=', kind)
    .execute();
  return rows.filter((r) =>
    (typeof r.details === 'string' ? r.details : JSON.stringify(r.details)).includes(id),
  ).length;
}

async function invoice(currency: string, amount: number): Promise<Invoice> {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  return api<Invoice>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency,
    lines: [{ description: 'Treatment', quantity: 1, unitPrice: { amount, currency } }],
  });
}

const checkoutIn = (id: string, status: Checkout['status']) =>
  until(async () => {
    const current = await api<Checkout>('GET', `/api/v1/checkouts/${id}`);
    return current.status === status ? current : undefined;
  });

async function refundRow(checkoutId: string, amount: number) {
  return db()
    .selectFrom('checkout_refunds')
    .selectAll()
    .where('checkout_id', '=', checkoutId)
    .where('amount', '=', amount)
    .executeTakeFirstOrThrow();
}

test(`Stripe: a pending refund completes once from its webhook; a failed one alerts once (${testDatabaseKind})`, async () => {
  const inv = await invoice('EUR', 50_000);
  const checkout = await api<Checkout>('POST', '/api/v1/checkouts', {
    invoiceId: inv.id,
    gateway: 'stripe',
  });
  const intent = {
    id: checkout.providerRef,
    amount: 50_000,
    amount_received: 50_000,
    currency: 'eur',
    metadata: { reference: checkout.id },
  };
  const paid = await stripeWebhook('payment_intent.succeeded', intent);
  await post('/webhooks/payments', paid, 1);
  await checkoutIn(checkout.id, 'succeeded');

  await api('POST', `/api/v1/checkouts/${checkout.id}/refund`, {
    amount: { amount: 3_000, currency: 'EUR' },
    reason: 'requested_by_customer',
  });
  const first = await refundRow(checkout.id, 3_000);
  expect(first.status).toBe('pending');
  expect(await refundEvents(checkout.id, first.id)).toEqual(['payment.refund.initiated']);

  const refundObject = (status: string, id: string, amount: number) => ({
    id,
    object: 'refund',
    amount,
    currency: 'eur',
    payment_intent: checkout.providerRef,
    status,
  });
  const stillPending = await stripeWebhook(
    'refund.updated',
    refundObject('pending', first.provider_refund_id, 3_000),
  );
  await post('/webhooks/payments', stillPending, 1);
  const succeeded = await Promise.all(
    Array.from({ length: 5 }, () =>
      stripeWebhook('refund.updated', refundObject('succeeded', first.provider_refund_id, 3_000)),
    ),
  );
  await Promise.all(succeeded.map((e) => post('/webhooks/payments', e, 2)));
  await inboundSettled();
  expect(await refundEvents(checkout.id, first.id)).toEqual([
    'payment.refund.initiated',
    'payment.refund.issued',
    'refund.completed',
  ]);
  expect((await refundRow(checkout.id, 3_000)).status).toBe('succeeded');

  await api('POST', `/api/v1/checkouts/${checkout.id}/refund`, {
    amount: { amount: 2_000, currency: 'EUR' },
    reason: 'duplicate',
  });
  const second = await refundRow(checkout.id, 2_000);
  for (let i = 0; i < 3; i++) {
    const failed = await stripeWebhook(
      'refund.failed',
      refundObject('failed', second.provider_refund_id, 2_000),
    );
    await post('/webhooks/payments', failed, 1);
  }
  await inboundSettled();
  expect(await refundEvents(checkout.id, second.id)).toEqual(['payment.refund.initiated']);
  expect((await refundRow(checkout.id, 2_000)).status).toBe('failed');
  expect(await alertsAbout('checkout_refund_failed', second.id)).toBe(1);
}, 120_000);

test(`Razorpay UPI: a pending refund completes once on refund.processed (${testDatabaseKind})`, async () => {
  const inv = await invoice('INR', 400_000);
  const checkout = await api<Checkout>('POST', '/api/v1/checkouts', {
    invoiceId: inv.id,
    gateway: 'razorpay',
    method: 'upi',
  });
  const paymentId = razorpay.completeOrder(checkout.providerRef ?? '', 'upi');
  const captured = await razorpayWebhook('payment.captured', 'payment', {
    id: paymentId,
    entity: 'payment',
    amount: 400_000,
    currency: 'INR',
    status: 'captured',
    order_id: checkout.providerRef,
    method: 'upi',
  });
  await post('/webhooks/razorpay', captured, 1);
  await checkoutIn(checkout.id, 'succeeded');

  await api('POST', `/api/v1/checkouts/${checkout.id}/refund`, {
    amount: { amount: 100_000, currency: 'INR' },
    reason: 'requested_by_customer',
  });
  const row = await refundRow(checkout.id, 100_000);
  expect(row).toMatchObject({ status: 'pending', gateway: 'razorpay' });
  const processed = await Promise.all(
    Array.from({ length: 3 }, () =>
      razorpayWebhook('refund.processed', 'refund', {
        id: row.provider_refund_id,
        entity: 'refund',
        payment_id: paymentId,
        amount: 100_000,
        currency: 'INR',
        status: 'processed',
      }),
    ),
  );
  await Promise.all(processed.map((e) => post('/webhooks/razorpay', e, 2)));
  await inboundSettled();
  expect(await refundEvents(checkout.id, row.id)).toEqual([
    'payment.refund.initiated',
    'payment.refund.issued',
    'refund.completed',
  ]);
}, 120_000);
