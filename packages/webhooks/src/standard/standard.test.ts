import { describe, expect, test } from 'vitest';
import {
  specExampleHeader,
  standardNegative,
  standardSignVectors,
  v1aVector,
} from '../__fixtures__/vectors.ts';
import type { WebhookErrorCode } from '../errors.ts';
import {
  generateSecret,
  sign,
  signSync,
  verify,
  verifySignature,
  verifySignatureSync,
  verifySync,
} from './index.ts';

const [vector, rustVector] = standardSignVectors;
if (!vector || !rustVector) throw new Error('fixture vectors missing');
const atVector = (ts: number) => ({ now: () => ts * 1000 });
const vectorHeaders = {
  'webhook-id': vector.msg_id,
  'webhook-timestamp': String(vector.timestamp),
  'webhook-signature': vector.expected_signature,
};

async function codeOf(promise: Promise<unknown>): Promise<WebhookErrorCode | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: WebhookErrorCode }).code;
  }
}

function syncCodeOf(run: () => unknown): WebhookErrorCode | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: WebhookErrorCode }).code;
  }
}

describe('published Standard Webhooks vectors', () => {
  test.each(standardSignVectors)('$name: sign reproduces the signature', async (v) => {
    const input = { id: v.msg_id, timestamp: v.timestamp, payload: v.payload, secret: v.secret };
    expect((await sign(input))['webhook-signature']).toBe(v.expected_signature);
    expect(signSync(input)['webhook-signature']).toBe(v.expected_signature);
  });

  test.each(standardSignVectors)('$name: verify accepts it', async (v) => {
    const headers = {
      'webhook-id': v.msg_id,
      'webhook-timestamp': String(v.timestamp),
      'webhook-signature': v.expected_signature,
    };
    expect(await verify(v.payload, headers, v.secret, atVector(v.timestamp))).toEqual(
      JSON.parse(v.payload),
    );
    expect(verifySync(v.payload, headers, v.secret, atVector(v.timestamp))).toEqual(
      JSON.parse(v.payload),
    );
  });

  test('rust test_no_verify: a wrong signature is rejected', async () => {
    const negative = standardNegative[0]!;
    const now = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': negative.msg_id!,
      'webhook-timestamp': String(now),
      'webhook-signature': negative.signature_header!,
    };
    expect(await codeOf(verify(negative.payload!, headers, negative.secret!))).toBe(
      'invalid_signature',
    );
  });

  test.each(standardNegative[1]!.signature_headers!)(
    'malformed signature %j is rejected',
    async (sig) => {
      const now = Math.floor(Date.now() / 1000);
      const headers = {
        ...vectorHeaders,
        'webhook-timestamp': String(now),
        'webhook-signature': sig,
      };
      expect(await codeOf(verify(vector.payload, headers, vector.secret))).toBe(
        'invalid_signature',
      );
    },
  );

  test('multi-signature header: unknown versions and wrong v1 entries are skipped', async () => {
    const junk = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
    const header = `${junk} v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${vector.expected_signature} ${junk}`;
    const headers = { ...vectorHeaders, 'webhook-signature': header };
    await expect(
      verify(vector.payload, headers, vector.secret, atVector(vector.timestamp)),
    ).resolves.toEqual({
      test: 2432232314,
    });
  });

  test('a v1a (ed25519) entry beside the v1 signature is skipped, not fatal', async () => {
    const headers = {
      ...vectorHeaders,
      'webhook-signature': `${v1aVector.expected_signature} ${vector.expected_signature}`,
    };
    await expect(
      verify(vector.payload, headers, vector.secret, atVector(vector.timestamp)),
    ).resolves.toEqual({ test: 2432232314 });
    const onlyV1a = { ...vectorHeaders, 'webhook-signature': v1aVector.expected_signature };
    expect(
      await codeOf(verify(vector.payload, onlyV1a, vector.secret, atVector(vector.timestamp))),
    ).toBe('invalid_signature');
  });

  test("the spec's example header (v1 beside v1a) parses; without its secret it is invalid_signature", async () => {
    const headers = {
      'webhook-id': specExampleHeader['webhook-id'],
      'webhook-timestamp': specExampleHeader['webhook-timestamp'],
      'webhook-signature': specExampleHeader['webhook-signature'],
    };
    const at = atVector(Number(specExampleHeader['webhook-timestamp']));
    const error = await verifySignature('{}', headers, generateSecret(), at).catch(
      (e: unknown) => e,
    );
    // Not invalid_header: the v1 entry was found and compared, the v1a one skipped.
    expect(error).toMatchObject({ code: 'invalid_signature' });
    expect((error as Error).message).toMatch(/No signature matches/);
  });

  test('the secret works with and without the whsec_ prefix, and unpadded', async () => {
    const bare = vector.secret.slice('whsec_'.length);
    for (const secret of [bare, vector.secret]) {
      expect(verifySync(vector.payload, vectorHeaders, secret, atVector(vector.timestamp))).toEqual(
        {
          test: 2432232314,
        },
      );
    }
    const padded = generateSecret();
    const unpadded = padded.replace(/=+$/, '');
    expect(unpadded).not.toBe(padded);
    const headers = signSync({ id: 'msg_1', payload: '{}', secret: padded });
    expect(verifySync('{}', headers, unpadded)).toEqual({});
  });

  test('empty secrets are refused (go and php tests)', async () => {
    for (const secret of ['', 'whsec_', [] as string[]]) {
      expect(await codeOf(verify(vector.payload, vectorHeaders, secret))).toBe('invalid_secret');
    }
  });
});

