import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { changedTopics, type Fingerprint } from './changes.ts';
import { LiveHub } from './live.ts';
import { backTo, noticeOf } from './notices.ts';

const OPTIONS = { pollMs: 1_000, heartbeatMs: 5_000, maxConnections: 2 };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Collects what a stream sends, and whether it ended. */
function collect(stream: ReadableStream<Uint8Array>) {
  const seen = { text: '', ended: false };
  const decoder = new TextDecoder();
  void (async () => {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.text += decoder.decode(value);
    }
    seen.ended = true;
  })();
  return seen;
}

test('a change after the baseline is announced once on every stream, with its topics', async () => {
  let state: Fingerprint = { alerts: '0', tasks: '0' };
  const hub = new LiveHub(
    async () => state,
    OPTIONS,
    (err) => {
      throw err;
    },
  );
  const a = collect(hub.open(new AbortController().signal)!);
  const b = collect(hub.open(new AbortController().signal)!);
  await vi.advanceTimersByTimeAsync(OPTIONS.pollMs);
  expect(a.text).not.toContain('event: change');
  state = { alerts: '1', tasks: '0' };
  await vi.advanceTimersByTimeAsync(OPTIONS.pollMs);
  await vi.advanceTimersByTimeAsync(OPTIONS.pollMs);
  for (const seen of [a, b]) {
    expect(seen.text).toContain('retry: 5000');
    expect(seen.text.match(/event: change\ndata: \{"topics":\["alerts"\]\}\n\n/g)).toHaveLength(1);
  }
  hub.close();
});

test('heartbeats, a bound on streams, leaving on abort, and closing ends them all', async () => {
  let reads = 0;
  const hub = new LiveHub(
    async () => {
      reads++;
      return {};
    },
    OPTIONS,
    () => undefined,
  );
  const leaving = new AbortController();
  const a = collect(hub.open(leaving.signal)!);
  const b = collect(hub.open(new AbortController().signal)!);
  expect(hub.open(new AbortController().signal)).toBeNull();
  await vi.advanceTimersByTimeAsync(OPTIONS.heartbeatMs);
  expect(b.text).toContain(': heartbeat\n\n');
  leaving.abort();
  await vi.advanceTimersByTimeAsync(0);
  expect(a.ended).toBe(true);
  expect(hub.size).toBe(1);
  const c = collect(hub.open(new AbortController().signal)!);
  hub.close();
  await vi.advanceTimersByTimeAsync(0);
  expect(b.ended && c.ended).toBe(true);
  expect(hub.open(new AbortController().signal)).toBeNull();
  // Nobody listens: no more reads.
  const before = reads;
  await vi.advanceTimersByTimeAsync(OPTIONS.pollMs * 5);
  expect(reads).toBe(before);
});

test('changed topics, notices and where an action goes back to', () => {
  expect(
    changedTopics({ alerts: '1', tasks: 'x' }, { alerts: '2', tasks: 'x', endpoints: 'e' }),
  ).toEqual(['alerts', 'endpoints']);
  expect(noticeOf('resolved')).toEqual({ text: 'Alert resolved.', error: false });
  expect(noticeOf('toString')).toBeNull();
  expect(noticeOf(undefined)).toBeNull();
  expect(backTo('/ops/endpoints/whep_1', 'replayed')).toBe('/ops/endpoints/whep_1?notice=replayed');
  expect(backTo('/ops/tasks', 'done')).toBe('/ops/tasks?notice=done');
  for (const evil of [
    'https://evil.example/',
    '//evil.example',
    '/ops/../admin',
    '/ops/tasks?x=1',
    42,
  ])
    expect(backTo(evil, 'done')).toBe('/ops?notice=done');
});
