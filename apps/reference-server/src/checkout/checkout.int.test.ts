/**
 * Gateway payments end to end over real HTTP: a started server whose
 * Stripe, iyzico and Razorpay adapters point at the adapters' fakes served
 * on 127.0.0.1, and a partner's webhook receiver on 127.0.0.1. For each
 * gateway a checkout is created through the API, the payer completes it at
 * the fake, and the gateway's signed webhook — delivered 20 times at once,
 * as a retry storm would — settles it once: the invoice is paid, the ledger
 * posts once (balances read back through the API), an iyzico checkout with
 * milestones is held in escrow, and the catalogue events reach the
 * partner, verified with `standardwebhooks`. A failed or cancelled payment
 * posts nothing, even when a success for it arrives later; refunds go to
 * the original method through the gateway and never above the capture.
 */
import { iyzicoWebhookSignature } from '@clinicbridge/adapters/iyzico';
import { FakeIyzico, FakeRazorpay, FakeStripe } from '@clinicbridge/adapters/testing';
import type { Checkout, EventEnvelope, Invoice, LedgerBalance } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import {
  postConcurrently,
  razorpayEvent,
  type SignedWebhook,
  stripeIntentEvent,
} from '../../test/helpers/gateway-webhooks.ts';
import { tenantClient } from '../../test/helpers/http-server.ts';
import {
  iyzicoFake,
  type ProviderTestServer,
  razorpayFake,
  startProviderServer,
  stripeFake,
} from '../../test/helpers/provider-server.ts';
import { until } from '../../test/helpers/until.ts';
import { moneyFeature } from '../money/feature.ts';
import { findLedgerViolations } from '../money/verify.ts';
import { checkoutFeature } from './feature.ts';

const STRIPE_WEBHOOK_SECRET = 'whsec_checkout_test_secret';
const RAZORPAY_WEBHOOK_SECRET = 'razorpay-webhook-secret-test';
const stripe = new FakeStripe();
const razorpay = new FakeRazorpay();
const iyzico = new FakeIyzico();
let receiver: Receiver;
let running: ProviderTestServer;

beforeAll(async () => {
  receiver = await startReceiver();
  running = await startProviderServer({
    tenantCount: 1,
    fakes: [stripeFake(stripe), razorpayFake(razorpay), iyzicoFake(iyzico)],
    inbound: {
      INBOUND_PAYMENTS_SECRET: STRIPE_WEBHOOK_SECRET,
      INBOUND_RAZORPAY_SECRET: RAZORPAY_WEBHOOK_SECRET,
      INBOUND_IYZICO_SECRET: iyzico.secretKey,
    },
    partner: { receiver, eventTypes: ['*'] },
    features: [moneyFeature, checkoutFeature],
    env: { WEBHOOK_POLL_INTERVAL: '50ms' },
  });
}, 60_000);
afterAll(async () => {
  await running?.close();
  await receiver?.close();
});

const { call, api } = tenantClient(() => running);

async function invoice(currency: string, amount: number): Promise<Invoice> {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  return api<Invoice>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency,
    lines: [{ description: 'Treatment package', quantity: 1, unitPrice: { amount, currency } }],
  });
}

/** Posts the same signed webhook `times` times at once, as a retry storm would. */
const deliver = (path: string, webhook: SignedWebhook, times = 20) =>
  postConcurrently(running.server.url, path, webhook, times);

const stripeWebhook = (type: string, checkout: Checkout, extra: Record<string, unknown> = {}) =>
  stripeIntentEvent(STRIPE_WEBHOOK_SECRET, type, checkout, extra);

const razorpayWebhook = (event: string, checkout: Checkout, paymentId: string) =>
  razorpayEvent(RAZORPAY_WEBHOOK_SECRET, event, {
    payment: {
      entity: {
        id: paymentId,
        entity: 'payment',
        amount: checkout.amount.amount,
        currency: checkout.amount.currency,
        status: event === 'payment.failed' ? 'failed' : 'captured',
        order_id: checkout.providerRef,
        method: 'upi',
        error_reason: event === 'payment.failed' ? 'payment_timed_out' : null,
      },
    },
  });

const checkoutIn = (id: string, status: Checkout['status']) =>
  until(async () => {
    const current = await api<Checkout>('GET', `/api/v1/checkouts/${id}`);
    return current.status === status ? current : undefined;
  });

const db = () => running.server.database.db;

async function capturePostings(checkoutId: string): Promise<number> {
  const rows = await db()
    .selectFrom('ledger_transfers')
    .select('id')
    .where('idempotency_key', 'like', `checkout:${checkoutId}:%`)
    .execute();
  return rows.length;
}

