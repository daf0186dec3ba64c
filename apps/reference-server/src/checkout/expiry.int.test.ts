/**
 * Abandoned checkouts over real HTTP: a started server with a one-second
 * `CHECKOUT_EXPIRY` and Stripe's fake on 127.0.0.1. A checkout nobody pays
 * is closed by the scheduler as `cancelled` (`checkout_expired`), audited,
 * and `payment.failed` reaches the partner; a success the gateway sends
 * afterwards, three times with new event ids, posts nothing and raises
 * exactly one operator alert; the invoice takes a new checkout.
 */
import { FakeStripe } from '@clinicbridge/adapters/testing';
import type { Checkout, EventEnvelope, Invoice } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { stripeIntentEvent } from '../../test/helpers/gateway-webhooks.ts';
import { tenantClient } from '../../test/helpers/http-server.ts';
import {
  type ProviderTestServer,
  startProviderServer,
  stripeFake,
} from '../../test/helpers/provider-server.ts';
import { until } from '../../test/helpers/until.ts';
import { moneyFeature } from '../money/feature.ts';
import { checkoutFeature } from './feature.ts';

const STRIPE_WEBHOOK_SECRET = 'whsec_checkout_expiry_secret';
const stripe = new FakeStripe();
let receiver: Receiver;
let running: ProviderTestServer;

beforeAll(async () => {
  receiver = await startReceiver();
  running = await startProviderServer({
    tenantCount: 1,
    fakes: [stripeFake(stripe)],
    inbound: { INBOUND_PAYMENTS_SECRET: STRIPE_WEBHOOK_SECRET },
    partner: { receiver, eventTypes: ['payment.failed'] },
    features: [moneyFeature, checkoutFeature],
    env: { WEBHOOK_POLL_INTERVAL: '50ms', CHECKOUT_EXPIRY: '1s' },
  });
}, 60_000);
afterAll(async () => {
  await running?.close();
  await receiver?.close();
});

const { api } = tenantClient(() => running);
const db = () => running.server.database.db;

async function stripeSuccess(checkout: Checkout): Promise<number> {
  const { body, headers } = await stripeIntentEvent(
    STRIPE_WEBHOOK_SECRET,
    'payment_intent.succeeded',
    checkout,
  );
  const answer = await fetch(`${running.server.url}/webhooks/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return answer.status;
}

test(`an abandoned checkout expires once; a late success posts nothing and alerts once (${testDatabaseKind})`, async () => {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const invoice = await api<Invoice>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency: 'EUR',
    lines: [
      { description: 'Consultation', quantity: 1, unitPrice: { amount: 15_000, currency: 'EUR' } },
    ],
  });
  const checkout = await api<Checkout>('POST', '/api/v1/checkouts', {
    invoiceId: invoice.id,
    gateway: 'stripe',
  });
  expect(checkout.status).toBe('pending');

  const expired = await until(async () => {
    const current = await api<Checkout>('GET', `/api/v1/checkouts/${checkout.id}`);
    return current.status === 'pending' ? undefined : current;
  });
  expect(expired).toMatchObject({
    status: 'cancelled',
    failureCode: 'checkout_expired',
    paymentId: null,
  });
  const failed = await until(() =>
    receiver.received
      .filter((r) => r.path === '/partner' && r.verified)
      .map((r) => JSON.parse(r.body) as EventEnvelope)
      .find((e) => e.type === 'payment.failed' && JSON.stringify(e.data).includes(checkout.id)),
  );
  expect(failed.data).toMatchObject({ failureCode: 'checkout_expired', invoiceId: invoice.id });
  const audits = await db()
    .selectFrom('audit_events')
    .select('action')
    .where('entity_id', '=', checkout.id)
    .execute();
  expect(audits.map((a) => a.action).filter((a) => a === 'checkout.expired')).toHaveLength(1);

  // The payer completes the dead link anyway: three deliveries, new event ids each time.
  for (let i = 0; i < 3; i++) expect(await stripeSuccess(checkout)).toBeLessThan(300);
  const alerts = await until(async () => {
    const rows = await db()
      .selectFrom('operator_alerts')
      .select(['kind', 'details'])
      .where('kind', '=', 'checkout_captured_after_close')
      .execute();
    const mine = rows.filter((r) =>
      (typeof r.details === 'string' ? r.details : JSON.stringify(r.details)).includes(checkout.id),
    );
    const processed = await db()
      .selectFrom('inbound_webhooks')
      .select('id')
      .where('status', '=', 'processed')
      .execute();
    return mine.length > 0 && processed.length >= 3 ? mine : undefined;
  });
  expect(alerts).toHaveLength(1);
  expect(await api<Checkout>('GET', `/api/v1/checkouts/${checkout.id}`)).toMatchObject({
    status: 'cancelled',
    paymentId: null,
  });
  expect(await api<Invoice>('GET', `/api/v1/invoices/${invoice.id}`)).toMatchObject({
    balance: { amount: 15_000 },
  });
  const postings = await db()
    .selectFrom('ledger_transfers')
    .select('id')
    .where('idempotency_key', 'like', `checkout:${checkout.id}:%`)
    .execute();
  expect(postings).toEqual([]);

  // The invoice is open again: a new checkout can be made for it.
  const again = await api<Checkout>('POST', '/api/v1/checkouts', {
    invoiceId: invoice.id,
    gateway: 'stripe',
  });
  expect(again.id).not.toBe(checkout.id);
}, 120_000);
