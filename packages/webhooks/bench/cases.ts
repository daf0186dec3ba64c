/**
 * The benchmark cases. Each builds its operation from the payload; the runner
 * measures each in its own process so the order of cases cannot skew results.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { sign, signSync, verify, verifySync } from '../src/index.ts';
import { stripeScheme } from '../src/stripe/index.ts';
import { MESSAGE_ID, SECRET, STRIPE_SECRET, standardHeaders, stripeHeader } from './fixtures.ts';

export type Baseline = 'raw' | 'raw+parse' | 'raw-sign';

export interface Case {
  name: string;
  group: 'verify' | 'sign';
  /** What this case is compared with. */
  baseline: Baseline;
  async: boolean;
  /** Builds the operation; libraries are imported here so other cases do not pay for loading them. */
  setup(payload: string): (() => unknown) | Promise<() => unknown>;
}

const now = () => Math.floor(Date.now() / 1000);

// The baselines hold the key as a KeyObject, decoded once: node:crypto's
// fastest form (a Buffer key is several times slower on small bodies).
const rawKey = () => createSecretKey(Buffer.from(SECRET.slice(6), 'base64'));

/** HMAC + constant-time compare, with the key decoded once: the floor any library pays. */
function rawVerify(payload: string, parse: boolean) {
  const headers = standardHeaders(payload, now());
  const key = rawKey();
  return () => {
    const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.`;
    const expected = createHmac('sha256', key).update(signed).update(payload).digest();
    const received = Buffer.from(headers['webhook-signature'].slice(3), 'base64');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new Error('bad signature');
    }
    return parse ? JSON.parse(payload) : true;
  };
}

export const cases: Case[] = [
  {
    name: 'raw node:crypto',
    group: 'verify',
    baseline: 'raw',
    async: false,
    setup: (p) => rawVerify(p, false),
  },
  {
    name: 'raw node:crypto + JSON.parse',
    group: 'verify',
    baseline: 'raw+parse',
    async: false,
    setup: (p) => rawVerify(p, true),
  },
  {
    name: 'ours verifySync',
    group: 'verify',
    baseline: 'raw+parse',
    async: false,
    setup: (p) => {
      const headers = standardHeaders(p, now());
      return () => verifySync(p, headers, SECRET);
    },
  },
  {
    name: 'ours verify (async)',
    group: 'verify',
    baseline: 'raw+parse',
    async: true,
    setup: (p) => {
      const headers = standardHeaders(p, now());
      return () => verify(p, headers, SECRET);
    },
  },
  {
    name: 'ours verifySync, parse: false',
    group: 'verify',
    baseline: 'raw',
    async: false,
    setup: (p) => {
      const headers = standardHeaders(p, now());
      const options = { parse: false } as const;
      return () => verifySync(p, headers, SECRET, options);
    },
  },
  {
    name: 'ours verify (async), parse: false',
    group: 'verify',
    baseline: 'raw',
    async: true,
    setup: (p) => {
      const headers = standardHeaders(p, now());
      const options = { parse: false } as const;
      return () => verify(p, headers, SECRET, options);
    },
  },
  {
    // Why the async API uses node:crypto when it can: the same check through Web Crypto.
    name: 'raw Web Crypto (awaited)',
    group: 'verify',
    baseline: 'raw',
    async: true,
    setup: (p) => {
      const headers = standardHeaders(p, now());
      const keyPromise = crypto.subtle.importKey(
        'raw',
        Buffer.from(SECRET.slice(6), 'base64'),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['verify'],
      );
      const encoder = new TextEncoder();
      return async () => {
        const key = await keyPromise;
        const signed = encoder.encode(
          `${headers['webhook-id']}.${headers['webhook-timestamp']}.${p}`,
        );
        const received = Buffer.from(headers['webhook-signature'].slice(3), 'base64');
        if (!(await crypto.subtle.verify('HMAC', key, received, signed)))
          throw new Error('bad signature');
        return true;
      };
    },
  },
  {
    name: 'standardwebhooks verify (parses)',
    group: 'verify',
    baseline: 'raw+parse',
    async: false,
    setup: async (p) => {
      const { Webhook: StandardWebhook } = await import('standardwebhooks');
      const headers = standardHeaders(p, now());
      const webhook = new StandardWebhook(SECRET);
      return () => webhook.verify(p, headers);
    },
  },
  {
    name: 'svix verify (no parse)',
    group: 'verify',
    baseline: 'raw',
    async: false,
    setup: async (p) => {
      const { Webhook: SvixWebhook } = await import('svix');
      const headers = standardHeaders(p, now());
      const webhook = new SvixWebhook(SECRET);
      return () => webhook.verify(p, headers);
    },
  },
  {
    name: 'stripe constructEvent (parses)',
    group: 'verify',
    baseline: 'raw+parse',
    async: false,
    setup: async (p) => {
      const { default: Stripe } = await import('stripe');
      const header = stripeHeader(p, now());
      const stripe = new Stripe('sk_test_benchmark');
      return () => stripe.webhooks.constructEvent(p, header, STRIPE_SECRET);
    },
  },
  {
    name: 'ours stripe scheme verifySync',
    group: 'verify',
    baseline: 'raw+parse',
    async: false,
    setup: (p) => {
      const headers = { 'stripe-signature': stripeHeader(p, now()) };
      return () => stripeScheme.verifySync(p, headers, STRIPE_SECRET);
    },
  },
  {
    name: 'raw node:crypto sign',
    group: 'sign',
    baseline: 'raw-sign',
    async: false,
    setup: (p) => {
      const key = rawKey();
      return () => {
        const timestamp = String(now());
        const mac = createHmac('sha256', key)
          .update(`${MESSAGE_ID}.${timestamp}.`)
          .update(p)
          .digest('base64');
        return {
          'webhook-id': MESSAGE_ID,
          'webhook-timestamp': timestamp,
          'webhook-signature': `v1,${mac}`,
        };
      };
    },
  },
  {
    name: 'ours signSync',
    group: 'sign',
    baseline: 'raw-sign',
    async: false,
    setup: (p) => () => signSync({ id: MESSAGE_ID, payload: p, secret: SECRET }),
  },
  {
    name: 'ours sign (async)',
    group: 'sign',
    baseline: 'raw-sign',
    async: true,
    setup: (p) => () => sign({ id: MESSAGE_ID, payload: p, secret: SECRET }),
  },
  {
    name: 'standardwebhooks sign',
    group: 'sign',
    baseline: 'raw-sign',
    async: false,
    setup: async (p) => {
      const { Webhook: StandardWebhook } = await import('standardwebhooks');
      const webhook = new StandardWebhook(SECRET);
      return () => webhook.sign(MESSAGE_ID, new Date(), p);
    },
  },
  {
    name: 'svix sign',
    group: 'sign',
    baseline: 'raw-sign',
    async: false,
    setup: async (p) => {
      const { Webhook: SvixWebhook } = await import('svix');
      const webhook = new SvixWebhook(SECRET);
      return () => webhook.sign(MESSAGE_ID, new Date(), p);
    },
  },
  {
    name: 'stripe generateTestHeaderString',
    group: 'sign',
    baseline: 'raw-sign',
    async: false,
    setup: async (p) => {
      const { default: Stripe } = await import('stripe');
      const stripe = new Stripe('sk_test_benchmark');
      return () => stripe.webhooks.generateTestHeaderString({ payload: p, secret: STRIPE_SECRET });
    },
  },
];
