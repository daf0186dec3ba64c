/**
 * At most one message per idempotency key, for every messaging channel. The
 * messaging providers have no idempotency header, so a caller that repeats a
 * send (a retried job, a redelivered event) would otherwise reach the patient
 * twice. The channel remembers the result by key and answers repeats from it.
 */
import type { IdempotencyResultStore } from '../core/idempotency.ts';
import type { SendResult } from './messaging.ts';

/**
 * Returns a wrapper that runs a send once per key: a repeat gets the stored
 * result, concurrent repeats share the one send, a send without a key always
 * runs. A failed send is not remembered, so it can be tried again.
 *
 * @example
 * const sendOnce = createSendOnce(new InMemoryIdempotencyResultStore(), 'twilio');
 * const result = await sendOnce(message.idempotencyKey, () => postToTwilio(message));
 */
export function createSendOnce(store: IdempotencyResultStore, provider: string) {
  const inflight = new Map<string, Promise<SendResult>>();
  return (key: string | undefined, send: () => Promise<SendResult>): Promise<SendResult> => {
    if (key === undefined) return send();
    // Its own prefix: the provider client keys its stored responses `${provider}:${operation}:…`.
    const storeKey = `channel:${provider}:${key}`;
    const pending = inflight.get(storeKey);
    if (pending) return pending;
    // Registered before the first await, so a concurrent repeat finds it even
    // when the store answers slowly.
    const running = (async () => {
      const stored = (await store.get(storeKey)) as SendResult | undefined;
      if (stored !== undefined) return stored;
      const result = await send();
      await store.set(storeKey, result);
      return result;
    })().finally(() => inflight.delete(storeKey));
    inflight.set(storeKey, running);
    return running;
  };
}
