/** Byte-compatibility with the reference `standardwebhooks` and `svix` packages. */
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, test } from 'vitest';
import { generateSecret, sign, signSync, verify } from './index.ts';

const payload = JSON.stringify({
  type: 'appointment.booked',
  data: { id: 'apt_1', note: 'café ✓' },
});
const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

type Headers3 = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

// svix@2 verifies without parsing (returns undefined); both throw on a bad signature.
function accepts(
  verifier: { verify(p: string, h: Headers3): unknown },
  body: string,
  headers: Headers3,
) {
  try {
    verifier.verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

const libraries = [
  { name: 'standardwebhooks', make: (secret: string) => new StandardWebhook(secret) },
  { name: 'svix', make: (secret: string) => new SvixWebhook(secret) },
] as const;

describe.each(libraries)('$name', ({ make }) => {
  test('it signs, we verify (string, Buffer, Uint8Array)', async () => {
    const secret = generateSecret();
    const now = new Date();
    const signature = make(secret).sign(id, now, payload);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    };
    const bytes = new TextEncoder().encode(payload);
    for (const body of [payload, Buffer.from(payload), bytes]) {
      expect(await verify(body, headers, secret)).toEqual(JSON.parse(payload));
    }
  });

  test('we sign, it verifies', async () => {
    const secret = generateSecret();
    const headers = await sign({ id, payload, secret });
    expect(accepts(make(secret), payload, headers)).toBe(true);
    expect(accepts(make(secret), `${payload} `, headers)).toBe(false);
    expect(accepts(make(generateSecret()), payload, headers)).toBe(false);
  });

  test('rotation: a header signed with two secrets verifies with either', () => {
    const [a, b] = [generateSecret(), generateSecret()];
    const headers = signSync({ id, payload, secret: [a, b] });
    expect(accepts(make(a), payload, headers)).toBe(true);
    expect(accepts(make(b), payload, headers)).toBe(true);
  });

  test('bodies that are not valid UTF-8: we verify the exact bytes', async () => {
    const secret = generateSecret();
    const body = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"\xff"}
    const headers = signSync({ id, payload: body, secret });
    expect(await verify(body, headers, secret, { parse: false })).toBe(body);
  });
});

test('standardwebhooks rejects a correct signature on a body that is not valid UTF-8; we do not', async () => {
  const secret = generateSecret();
  const body = Buffer.from([0x7b, 0x7d, 0xff]);
  const headers = signSync({ id, payload: body, secret });
  expect(() => new StandardWebhook(secret).verify(body, headers)).toThrow();
  expect(await verify(body, headers, secret, { parse: false })).toBe(body);
});
