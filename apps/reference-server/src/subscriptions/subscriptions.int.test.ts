/**
 * Subscriptions end to end over real HTTP: a started server whose Stripe
 * and Razorpay adapters point at the adapters' fakes served on 127.0.0.1,
 * and a partner's webhook receiver on 127.0.0.1. A subscription is created
 * through the API (and exists at the fake); the gateway's signed renewal
 * webhook, delivered 10 times at once as a retry storm would, and once more
 * under 10 new event ids at once, posts to the ledger once (`subscription.renewed`);
 * a failed charge posts nothing (`subscription.payment_failed`); the plan
 * changes at the gateway; cancelling now ends it, and the gateway's own
 * cancellation ends it once. The ledger's invariants hold throughout.
 */
import { FakeRazorpay, FakeStripe } from '@clinicbridge/adapters/testing';
import type { EventEnvelope, Subscription } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
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
import { findLedgerViolations } from '../money/verify.ts';
import { subscriptionsFeature } from './feature.ts';

const STRIPE_WEBHOOK_SECRET = 'whsec_subscription_test_secret';
const RAZORPAY_WEBHOOK_SECRET = 'razorpay-subscription-webhook-secret';
const stripe = new FakeStripe();
const razorpay = new FakeRazorpay();
let receiver: Receiver;
let running: ProviderTestServer;

beforeAll(async () => {
  receiver = await startReceiver();
  running = await startProviderServer({
    tenantCount: 1,
    fakes: [stripeFake(stripe), razorpayFake(razorpay)],
    inbound: {
      INBOUND_PAYMENTS_SECRET: STRIPE_WEBHOOK_SECRET,
      INBOUND_RAZORPAY_SECRET: RAZORPAY_WEBHOOK_SECRET,
    },
    partner: { receiver, eventTypes: ['*'] },
    features: [moneyFeature, subscriptionsFeature],
    env: { WEBHOOK_POLL_INTERVAL: '50ms' },
  });
}, 60_000);
afterAll(async () => {
  await running?.close();
  await receiver?.close();
});

const { call, api } = tenantClient(() => running);
const db = () => running.server.database.db;

/** Posts the same signed webhook `times` times at once, as a retry storm would. */
const deliver = (path: string, webhook: SignedWebhook, times: number) =>
  postConcurrently(running.server.url, path, webhook, times);

const stripeWebhook = (type: string, object: Record<string, unknown>) =>
  stripeEvent(STRIPE_WEBHOOK_SECRET, type, object);

const stripeInvoice = (type: string, sub: Subscription, invoiceId: string, amount: number) =>
  stripeWebhook(type, {
    id: invoiceId,
    object: 'invoice',
    subscription: sub.providerRef,
    currency: sub.amount.currency.toLowerCase(),
    amount_due: amount,
    amount_paid: type === 'invoice.paid' ? amount : 0,
    billing_reason: 'subscription_cycle',
  });

const razorpayWebhook = (event: string, payload: Record<string, unknown>) =>
  razorpayEvent(RAZORPAY_WEBHOOK_SECRET, event, payload);

async function subscribe(body: Record<string, unknown>): Promise<Subscription> {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  return api<Subscription>('POST', '/api/v1/subscriptions', { patientId: patient.id, ...body });
}

const subscriptionWhere = (id: string, ok: (s: Subscription) => boolean) =>
  until(async () => {
    const current = await api<Subscription>('GET', `/api/v1/subscriptions/${id}`);
    return ok(current) ? current : undefined;
  });

async function renewalPostings(id: string): Promise<{ amount: number; key: string }[]> {
  const rows = await db()
    .selectFrom('ledger_transfers')
    .select(['amount', 'idempotency_key'])
    .where('idempotency_key', 'like', `subscription:${id}:%`)
    .execute();
  return rows.map((r) => ({ amount: Number(r.amount), key: r.idempotency_key }));
}

function partnerEvents(id: string): string[] {
  return receiver.received
    .filter((r) => r.path === '/partner' && r.verified)
    .map((r) => JSON.parse(r.body) as EventEnvelope)
    .filter((e) => JSON.stringify(e.data).includes(id))
    .map((e) => e.type);
}

const waitForEvents = (id: string, types: string[]) =>
  until(() => {
    const got = partnerEvents(id);
    return types.every((t) => got.includes(t)) ? got : undefined;
  });

/** Lets the inbound processor work through what was delivered; none of it may fail. */
async function processed(provider: string, count: number): Promise<void> {
  const rows = await until(async () => {
    const all = await db()
      .selectFrom('inbound_webhooks')
      .select(['status', 'reason'])
      .where('provider', '=', provider)
      .execute();
    const done = all.every((r) => r.status !== 'received');
    return all.length >= count && done ? all : undefined;
  });
  expect(rows.filter((r) => r.status !== 'processed')).toEqual([]);
}

