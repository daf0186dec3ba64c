/** Property tests: sign → verify always round-trips, and any single mutation is rejected. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { schemes } from '../registry.ts';
import { generateSecret, signSync, verifySync } from './index.ts';

const now = 1_700_000_000;
const clock = { now: () => now * 1000, parse: false } as const;
const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
const bodyArb = fc.oneof(fc.string(), fc.uint8Array({ maxLength: 512 }));
const timestampArb = fc.integer({ min: now - 300, max: now + 300 });

function rejects(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch {
    return true;
  }
}

function mutateBytes(body: Uint8Array, index: number, delta: number): Uint8Array {
  // An empty body is mutated by giving it one byte.
  const copy = new Uint8Array(body.length === 0 ? [0] : body);
  const at = index % copy.length;
  copy[at] = (copy[at]! + delta) & 0xff;
  return copy;
}

describe('Standard Webhooks properties', () => {
  const secret = generateSecret();

  test('sign → verify round-trips for any id, timestamp and body', () => {
    fc.assert(
      fc.property(idArb, timestampArb, bodyArb, (id, timestamp, body) => {
        const headers = signSync({ id, timestamp, payload: body, secret });
        expect(verifySync(body, headers, secret, clock)).toBe(body);
      }),
    );
  });

  test('any change to body, id, timestamp or signature is rejected', () => {
    fc.assert(
      fc.property(
        idArb,
        timestampArb,
        fc.uint8Array({ maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        idArb,
        (id, timestamp, body, index, delta, anotherId) => {
          const headers = signSync({ id, timestamp, payload: body, secret });
          const tamperedBody = mutateBytes(body, index, delta);
          expect(rejects(() => verifySync(tamperedBody, headers, secret, clock))).toBe(true);
          const changedId = anotherId === id ? `${id}x` : anotherId;
          const otherId = { ...headers, 'webhook-id': changedId };
          expect(rejects(() => verifySync(body, otherId, secret, clock))).toBe(true);
          const shifted = String(timestamp + ((index % 2) * 2 - 1) * (1 + (delta % 200)));
          const otherTime = { ...headers, 'webhook-timestamp': shifted };
          expect(rejects(() => verifySync(body, otherTime, secret, clock))).toBe(true);
          const sig = Buffer.from(headers['webhook-signature'].slice(3), 'base64');
          sig[index % sig.length] = (sig[index % sig.length]! + delta) & 0xff;
          const otherSig = { ...headers, 'webhook-signature': `v1,${sig.toString('base64')}` };
          expect(rejects(() => verifySync(body, otherSig, secret, clock))).toBe(true);
        },
      ),
    );
  });

  test('truncating or extending the body is rejected', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), (body, cut) => {
        const headers = signSync({ id: 'msg_p', timestamp: now, payload: body, secret });
        const shorter = body.subarray(0, cut % body.length);
        const longer = new Uint8Array([...body, cut & 0xff]);
        expect(rejects(() => verifySync(shorter, headers, secret, clock))).toBe(true);
        expect(rejects(() => verifySync(longer, headers, secret, clock))).toBe(true);
      }),
    );
  });
});

describe.each(['stripe', 'meta', 'hmac'] as const)('%s properties', (name) => {
  const scheme = schemes[name];
  const secret = `secret_${'k'.repeat(32)}`;

  test('sign → verify round-trips and a changed body is rejected', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (body, index, delta) => {
          const headers = scheme.signSync({ payload: body, secret, timestamp: now });
          expect(scheme.verifySync(body, headers, secret, clock)).toBe(body);
          const tampered = mutateBytes(body, index, delta);
          expect(rejects(() => scheme.verifySync(tampered, headers, secret, clock))).toBe(true);
        },
      ),
    );
  });
});

describe('hostile input', () => {
  const headerValue = fc.oneof(
    fc.string(),
    fc.stringMatching(/^(v1,|v1a,|t=|v1=|sha256=)[A-Za-z0-9+/=, .-]{0,90}$/),
    fc.constantFrom('', ' ', ',', 'v1,', 't=,v1=', 'sha256='),
  );
  const headersArb = fc.record(
    {
      'webhook-id': headerValue,
      'webhook-timestamp': fc.oneof(headerValue, fc.integer().map(String)),
      'webhook-signature': headerValue,
      'stripe-signature': headerValue,
      'x-hub-signature-256': headerValue,
      'x-signature': headerValue,
    },
    { requiredKeys: [] },
  );

  test.each(['standard', 'stripe', 'meta', 'github', 'hmac'] as const)(
    '%s: arbitrary headers and bodies only ever fail with a WebhookVerificationError',
    (name) => {
      const scheme = schemes[name];
      const secret = name === 'standard' ? generateSecret() : `secret_${'k'.repeat(32)}`;
      fc.assert(
        fc.property(headersArb, bodyArb, (headers, body) => {
          try {
            scheme.verifySync(body, headers, secret);
            return false; // a forged delivery must never verify
          } catch (error) {
            return (error as Error).name === 'WebhookVerificationError';
          }
        }),
        { numRuns: 300 },
      );
    },
  );
});