describe('verify', () => {
  const secret = generateSecret();
  const now = 1_700_000_000;
  const clock = { now: () => now * 1000 };
  const payload = '{"type":"appointment.booked","data":{"id":"apt_1"}}';
  const headers = signSync({ id: 'msg_1', timestamp: now, payload, secret });

  test('accepts string, Buffer, Uint8Array and ArrayBuffer over the same bytes', async () => {
    const bytes = new TextEncoder().encode(payload);
    const inputs = [payload, Buffer.from(payload), bytes, bytes.buffer.slice(0)];
    for (const input of inputs) {
      expect(await verify(input, headers, secret, clock)).toEqual(JSON.parse(payload));
      expect(verifySync(input, headers, secret, clock)).toEqual(JSON.parse(payload));
    }
  });

  test('verifies bodies that are not valid UTF-8 over their exact bytes', async () => {
    const body = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0x7b]);
    const signed = signSync({ id: 'msg_bin', timestamp: now, payload: body, secret });
    expect(await verify(body, signed, secret, { ...clock, parse: false })).toBe(body);
    // Decoding to text would replace the bad bytes and break the signature.
    const lossy = new TextDecoder().decode(body);
    expect(await codeOf(verify(lossy, signed, secret, { ...clock, parse: false }))).toBe(
      'invalid_signature',
    );
    expect(await codeOf(verify(body, signed, secret, clock))).toBe('payload_not_json');
  });

  test('reads headers case-insensitively from Headers, objects and arrays', async () => {
    const mixed = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'webhook-Signature': [headers['webhook-signature']],
    };
    expect(await verify(payload, mixed, secret, clock)).toEqual(JSON.parse(payload));
    expect(await verify(payload, new Headers(headers), secret, clock)).toEqual(JSON.parse(payload));
  });

  test('repeated signature headers (joined with ", ") are all considered', async () => {
    const wrong = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
    const fetchHeaders = new Headers();
    fetchHeaders.append('webhook-id', headers['webhook-id']);
    fetchHeaders.append('webhook-timestamp', headers['webhook-timestamp']);
    fetchHeaders.append('webhook-signature', wrong);
    fetchHeaders.append('webhook-signature', headers['webhook-signature']);
    expect(await verify(payload, fetchHeaders, secret, clock)).toEqual(JSON.parse(payload));
    const node = { ...headers, 'webhook-signature': [wrong, headers['webhook-signature']] };
    expect(verifySync(payload, node, secret, clock)).toEqual(JSON.parse(payload));
  });

  test('accepts the svix-* header names', async () => {
    const svix = {
      'svix-id': headers['webhook-id'],
      'svix-timestamp': headers['webhook-timestamp'],
      'svix-signature': headers['webhook-signature'],
    };
    expect(await verify(payload, svix, secret, clock)).toEqual(JSON.parse(payload));
  });

  test.each([['webhook-id'], ['webhook-timestamp'], ['webhook-signature']] as const)(
    'missing %s gives missing_header naming it',
    async (name) => {
      const partial: Record<string, string> = { ...headers };
      delete partial[name];
      const error = await verify(payload, partial, secret, clock).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'WebhookVerificationError', code: 'missing_header' });
      expect((error as Error).message).toContain(name);
      expect(syncCodeOf(() => verifySync(payload, { ...partial, [name]: '' }, secret, clock))).toBe(
        'missing_header',
      );
    },
  );

  test.each(['abc', '-1', '1.5', '', ' 1700000000', '9999999999999'])(
    'timestamp %j gives invalid_timestamp (or missing_header when empty)',
    async (value) => {
      const code = await codeOf(
        verify(payload, { ...headers, 'webhook-timestamp': value }, secret, clock),
      );
      expect(code).toBe(value === '' ? 'missing_header' : 'invalid_timestamp');
    },
  );

  test('tolerance is checked both ways, default 5 minutes, configurable', async () => {
    const at = (seconds: number) => ({ now: () => seconds * 1000 });
    expect(await verify(payload, headers, secret, at(now + 300))).toBeTruthy();
    expect(await verify(payload, headers, secret, at(now - 300))).toBeTruthy();
    expect(await codeOf(verify(payload, headers, secret, at(now + 301)))).toBe('timestamp_too_old');
    expect(await codeOf(verify(payload, headers, secret, at(now - 301)))).toBe(
      'timestamp_in_future',
    );
    const wide = { now: () => (now + 3600) * 1000, toleranceSeconds: 3600 };
    expect(await verify(payload, headers, secret, wide)).toBeTruthy();
    expect(() => verifySync(payload, headers, secret, { ...clock, toleranceSeconds: -1 })).toThrow(
      RangeError,
    );
  });

  test('tampered body, id or timestamp is rejected', async () => {
    expect(await codeOf(verify(`${payload} `, headers, secret, clock))).toBe('invalid_signature');
    expect(
      await codeOf(verify(payload, { ...headers, 'webhook-id': 'msg_2' }, secret, clock)),
    ).toBe('invalid_signature');
    const shifted = { ...headers, 'webhook-timestamp': String(now + 1) };
    expect(await codeOf(verify(payload, shifted, secret, clock))).toBe('invalid_signature');
    expect(await codeOf(verify(payload, headers, generateSecret(), clock))).toBe(
      'invalid_signature',
    );
  });

  test('a signature mismatch message explains the raw-body pitfall and leaks nothing', async () => {
    const reserialised = JSON.stringify(JSON.parse(payload), null, 2);
    const error = (await verify(reserialised, headers, secret, clock).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/raw body/);
    const expected = headers['webhook-signature'].slice(3);
    expect(error.message).not.toContain(expected);
    expect(error.message).not.toContain(secret.slice(6));
    expect(JSON.stringify(error)).not.toContain(secret.slice(6));
  });

  test('an empty body is a clear empty_payload error, not a JSON crash', async () => {
    const signed = signSync({ id: 'msg_e', timestamp: now, payload: '', secret });
    expect(await codeOf(verify('', signed, secret, clock))).toBe('empty_payload');
    expect(syncCodeOf(() => verifySync(new Uint8Array(0), signed, secret, clock))).toBe(
      'empty_payload',
    );
    // Without parsing, an empty body that was signed verifies.
    expect(await verify('', signed, secret, { ...clock, parse: false })).toBe('');
    // An empty body against a real signature hints that the body was consumed.
    const error = (await verify('', headers, secret, { ...clock, parse: false }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ code: 'invalid_signature' });
    expect(error.message).toMatch(/empty/);
  });

  test('a parsed object instead of the raw body is refused with advice', async () => {
    const parsed = JSON.parse(payload) as unknown as string;
    const error = (await verify(parsed, headers, secret, clock).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'invalid_payload' });
    expect(error.message).toMatch(/parsed.*raw body/);
    expect(syncCodeOf(() => verifySync(null as unknown as string, headers, secret, clock))).toBe(
      'invalid_payload',
    );
  });

  test('a valid signature over a body that is not JSON gives payload_not_json', async () => {
    const signed = signSync({ id: 'msg_t', timestamp: now, payload: 'plain text', secret });
    expect(await codeOf(verify('plain text', signed, secret, clock))).toBe('payload_not_json');
    expect(await verify('plain text', signed, secret, { ...clock, parse: false })).toBe(
      'plain text',
    );
  });

  test('verifySignature returns the signed id and timestamp', async () => {
    expect(await verifySignature(payload, headers, secret, clock)).toEqual({
      id: 'msg_1',
      timestamp: now,
    });
    expect(verifySignatureSync(payload, headers, secret, clock)).toEqual({
      id: 'msg_1',
      timestamp: now,
    });
    expect(await codeOf(verifySignature('x', headers, secret, clock))).toBe('invalid_signature');
  });

  test('an invalid secret is reported as invalid_secret', async () => {
    expect(await codeOf(verify(payload, headers, 'whsec_not base64!', clock))).toBe(
      'invalid_secret',
    );
    expect(syncCodeOf(() => verifySync(payload, headers, 42 as unknown as string, clock))).toBe(
      'invalid_secret',
    );
  });
});