describe(`subscriptions over HTTP with the gateways' fakes (${testDatabaseKind})`, () => {
  test('Stripe: create; a renewal storm posts once; a failure posts nothing; change plan; cancel', async () => {
    const sub = await subscribe({
      gateway: 'stripe',
      planId: 'price_monthly_care',
      customerRef: 'cus_clinic_1',
      amount: { amount: 2_900, currency: 'EUR' },
      interval: 'month',
    });
    expect(sub).toMatchObject({ status: 'active', periodsPaid: 0, gateway: 'stripe' });
    expect(stripe.subscriptions.get(sub.providerRef)).toMatchObject({
      customer: 'cus_clinic_1',
      metadata: { reference: sub.id },
    });

    const renewal = await stripeInvoice('invoice.paid', sub, 'in_renewal_0001', 2_900);
    await deliver('/webhooks/payments', renewal, 10);
    const renewed = await subscriptionWhere(sub.id, (s) => s.periodsPaid === 1);
    expect(renewed.status).toBe('active');
    // The same invoice again under 10 new event ids at once (each passes the inbound
    // feature's dedupe and races for the subscription's lock): still one posting.
    const replays = await Promise.all(
      Array.from({ length: 10 }, () =>
        stripeInvoice('invoice.paid', sub, 'in_renewal_0001', 2_900),
      ),
    );
    await Promise.all(replays.map((r) => deliver('/webhooks/payments', r, 1)));
    await waitForEvents(sub.id, ['subscription.created', 'subscription.renewed']);

    const failed = await stripeInvoice('invoice.payment_failed', sub, 'in_renewal_0002', 2_900);
    await deliver('/webhooks/payments', failed, 5);
    const pastDue = await subscriptionWhere(sub.id, (s) => s.status === 'past_due');
    expect(pastDue).toMatchObject({ periodsPaid: 1, failureCode: 'payment_failed' });
    await waitForEvents(sub.id, ['subscription.payment_failed']);
    await processed('payments', 12);
    expect(await renewalPostings(sub.id)).toEqual([
      { amount: 2_900, key: `subscription:${sub.id}:renewal:in_renewal_0001` },
    ]);
    expect(partnerEvents(sub.id).filter((t) => t === 'subscription.renewed')).toHaveLength(1);
    expect(partnerEvents(sub.id).filter((t) => t === 'subscription.payment_failed')).toHaveLength(
      1,
    );

    // Stripe retries the invoice and it is paid: the period posts, the subscription is active again.
    const retried = await stripeInvoice('invoice.paid', sub, 'in_renewal_0002', 2_900);
    await deliver('/webhooks/payments', retried, 2);
    expect(await subscriptionWhere(sub.id, (s) => s.periodsPaid === 2)).toMatchObject({
      status: 'active',
      failureCode: null,
    });

    const changed = await api<Subscription>('POST', `/api/v1/subscriptions/${sub.id}/change-plan`, {
      planId: 'price_yearly_care',
      amount: { amount: 29_000, currency: 'EUR' },
    });
    expect(changed).toMatchObject({ planId: 'price_yearly_care', amount: { amount: 29_000 } });
    expect(stripe.subscriptions.get(sub.providerRef)?.items.data[0]?.price.id).toBe(
      'price_yearly_care',
    );

    const ending = await api<Subscription>('POST', `/api/v1/subscriptions/${sub.id}/cancel`, {});
    expect(ending).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    expect(stripe.subscriptions.get(sub.providerRef)?.cancel_at_period_end).toBe(true);
    // The period ends at Stripe: its deletion event ends the subscription, once.
    const deleted = await stripeWebhook('customer.subscription.deleted', {
      id: sub.providerRef,
      object: 'subscription',
      status: 'canceled',
    });
    await deliver('/webhooks/payments', deleted, 5);
    const ended = await subscriptionWhere(sub.id, (s) => s.status === 'cancelled');
    expect(ended.cancelledAt).toEqual(expect.any(String));
    await waitForEvents(sub.id, ['subscription.cancelled']);
    const again = await call('POST', `/api/v1/subscriptions/${sub.id}/cancel`, {
      atPeriodEnd: false,
    });
    expect([again.status, again.body.code]).toEqual([409, 'invalid_state_transition']);
    expect(await renewalPostings(sub.id)).toHaveLength(2);
    expect(await findLedgerViolations(db())).toEqual([]);
  }, 120_000);

  test('Stripe: plans change back and forth; cancel now ends it; the list finds it', async () => {
    const sub = await subscribe({
      gateway: 'stripe',
      planId: 'price_monthly_care',
      customerRef: 'cus_clinic_2',
      amount: { amount: 4_500, currency: 'EUR' },
      interval: 'month',
    });
    // Each change is a change of its own at Stripe, even to a plan held before.
    for (const planId of ['price_yearly_care', 'price_monthly_care', 'price_yearly_care']) {
      await api('POST', `/api/v1/subscriptions/${sub.id}/change-plan`, {
        planId,
        amount: { amount: 4_500, currency: 'EUR' },
      });
      expect(stripe.subscriptions.get(sub.providerRef)?.items.data[0]?.price.id).toBe(planId);
    }
    const ended = await api<Subscription>('POST', `/api/v1/subscriptions/${sub.id}/cancel`, {
      atPeriodEnd: false,
    });
    expect(ended.status).toBe('cancelled');
    expect(stripe.subscriptions.get(sub.providerRef)?.status).toBe('canceled');
    await waitForEvents(sub.id, ['subscription.created', 'subscription.cancelled']);
    const listed = await api<{ data: Subscription[] }>(
      'GET',
      `/api/v1/subscriptions?patientId=${sub.patientId}`,
    );
    expect(listed.data.map((s) => s.id)).toEqual([sub.id]);
    const noCustomer = await call('POST', '/api/v1/subscriptions', {
      patientId: sub.patientId,
      gateway: 'stripe',
      planId: 'price_monthly_care',
      amount: { amount: 4_500, currency: 'EUR' },
      interval: 'month',
    });
    expect([noCustomer.status, noCustomer.body.code]).toEqual([422, 'unprocessable']);
  }, 60_000);

  test('Razorpay: a charged cycle posts once; a failed payment and a halt post nothing', async () => {
    const sub = await subscribe({
      gateway: 'razorpay',
      planId: 'plan_MonthlyCare01',
      amount: { amount: 49_900, currency: 'INR' },
      interval: 'month',
    });
    expect(razorpay.subscriptions.get(sub.providerRef)).toMatchObject({
      plan_id: 'plan_MonthlyCare01',
      notes: { reference: sub.id },
    });
    const subscription = { entity: { id: sub.providerRef, entity: 'subscription', paid_count: 1 } };
    const payment = (id: string, extra: object = {}) => ({
      entity: { id, entity: 'payment', amount: 49_900, currency: 'INR', ...extra },
    });
    const charged = await razorpayWebhook('subscription.charged', {
      subscription,
      payment: payment('pay_SubCycle0001', { status: 'captured' }),
    });
    await deliver('/webhooks/razorpay', charged, 10);
    await subscriptionWhere(sub.id, (s) => s.periodsPaid === 1);

    const declined = await razorpayWebhook('payment.failed', {
      subscription,
      payment: payment('pay_SubCycle0002', { status: 'failed', error_reason: 'payment_failed' }),
    });
    await deliver('/webhooks/razorpay', declined, 3);
    const halted = await razorpayWebhook('subscription.halted', { subscription });
    await deliver('/webhooks/razorpay', halted, 3);
    await subscriptionWhere(sub.id, (s) => s.status === 'past_due');
    await processed('razorpay', 3);
    // The declined payment and the halt are one failure each; their events reach the
    // partner through the delivery worker, so wait for both before counting.
    const failures = () => partnerEvents(sub.id).filter((t) => t === 'subscription.payment_failed');
    await waitForEvents(sub.id, ['subscription.renewed']);
    await until(() => (failures().length >= 2 ? true : undefined), 'two payment_failed events');
    expect(await renewalPostings(sub.id)).toEqual([
      { amount: 49_900, key: `subscription:${sub.id}:renewal:pay_SubCycle0001` },
    ]);
    expect(partnerEvents(sub.id).filter((t) => t === 'subscription.renewed')).toHaveLength(1);
    expect(failures()).toHaveLength(2);

    await api('POST', `/api/v1/subscriptions/${sub.id}/change-plan`, {
      planId: 'plan_YearlyCare01',
      amount: { amount: 499_000, currency: 'INR' },
    });
    expect(razorpay.subscriptions.get(sub.providerRef)?.scheduled_plan_id).toBe(
      'plan_YearlyCare01',
    );
    const cancelled = await razorpayWebhook('subscription.cancelled', { subscription });
    await deliver('/webhooks/razorpay', cancelled, 3);
    await subscriptionWhere(sub.id, (s) => s.status === 'cancelled');
    expect(await findLedgerViolations(db())).toEqual([]);
  }, 120_000);
});
