/**
 * The event hint's bookkeeping, without a database: a write alone keeps its
 * NOTIFY, one beside another defers it, only a deferred commit calls for
 * the hint, and hints asked for while one is on its way become one more,
 * sent no sooner than the spacing after the one before.
 */
import { describe, expect, test } from 'vitest';
import { coalesced, countedHint } from './event-hint.ts';

describe('countedHint', () => {
  test('a write alone keeps its NOTIFY; one that starts beside another defers it', () => {
    const hint = countedHint(() => {});
    expect(hint.enter()).toBe(false);
    expect(hint.enter()).toBe(true);
    expect(hint.enter()).toBe(true);
    hint.leave(true);
    hint.leave(true);
    hint.leave(false);
    expect(hint.enter()).toBe(false);
  });

  test('only a write that deferred and committed calls for the hint', () => {
    let calls = 0;
    const hint = countedHint(() => {
      calls++;
    });
    hint.enter();
    hint.leave(false);
    expect(calls).toBe(0);
    hint.enter();
    hint.leave(true);
    expect(calls).toBe(1);
  });
});

describe('coalesced', () => {
  test('calls while one send is on its way become one more send after it', async () => {
    const pending: Array<() => void> = [];
    let sends = 0;
    const notify = coalesced(() => {
      sends++;
      return new Promise<void>((resolve) => pending.push(resolve));
    });
    notify();
    notify();
    notify();
    expect(sends).toBe(1);
    pending.shift()?.();
    await expect.poll(() => sends).toBe(2);
    pending.shift()?.();
    // Nothing was asked meanwhile: the second send is the last.
    await new Promise((resolve) => setImmediate(resolve));
    expect(sends).toBe(2);
    notify();
    expect(sends).toBe(3);
    pending.shift()?.();
  });

  test('with a spacing, the send asked for meanwhile starts that long after the one before', async () => {
    const spacing = 400;
    const starts: number[] = [];
    const pending: Array<() => void> = [];
    const notify = coalesced(() => {
      starts.push(performance.now());
      return new Promise<void>((resolve) => pending.push(resolve));
    }, spacing);
    notify();
    notify();
    notify();
    pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(starts).toHaveLength(1);
    await expect.poll(() => starts.length, { timeout: 10_000 }).toBe(2);
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(spacing - 2);
    pending.shift()?.();
    // Nothing was asked meanwhile: the next call, however soon, sends at once.
    await new Promise((resolve) => setImmediate(resolve));
    notify();
    expect(starts).toHaveLength(3);
    pending.shift()?.();
  });

  test('a failed send is dropped and the next call sends again', async () => {
    let sends = 0;
    let failing = true;
    const notify = coalesced(async () => {
      sends++;
      if (failing) throw new Error('connection lost');
    });
    notify();
    await expect.poll(() => sends).toBe(1);
    failing = false;
    await new Promise((resolve) => setImmediate(resolve));
    notify();
    await expect.poll(() => sends).toBe(2);
  });
});
