/**
 * Payment gateways' webhooks as the gateways send them: Stripe events
 * signed with `Stripe-Signature`, Razorpay events signed with
 * `X-Razorpay-Signature` and carrying their `X-Razorpay-Event-Id`, each
 * with a fresh event id; and the same webhook posted many times at once,
 * as a gateway's retry storm would.
 */
import type { Checkout } from '@clinicbridge/sdk/contract';
import { getScheme } from '@clinicbridge/webhooks';
import { createHmacScheme } from '@clinicbridge/webhooks/hmac';
import { expect } from 'vitest';

/** A webhook's raw body and the headers that sign it. */
export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

const razorpaySigner = createHmacScheme({ header: 'x-razorpay-signature' });

/**
 * A Stripe event of `type` about `object`, signed with `secret`.
 *
 * @example
 * const { body, headers } = await stripeEvent(secret, 'invoice.paid', { id: 'in_1', … });
 */
export async function stripeEvent(
  secret: string,
  type: string,
  object: Record<string, unknown>,
): Promise<SignedWebhook> {
  const body = JSON.stringify({
    id: `evt_${crypto.randomUUID().replaceAll('-', '')}`,
    object: 'event',
    type,
    data: { object },
  });
  return { body, headers: await getScheme('stripe').sign({ payload: body, secret }) };
}

/**
 * A Stripe `payment_intent.*` event about a checkout's payment intent: all
 * of it received when `type` is `payment_intent.succeeded`, nothing otherwise.
 *
 * @example
 * const webhook = await stripeIntentEvent(secret, 'payment_intent.succeeded', checkout);
 */
export function stripeIntentEvent(
  secret: string,
  type: string,
  checkout: Checkout,
  extra: Record<string, unknown> = {},
): Promise<SignedWebhook> {
  return stripeEvent(secret, type, {
    id: checkout.providerRef,
    amount: checkout.amount.amount,
    amount_received: type === 'payment_intent.succeeded' ? checkout.amount.amount : 0,
    currency: checkout.amount.currency.toLowerCase(),
    metadata: { reference: checkout.id },
    ...extra,
  });
}

/**
 * A Razorpay event carrying `payload` (its keys are the entities it
 * `contains`), signed with `secret`.
 *
 * @example
 * const webhook = await razorpayEvent(secret, 'refund.processed', { refund: { entity: refund } });
 */
export async function razorpayEvent(
  secret: string,
  event: string,
  payload: Record<string, unknown>,
): Promise<SignedWebhook> {
  const body = JSON.stringify({
    entity: 'event',
    account_id: 'acc_FakeClinic0001',
    event,
    contains: Object.keys(payload),
    payload,
    created_at: Math.floor(Date.now() / 1000),
  });
  const headers = await razorpaySigner.sign({ payload: body, secret });
  return { body, headers: { ...headers, 'x-razorpay-event-id': `evt_${crypto.randomUUID()}` } };
}

/**
 * Posts the same webhook to `path` `times` times at once; expects every answer 2xx.
 *
 * @example
 * await postConcurrently(server.url, '/webhooks/payments', webhook, 20);
 */
export async function postConcurrently(
  serverUrl: string,
  path: string,
  webhook: SignedWebhook,
  times: number,
): Promise<void> {
  const answers = await Promise.all(
    Array.from({ length: times }, () =>
      fetch(`${serverUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...webhook.headers },
        body: webhook.body,
      }).then(async (res) => {
        await res.body?.cancel();
        return res.status;
      }),
    ),
  );
  expect(answers.filter((status) => status >= 300)).toEqual([]);
}
