/**
 * Concurrency limits for webhook delivery: a global cap on in-flight
 * attempts and a smaller cap per endpoint, so one slow partner can hold at
 * most its own share of the global slots and never starve the others.
 */

/**
 * Options of {@link createDeliveryLimiter}.
 *
 * @example
 * const options: DeliveryLimiterOptions = { global: 50, perEndpoint: 5 };
 */
export interface DeliveryLimiterOptions {
  /** In-flight attempts across all endpoints; default 50. */
  readonly global?: number;
  /** In-flight attempts to one endpoint; default 5. */
  readonly perEndpoint?: number;
}

/**
 * Runs attempts under both limits.
 *
 * @example
 * await limiter.run('whep_…', () => sender.send(input)); await limiter.onIdle();
 */
export interface DeliveryLimiter {
  /** Runs `task` once the endpoint and the global limit both have room. */
  run<T>(endpointId: string, task: () => Promise<T>): Promise<T>;
  /** Tasks queued or running, across all endpoints. */
  readonly size: number;
  /** Resolves when nothing is queued or running. */
  onIdle(): Promise<void>;
}

/**
 * Slots for at most `limit` holders; waiters are let in first come, first
 * served. `take` returns nothing (no promise to wait on) while a slot is free.
 */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#free = limit;
  }

  take(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter, or becomes free.
    if (next) next();
    else this.#free++;
  }
}

/**
 * Creates the limiter.
 *
 * @example
 * const limiter = createDeliveryLimiter({ global: 50, perEndpoint: 5 });
 * await limiter.run(endpoint.id, () => sender.send(attempt));
 */
export function createDeliveryLimiter(options: DeliveryLimiterOptions = {}): DeliveryLimiter {
  const global = new Slots(Math.max(1, options.global ?? 50));
  const perEndpoint = Math.max(1, options.perEndpoint ?? 5);
  // An endpoint's slots with how many tasks hold or wait for them; dropped at zero.
  const endpoints = new Map<string, { slots: Slots; tasks: number }>();
  let size = 0;
  let idle: { promise: Promise<void>; resolve: () => void } | undefined;

  const run = async <T>(endpointId: string, task: () => Promise<T>): Promise<T> => {
    let endpoint = endpoints.get(endpointId);
    if (!endpoint) {
      endpoint = { slots: new Slots(perEndpoint), tasks: 0 };
      endpoints.set(endpointId, endpoint);
    }
    endpoint.tasks++;
    size++;
    try {
      // The endpoint slot is taken first, so a slow endpoint's backlog waits in
      // its own queue and never occupies global slots it cannot use.
      await endpoint.slots.take();
      try {
        await global.take();
        try {
          return await task();
        } finally {
          global.give();
        }
      } finally {
        endpoint.slots.give();
      }
    } finally {
      size--;
      if (--endpoint.tasks === 0) endpoints.delete(endpointId);
      if (size === 0 && idle) {
        idle.resolve();
        idle = undefined;
      }
    }
  };

  return {
    run,
    get size() {
      return size;
    },
    onIdle() {
      if (size === 0) return Promise.resolve();
      if (!idle) {
        let resolve = () => {};
        const promise = new Promise<void>((r) => {
          resolve = r;
        });
        idle = { promise, resolve };
      }
      return idle.promise;
    },
  };
}