describe('secret rotation', () => {
  const now = 1_700_000_000;
  const clock = { now: () => now * 1000 };
  const oldSecret = generateSecret();
  const newSecret = generateSecret();

  test('verify accepts any of several secrets', async () => {
    const headers = signSync({ id: 'msg_r', timestamp: now, payload: '{}', secret: oldSecret });
    expect(await verify('{}', headers, [newSecret, oldSecret], clock)).toEqual({});
    expect(await codeOf(verify('{}', headers, [newSecret], clock))).toBe('invalid_signature');
  });

  test('sign with several secrets emits one v1 entry each; either receiver verifies', async () => {
    const headers = await sign({
      id: 'msg_r',
      timestamp: now,
      payload: '{}',
      secret: [oldSecret, newSecret],
    });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(await verify('{}', headers, oldSecret, clock)).toEqual({});
    expect(await verify('{}', headers, newSecret, clock)).toEqual({});
  });
});

describe('sign', () => {
  test('refuses secrets shorter than 24 bytes', async () => {
    const short = `whsec_${Buffer.alloc(23, 1).toString('base64')}`;
    expect(await codeOf(sign({ id: 'msg_1', payload: '{}', secret: short }))).toBe(
      'invalid_secret',
    );
    const exact = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    expect(signSync({ id: 'msg_1', payload: '{}', secret: exact })['webhook-id']).toBe('msg_1');
  });

  test('defaults the timestamp to now and accepts a Date', () => {
    const secret = generateSecret();
    const before = Math.floor(Date.now() / 1000);
    const headers = signSync({ id: 'msg_1', payload: '{}', secret });
    expect(Number(headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    const dated = signSync({
      id: 'msg_1',
      timestamp: new Date(1_700_000_000_999),
      payload: '{}',
      secret,
    });
    expect(dated['webhook-timestamp']).toBe('1700000000');
  });

  test.each(['', 'msg 1', 'msg.1'])('refuses message id %j', (id) => {
    expect(syncCodeOf(() => signSync({ id, payload: '{}', secret: generateSecret() }))).toBe(
      'invalid_header',
    );
  });

  test.each([-1, 1.5, Number.NaN, new Date(Number.NaN)])('refuses timestamp %s', (timestamp) => {
    expect(
      syncCodeOf(() => signSync({ id: 'm', timestamp, payload: '{}', secret: generateSecret() })),
    ).toBe('invalid_timestamp');
  });
});

test('generateSecret makes whsec_ + base64 of 32 random bytes', () => {
  const secret = generateSecret();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
  expect(generateSecret()).not.toBe(secret);
});
