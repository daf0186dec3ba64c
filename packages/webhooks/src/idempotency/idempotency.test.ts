import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import {
  canonicalJson,
  deduplicate,
  generateIdempotencyKey,
  isIdempotencyError,
  MemoryIdempotencyStore,
  requestFingerprint,
  requestFingerprintSync,
} from './index.ts';

function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('generateIdempotencyKey', () => {
  test('returns distinct UUID v4 keys', () => {
    const keys = new Set(Array.from({ length: 100 }, generateIdempotencyKey));
    expect(keys.size).toBe(100);
    for (const key of keys)
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('canonicalJson', () => {
  test('sorts keys at every depth and drops what JSON drops', () => {
    expect(canonicalJson({ b: 2, a: [1, { d: 4, c: 3 }], u: undefined, f: () => 1 })).toBe(
      '{"a":[1,{"c":3,"d":4}],"b":2}',
    );
    expect(canonicalJson([undefined, Number.NaN, new Date(0)])).toBe(
      '[null,null,"1970-01-01T00:00:00.000Z"]',
    );
    expect(canonicalJson(undefined)).toBe('null');
  });

  test('refuses cycles and BigInt with invalid_body', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [cyclic, { n: 1n }]) {
      try {
        canonicalJson(value);
        expect.unreachable();
      } catch (error) {
        expect(isIdempotencyError(error) && error.code).toBe('invalid_body');
      }
    }
  });

  test('is the same for any key order, and parses back to an equal value', () => {
    const shuffled = (value: unknown, seed: number): unknown => {
      if (Array.isArray(value)) return value.map((item) => shuffled(item, seed));
      if (value === null || typeof value !== 'object') return value;
      const entries = Object.entries(value);
      const rotated = entries.map((_, i) => entries[(i + seed) % entries.length]!);
      return Object.fromEntries(rotated.map(([k, v]) => [k, shuffled(v, seed + 1)]));
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        const canonical = canonicalJson(value);
        expect(canonicalJson(shuffled(value, seed))).toBe(canonical);
        expect(JSON.parse(canonical)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  test('a shared (non-cyclic) reference is fine', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('requestFingerprint', () => {
  const base = { method: 'post', path: '/v1/appointments' };

  test('equal JSON bodies give equal fingerprints regardless of key order and whitespace', async () => {
    const a = await requestFingerprint({ ...base, body: '{"a":1,"b":{"c":2}}' });
    const b = await requestFingerprint({
      ...base,
      body: Buffer.from('{ "b": { "c": 2 }, "a": 1 }'),
    });
    const c = await requestFingerprint({ ...base, method: 'POST', body: { b: { c: 2 }, a: 1 } });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(requestFingerprintSync({ ...base, body: '{"b":{"c":2},"a":1}' })).toBe(a);
  });

  test('method, path and body each change the fingerprint', async () => {
    const ref = await requestFingerprint({ ...base, body: '{"a":1}' });
    expect(await requestFingerprint({ ...base, method: 'PUT', body: '{"a":1}' })).not.toBe(ref);
    expect(await requestFingerprint({ ...base, path: '/v1/other', body: '{"a":1}' })).not.toBe(ref);
    expect(await requestFingerprint({ ...base, body: '{"a":2}' })).not.toBe(ref);
    expect(await requestFingerprint(base)).not.toBe(ref);
  });

  test('non-JSON and binary bodies are hashed as they are', async () => {
    const text = await requestFingerprint({ ...base, body: 'a=1&b=2' });
    expect(await requestFingerprint({ ...base, body: 'b=2&a=1' })).not.toBe(text);
    const binary = new Uint8Array([0xff, 0x00, 0x01]);
    expect(await requestFingerprint({ ...base, body: binary })).toBe(
      requestFingerprintSync({ ...base, body: binary.buffer.slice(0) }),
    );
  });
});

describe('MemoryIdempotencyStore', () => {
  test('reserve → in_flight → complete → completed with the stored response', async () => {
    const store = new MemoryIdempotencyStore<{ status: number }>();
    expect((await store.reserve('k1', { fingerprint: 'f1' })).status).toBe('reserved');
    const again = await store.reserve('k1', { fingerprint: 'f1' });
    expect(again.status).toBe('in_flight');
    await store.complete('k1', { status: 201 });
    const done = await store.reserve('k1', { fingerprint: 'f1' });
    expect(done).toMatchObject({
      status: 'completed',
      record: { response: { status: 201 }, fingerprint: 'f1' },
    });
    expect(await store.get('k1')).toMatchObject({ state: 'completed', response: { status: 201 } });
  });

  test('the same key with another fingerprint is a mismatch', async () => {
    const store = new MemoryIdempotencyStore();
    await store.reserve('k', { fingerprint: 'a' });
    expect((await store.reserve('k', { fingerprint: 'b' })).status).toBe('fingerprint_mismatch');
    await store.complete('k', 'ok');
    expect((await store.reserve('k', { fingerprint: 'b' })).status).toBe('fingerprint_mismatch');
    expect((await store.reserve('k')).status).toBe('completed');
  });

  test('release frees an in-flight key but keeps a completed one', async () => {
    const store = new MemoryIdempotencyStore();
    await store.reserve('k');
    await store.release('k');
    expect(await store.get('k')).toBeUndefined();
    expect((await store.reserve('k')).status).toBe('reserved');
    await store.complete('k', 1);
    await store.release('k');
    expect((await store.get('k'))?.state).toBe('completed');
  });

  test('in-flight leases and completed records expire on the injected clock', async () => {
    const time = clock();
    const store = new MemoryIdempotencyStore({ now: time.now, inFlightTtlMs: 1000, ttlMs: 5000 });
    await store.reserve('k');
    time.advance(999);
    expect((await store.reserve('k')).status).toBe('in_flight');
    time.advance(1);
    expect((await store.reserve('k')).status).toBe('reserved');
    await store.complete('k', 'done');
    time.advance(4999);
    expect((await store.get('k'))?.response).toBe('done');
    time.advance(1);
    expect(await store.get('k')).toBeUndefined();
    await store.reserve('short', { ttlMs: 10 });
    time.advance(10);
    expect((await store.reserve('short')).status).toBe('reserved');
  });

  test('is bounded: least recently used keys are evicted first', async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await store.complete(key, key);
    await store.get('a'); // a is now the most recent
    await store.complete('d', 'd');
    expect(store.size).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
    expect(await store.get('d')).toBeDefined();
  });

  test('a response completed after its lease expired is still recorded, with its fingerprint', async () => {
    const time = clock();
    const store = new MemoryIdempotencyStore({ now: time.now, inFlightTtlMs: 100 });
    await store.reserve('k', { fingerprint: 'f' });
    time.advance(150);
    await store.complete('k', 'late');
    expect(await store.get('k')).toMatchObject({ state: 'completed', response: 'late' });
    const again = await store.reserve('k', { fingerprint: 'f' });
    expect(again.status).toBe('completed');
  });

  test('records handed out are copies', async () => {
    const store = new MemoryIdempotencyStore();
    const { record } = await store.reserve('k');
    record.state = 'completed';
    expect((await store.get('k'))?.state).toBe('in_flight');
  });

  test.each(['', 'x'.repeat(256), 'a\nb', 42])('refuses key %j with invalid_key', async (key) => {
    const store = new MemoryIdempotencyStore();
    await expect(store.reserve(key as string)).rejects.toMatchObject({
      name: 'IdempotencyError',
      code: 'invalid_key',
    });
  });

  test('refuses out-of-range options with invalid_option', async () => {
    expect(() => new MemoryIdempotencyStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => new MemoryIdempotencyStore({ ttlMs: -1 })).toThrow(/ttlMs/);
    await expect(new MemoryIdempotencyStore().reserve('k', { ttlMs: 0 })).rejects.toMatchObject({
      code: 'invalid_option',
    });
  });
});

describe('deduplicate', () => {
  test('a replayed delivery does not run the handler again', async () => {
    const store = new MemoryIdempotencyStore();
    const handler = vi.fn(async () => 'handled');
    expect(await deduplicate(store, 'evt_1', handler)).toEqual({
      status: 'processed',
      result: 'handled',
    });
    expect(await deduplicate(store, 'evt_1', handler)).toEqual({
      status: 'duplicate',
      result: 'handled',
    });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('concurrent deliveries of one event run the handler once', async () => {
    const store = new MemoryIdempotencyStore();
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const handler = vi.fn(async () => {
      await gate;
      return 1;
    });
    const first = deduplicate(store, 'evt_1', handler);
    const second = await deduplicate(store, 'evt_1', handler);
    expect(second).toEqual({ status: 'in_flight' });
    finish();
    expect(await first).toEqual({ status: 'processed', result: 1 });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('a failing handler releases the id so the retry runs it', async () => {
    const store = new MemoryIdempotencyStore();
    const boom = new Error('downstream unavailable');
    await expect(deduplicate(store, 'evt_1', () => Promise.reject(boom))).rejects.toBe(boom);
    expect(await deduplicate(store, 'evt_1', () => 'ok')).toEqual({
      status: 'processed',
      result: 'ok',
    });
  });

  test('when releasing fails too, the handler error is the one reported', async () => {
    const store = new MemoryIdempotencyStore();
    const failingRelease = Object.assign(Object.create(store) as MemoryIdempotencyStore, {
      reserve: store.reserve.bind(store),
      complete: store.complete.bind(store),
      get: store.get.bind(store),
      release: () => Promise.reject(new Error('store offline')),
    });
    const boom = new Error('handler failed');
    await expect(deduplicate(failingRelease, 'evt_1', () => Promise.reject(boom))).rejects.toBe(
      boom,
    );
  });

  test('the lease and retention options reach the store', async () => {
    const time = clock();
    const store = new MemoryIdempotencyStore({ now: time.now });
    await deduplicate(store, 'evt_1', () => 'x', { ttlMs: 1000 });
    time.advance(1000);
    expect(await deduplicate(store, 'evt_1', () => 'y')).toEqual({
      status: 'processed',
      result: 'y',
    });
    await expect(deduplicate(store, 'evt_2', () => 1, { leaseMs: -5 })).rejects.toMatchObject({
      code: 'invalid_option',
    });
  });
});

test('the fingerprint is sha256(METHOD \\n path \\n sha256hex(canonical body))', () => {
  // Same value as computed independently with node:crypto in webcrypto.test.ts.
  expect(requestFingerprintSync({ method: 'post', path: '/v1/x', body: '{"b":1,"a":2}' })).toBe(
    'c53febc24b5bcb18d856550b1a3f24dbd5bd2ef5c1a22bacc77ded44841d3005',
  );
});
