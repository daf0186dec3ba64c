/** The in-memory idempotency result store: answers within its time-to-live, forgets after, stays bounded. */
import { expect, test } from 'vitest';
import { InMemoryIdempotencyResultStore } from './idempotency.ts';

test('answers within the time-to-live and forgets after it', async () => {
  let now = 0;
  const store = new InMemoryIdempotencyResultStore({ ttlMs: 1_000, now: () => now });
  await store.set('stripe:payments.refund:k1', { id: 're_1' });
  now = 999;
  expect(await store.get('stripe:payments.refund:k1')).toEqual({ id: 're_1' });
  now = 1_000;
  expect(await store.get('stripe:payments.refund:k1')).toBe(undefined);
});

test('drops the oldest entry beyond its size bound', async () => {
  const store = new InMemoryIdempotencyResultStore({ maxEntries: 2 });
  await store.set('a', 1);
  await store.set('b', 2);
  await store.set('c', 3);
  expect(await store.get('a')).toBe(undefined);
  expect(await store.get('b')).toBe(2);
  expect(await store.get('c')).toBe(3);
});
