import Stripe from 'stripe';
import { describe, expect, test } from 'vitest';
import { stripeVector } from '../__fixtures__/vectors.ts';
import { stripeScheme } from './index.ts';

const stripe = new Stripe('sk_test_clinicbridge');
const { secret, payload, timestamp } = stripeVector;
const header = stripeVector['Stripe-Signature'];
const at = (seconds: number) => ({ now: () => seconds * 1000 });

async function codeOf(run: () => Promise<unknown>): Promise<string | undefined> {
  return run().then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

describe('stripe scheme', () => {
  test('reproduces the header stripe-node generated for the fixture', async () => {
    expect(await stripeScheme.sign({ payload, secret, timestamp })).toEqual({
      'stripe-signature': header,
    });
    expect(
      await stripeScheme.verify(payload, { 'Stripe-Signature': header }, secret, at(timestamp)),
    ).toEqual({ test: 2432232314 });
  });

  test('keys with the secret string as UTF-8, not base64-decoded', async () => {
    const decodedKey = Buffer.from(secret.slice(6), 'base64').toString('latin1');
    expect(
      await codeOf(() =>
        stripeScheme.verify(payload, { 'stripe-signature': header }, decodedKey, at(timestamp)),
      ),
    ).toBe('invalid_signature');
  });

  test('accepts any of several v1 values, in any position, and ignores v0', async () => {
    const v1 = header.split('v1=')[1]!;
    const wrong = 'a'.repeat(64);
    const headers = { 'stripe-signature': `v0=${v1},v1=${wrong},t=${timestamp},v1=${v1}` };
    expect(await stripeScheme.verify(payload, headers, secret, at(timestamp))).toBeTruthy();
    const onlyV0 = { 'stripe-signature': `t=${timestamp},v0=${v1}` };
    const error = await stripeScheme
      .verify(payload, onlyV0, secret, at(timestamp))
      .catch((e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code: 'invalid_signature' });
    expect((error as Error).message).toMatch(/v0/);
  });

  test('a header without t= is invalid_header; a bad t is invalid_timestamp', async () => {
    const v1 = header.split('v1=')[1]!;
    expect(
      await codeOf(() => stripeScheme.verify(payload, { 'stripe-signature': `v1=${v1}` }, secret)),
    ).toBe('invalid_header');
    expect(
      await codeOf(() =>
        stripeScheme.verify(payload, { 'stripe-signature': `t=Infinity,v1=${v1}` }, secret),
      ),
    ).toBe('invalid_timestamp');
  });

  test('rejects a far-future timestamp that stripe-node itself accepts', async () => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    const signed = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: future });
    expect(stripe.webhooks.constructEvent(payload, signed, secret)).toEqual({ test: 2432232314 });
    expect(
      await codeOf(() => stripeScheme.verify(payload, { 'stripe-signature': signed }, secret)),
    ).toBe('timestamp_in_future');
  });
});

describe('cross-compatibility with stripe-node', () => {
  const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' });

  test('stripe signs, we verify (string and Buffer bodies)', async () => {
    const signed = stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    for (const input of [body, Buffer.from(body)]) {
      expect(await stripeScheme.verify(input, { 'stripe-signature': signed }, secret)).toEqual(
        JSON.parse(body),
      );
    }
  });

  test('we sign, stripe verifies (constructEvent and constructEventAsync)', async () => {
    const signed = stripeScheme.signSync({ payload: body, secret })['stripe-signature']!;
    expect(stripe.webhooks.constructEvent(body, signed, secret)).toEqual(JSON.parse(body));
    expect(await stripe.webhooks.constructEventAsync(Buffer.from(body), signed, secret)).toEqual(
      JSON.parse(body),
    );
  });

  test('a header signed with two secrets verifies in stripe with either', () => {
    const other = `whsec_${'x'.repeat(32)}`;
    const signed = stripeScheme.signSync({ payload: body, secret: [secret, other] })[
      'stripe-signature'
    ]!;
    expect(stripe.webhooks.constructEvent(body, signed, other)).toEqual(JSON.parse(body));
    expect(stripe.webhooks.constructEvent(body, signed, secret)).toEqual(JSON.parse(body));
  });
});