async function accountBalance(code: string): Promise<LedgerBalance> {
  const account = await db()
    .selectFrom('ledger_accounts')
    .select('id')
    .where('tenant_id', '=', running.tenants[0]?.tenantId ?? '')
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  return api<LedgerBalance>('GET', `/api/v1/ledger/accounts/${account.id}/balance`);
}

/** The partner's verified deliveries about `entityIds`, as event types. */
function partnerEvents(...entityIds: string[]): string[] {
  return receiver.received
    .filter((r) => r.path === '/partner' && r.verified)
    .map((r) => JSON.parse(r.body) as EventEnvelope)
    .filter((e) => entityIds.some((id) => JSON.stringify(e.data).includes(id)))
    .map((e) => e.type);
}

const waitForEvents = (types: string[], ...entityIds: string[]) =>
  until(() => {
    const got = partnerEvents(...entityIds);
    return types.every((t) => got.includes(t)) ? got : undefined;
  });

describe(`gateway checkouts over HTTP with the gateways' fakes (${testDatabaseKind})`, () => {
  test('Stripe: a retry storm of one signed webhook settles once; refund to the card, never above', async () => {
    const inv = await invoice('EUR', 90_000);
    const checkout = await api<Checkout>('POST', '/api/v1/checkouts', {
      invoiceId: inv.id,
      gateway: 'stripe',
    });
    expect(checkout).toMatchObject({ status: 'pending', amount: { amount: 90_000 } });
    expect(stripe.intents.get(checkout.providerRef ?? '')?.metadata.reference).toBe(checkout.id);
    const clearingBefore = (await accountBalanceOrZero('gateway_clearing:EUR')).posted;

    const succeeded = await stripeWebhook('payment_intent.succeeded', checkout);
    await deliver('/webhooks/payments', succeeded);
    const paid = await checkoutIn(checkout.id, 'succeeded');
    expect(paid.paymentId).toMatch(/^pay_/);
    expect(await api<Invoice>('GET', `/api/v1/invoices/${inv.id}`)).toMatchObject({
      status: 'paid',
      balance: { amount: 0 },
    });
    expect(await capturePostings(checkout.id)).toBe(1);
    expect((await accountBalance('gateway_clearing:EUR')).posted - clearingBefore).toBe(90_000);
    await waitForEvents(
      ['payment.initiated', 'payment.received', 'payment.succeeded', 'payment.balance.paid'],
      checkout.id,
      paid.paymentId ?? '',
    );
    // The same event again, later, with a new id: still nothing more.
    const again = await stripeWebhook('payment_intent.succeeded', checkout);
    await deliver('/webhooks/payments', again, 1);

    const refunded = await api<Checkout>('POST', `/api/v1/checkouts/${checkout.id}/refund`, {
      amount: { amount: 30_000, currency: 'EUR' },
      reason: 'treatment_cancelled',
    });
    expect(refunded.amountRefunded).toEqual({ amount: 30_000, currency: 'EUR' });
    expect(
      [...stripe.refunds.values()].filter((r) => r.payment_intent === checkout.providerRef),
    ).toHaveLength(1);
    const over = await call('POST', `/api/v1/checkouts/${checkout.id}/refund`, {
      amount: { amount: 60_001, currency: 'EUR' },
      reason: 'duplicate',
    });
    expect([over.status, over.body.code]).toEqual([422, 'refund_exceeds_payment']);
    await waitForEvents(
      ['payment.refund.initiated', 'payment.refund.issued', 'refund.completed', 'refund.issued'],
      checkout.id,
      paid.paymentId ?? '',
    );
    expect(await capturePostings(checkout.id)).toBe(2);
    expect(await findLedgerViolations(db())).toEqual([]);
  }, 90_000);

  test('Stripe: a failed or cancelled payment posts nothing, even when a success follows', async () => {
    const inv = await invoice('EUR', 12_000);
    const failing = await api<Checkout>('POST', '/api/v1/checkouts', {
      invoiceId: inv.id,
      gateway: 'stripe',
    });
    const failed = await stripeWebhook('payment_intent.payment_failed', failing, {
      last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
    });
    await deliver('/webhooks/payments', failed);
    expect(await checkoutIn(failing.id, 'failed')).toMatchObject({
      failureCode: 'card_declined',
      paymentId: null,
    });
    const late = await stripeWebhook('payment_intent.succeeded', failing);
    await deliver('/webhooks/payments', late, 1);

    const cancelling = await api<Checkout>('POST', '/api/v1/checkouts', {
      invoiceId: inv.id,
      gateway: 'stripe',
    });
    const cancelled = await stripeWebhook('payment_intent.canceled', cancelling);
    await deliver('/webhooks/payments', cancelled);
    await checkoutIn(cancelling.id, 'cancelled');

    // The card declined at creation (the fake declines 400.02 like Stripe's test card),
    // with Stripe's decline code.
    const declinedInvoice = await invoice('EUR', 40_002);
    const declined = await api<Checkout>('POST', '/api/v1/checkouts', {
      invoiceId: declinedInvoice.id,
      gateway: 'stripe',
    });
    expect(declined).toMatchObject({ status: 'failed', failureCode: 'insufficient_funds' });

    await waitForEvents(['payment.failed'], failing.id);
    await waitForEvents(['payment.failed'], cancelling.id);
    await waitForEvents(['payment.failed'], declined.id);
    // The late success was processed (not retried) and changed nothing.
    await until(async () => {
      const pending = await db()
        .selectFrom('inbound_webhooks')
        .select('id')
        .where('status', '=', 'received')
        .execute();
      return pending.length === 0 ? true : undefined;
    });
    for (const id of [failing.id, cancelling.id, declined.id]) {
      expect(await capturePostings(id)).toBe(0);
      expect(partnerEvents(id)).not.toContain('payment.succeeded');
    }
    expect(await api<Invoice>('GET', `/api/v1/invoices/${inv.id}`)).toMatchObject({
      status: 'open',
      amountPaid: { amount: 0 },
    });
  }, 90_000);

  test('Razorpay UPI: deposit then balance, captured + order.paid storms settle once, refund', async () => {
    const inv = await invoice('INR', 2_000_000);
    const deposit = await api<Checkout>('POST', '/api/v1/checkouts', {
      invoiceId: inv.id,
      gateway: 'razorpay',
      method: 'upi',
      amount: { amount: 500_000, currency: 'INR' },
    });
    expect(deposit).toMatchObject({ method: 'upi', clientSecret: deposit.providerRef });
    const depositPayment = razorpay.completeOrder(deposit.providerRef ?? '', 'upi');
    const captured = await razorpayWebhook('payment.captured', deposit, depositPayment);
    const forged = await fetch(`${running.server.url}/webhooks/razorpay`, {
      method: 'POST',
      headers: { ...captured.headers, 'content-type': 'application/json' },
      body: captured.body.replace('"amount":500000', '"amount":1'),
    });
    expect(forged.status).toBe(401);
    const orderPaid = await razorpayWebhook('order.paid', deposit, depositPayment);
    await Promise.all([
      deliver('/webhooks/razorpay', captured),
      deliver('/webhooks/razorpay', orderPaid),
    ]);
    const paidDeposit = await checkoutIn(deposit.id, 'succeeded');
    expect(await capturePostings(deposit.id)).toBe(1);
    await waitForEvents(
      ['payment.initiated', 'payment.succeeded', 'payment.deposit.paid'],
      deposit.id,
    );

    const balance = await api<Checkout>('POST', '/api/v1/checkouts', {
      invoiceId: inv.id,
      gateway: 'razorpay',
      method: 'upi',
    });
    expect(balance.amount).toEqual({ amount: 1_500_000, currency: 'INR' });
    const balancePayment = razorpay.completeOrder(balance.providerRef ?? '', 'upi');
    const rest = await razorpayWebhook('payment.captured', balance, balancePayment);
    await deliver('/webhooks/razorpay', rest);
    await checkoutIn(balance.id, 'succeeded');
    await waitForEvents(['payment.balance.paid'], balance.id);
    expect(await api<Invoice>('GET', `/api/v1/invoices/${inv.id}`)).toMatchObject({
      status: 'paid',
    });
    expect((await accountBalance('clinic_payable:INR')).posted).toBe(2_000_000);

    await api('POST', `/api/v1/checkouts/${paidDeposit.id}/refund`, {
      amount: { amount: 100_000, currency: 'INR' },
      reason: 'requested_by_customer',
    });
    expect(razorpay.payments.get(depositPayment)?.amount_refunded).toBe(100_000);
    expect((await accountBalance('clinic_payable:INR')).posted).toBe(1_900_000);
    await waitForEvents(
      ['payment.refund.initiated', 'payment.refund.issued', 'refund.completed'],
      deposit.id,
    );

    const failing = await api<Checkout>('POST', '/api/v1/checkouts', {
      invoiceId: (await invoice('INR', 10_000)).id,
      gateway: 'razorpay',
      method: 'upi',
    });
    const failed = await razorpayWebhook('payment.failed', failing, 'pay_FakeFailed00001');
    await deliver('/webhooks/razorpay', failed);
    expect(await checkoutIn(failing.id, 'failed')).toMatchObject({
      failureCode: 'payment_timed_out',
    });
    expect(await capturePostings(failing.id)).toBe(0);
    expect(await findLedgerViolations(db())).toEqual([]);
  }, 90_000);

  test('iyzico: a checkout with the case milestones is held in escrow when the signed webhook arrives', async () => {
    const inv = await invoice('TRY', 1_500_000);
    const checkout = await api<Checkout>('POST', '/api/v1/checkouts', {
      invoiceId: inv.id,
      gateway: 'iyzico',
      returnUrl: 'https://clinic.example/pay/return',
      payer: {
        id: 'payer-1',
        name: 'Ayse',
        surname: 'Yilmaz',
        identityNumber: '11111111111',
        email: 'ayse@example.com',
        registrationAddress: 'Maslak Mah. 1',
        city: 'Istanbul',
        country: 'Turkey',
        ip: '85.34.78.112',
      },
      escrow: {
        milestones: [
          { code: 'admission', amount: { amount: 500_000, currency: 'TRY' } },
          { code: 'surgery', amount: { amount: 1_000_000, currency: 'TRY' } },
        ],
      },
    });
    expect(checkout.redirectUrl).toContain(checkout.providerRef);
    // Nothing of the payer is kept.
    const stored = await db()
      .selectFrom('checkouts')
      .selectAll()
      .where('id', '=', checkout.id)
      .execute();
    expect(JSON.stringify(stored)).not.toMatch(/Yilmaz|11111111111|ayse@/);

    const paymentId = iyzico.completeCheckout(checkout.providerRef ?? '');
    const payload = {
      paymentConversationId: checkout.id,
      merchantId: 3_382_172,
      token: checkout.providerRef,
      status: 'SUCCESS',
      iyziReferenceCode: crypto.randomUUID(),
      iyziEventType: 'CHECKOUT_FORM_AUTH',
      iyziEventTime: Date.now(),
      iyziPaymentId: Number(paymentId),
    };
    const body = JSON.stringify(payload);
    const signature = iyzicoWebhookSignature(payload, iyzico.secretKey) ?? '';
    const forged = await call('POST', '/webhooks/iyzico', payload);
    expect(forged.status).toBe(401);
    await deliver('/webhooks/iyzico', { body, headers: { 'x-iyz-signature-v3': signature } });

    const paid = await checkoutIn(checkout.id, 'succeeded');
    expect(paid.escrowId).toMatch(/^esc_/);
    const escrow = await api<{ accountId: string; held: unknown; status: string }>(
      'GET',
      `/api/v1/escrows/${paid.escrowId}`,
    );
    expect(escrow).toMatchObject({ status: 'held', held: { amount: 1_500_000, currency: 'TRY' } });
    const held = await api<LedgerBalance>(
      'GET',
      `/api/v1/ledger/accounts/${escrow.accountId}/balance`,
    );
    expect(held).toMatchObject({ posted: 1_500_000, pending: -1_500_000, available: 0 });
    await waitForEvents(
      ['payment.initiated', 'payment.succeeded', 'payment.balance.paid', 'escrow.held'],
      checkout.id,
      paid.escrowId ?? '',
    );
    const escrowed = await call('POST', `/api/v1/checkouts/${checkout.id}/refund`, {
      amount: { amount: 1, currency: 'TRY' },
      reason: 'duplicate',
    });
    expect([escrowed.status, escrowed.body.code]).toEqual([409, 'conflict']);
    const heldOnce = await db()
      .selectFrom('escrows')
      .select('id')
      .where('payment_id', '=', paid.paymentId ?? '')
      .execute();
    expect(heldOnce).toHaveLength(1);
    expect(await findLedgerViolations(db())).toEqual([]);
    // What partners received carries ids, codes and amounts only.
    expect(JSON.stringify(receiver.received.map((r) => r.body))).not.toMatch(/Yilmaz|ayse@/);
  }, 90_000);
});

async function accountBalanceOrZero(code: string): Promise<{ posted: number }> {
  const exists = await db()
    .selectFrom('ledger_accounts')
    .select('id')
    .where('tenant_id', '=', running.tenants[0]?.tenantId ?? '')
    .where('code', '=', code)
    .executeTakeFirst();
  return exists ? accountBalance(code) : { posted: 0 };
}
