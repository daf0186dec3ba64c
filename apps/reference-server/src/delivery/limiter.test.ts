import { describe, expect, test } from 'vitest';
import { createDeliveryLimiter } from './limiter.ts';

function gate() {
  let open = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

describe('delivery limiter', () => {
  test('a slow endpoint holds only its own slots; others keep flowing', async () => {
    const limiter = createDeliveryLimiter({ global: 4, perEndpoint: 2 });
    const slow = gate();
    const inFlight = { slow: 0, fast: 0 };
    let maxSlow = 0;
    const slowTasks = Array.from({ length: 10 }, () =>
      limiter.run('whep_slow', async () => {
        inFlight.slow++;
        maxSlow = Math.max(maxSlow, inFlight.slow);
        await slow.opened;
        inFlight.slow--;
      }),
    );
    const fastDone: number[] = [];
    const fastTasks = Array.from({ length: 20 }, (_, i) =>
      limiter.run(`whep_fast${i % 3}`, async () => {
        fastDone.push(i);
      }),
    );
    await Promise.all(fastTasks);
    expect(fastDone).toHaveLength(20);
    expect(maxSlow).toBe(2);
    expect(limiter.size).toBe(10);
    slow.open();
    await Promise.all(slowTasks);
    await limiter.onIdle();
    expect(limiter.size).toBe(0);
  });

  test('the global limit caps everything in flight', async () => {
    const limiter = createDeliveryLimiter({ global: 3, perEndpoint: 10 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        limiter.run(`whep_${i % 10}`, async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setImmediate(r));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  test('waiting tasks start in the order they came, per endpoint and globally', async () => {
    const limiter = createDeliveryLimiter({ global: 2, perEndpoint: 1 });
    const started: string[] = [];
    const first = gate();
    const tasks = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3'].map((name) =>
      limiter.run(`whep_${name[0]}`, async () => {
        started.push(name);
        if (name === 'a1') await first.opened;
        await new Promise((r) => setImmediate(r));
      }),
    );
    await new Promise((r) => setImmediate(r));
    // a1 and b1 hold both global slots; c1 waits for one, a2 and a3 behind a1.
    expect(started).toEqual(['a1', 'b1']);
    first.open();
    await Promise.all(tasks);
    expect(started).toEqual(['a1', 'b1', 'c1', 'b2', 'a2', 'a3']);
    expect(limiter.size).toBe(0);
  });

  test('a task that throws at once rejects its caller and frees both slots', async () => {
    const limiter = createDeliveryLimiter({ global: 1, perEndpoint: 1 });
    await expect(
      limiter.run('whep_a', () => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    await expect(limiter.run('whep_a', async () => 7)).resolves.toBe(7);
    await limiter.onIdle();
  });

  test('a failing task rejects its caller and frees its slot', async () => {
    const limiter = createDeliveryLimiter({ global: 1, perEndpoint: 1 });
    await expect(
      limiter.run('whep_a', async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    await expect(limiter.run('whep_a', async () => 42)).resolves.toBe(42);
  });
});
