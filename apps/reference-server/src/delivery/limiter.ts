/**
 * Concurrency limits for webhook delivery: a global cap on in-flight
 * attempts and a smaller cap per endpoint, so one slow partner can hold at
 * most its own share of the global slots and never starve the others.
 */
import PQueue from 'p-queue';

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
 * Creates the limiter.
 *
 * @example
 * const limiter = createDeliveryLimiter({ global: 50, perEndpoint: 5 });
 * await limiter.run(endpoint.id, () => sender.send(attempt));
 */
export function createDeliveryLimiter(options: DeliveryLimiterOptions = {}): DeliveryLimiter {
  const global = new PQueue({ concurrency: options.global ?? 50 });
  const perEndpoint = Math.max(1, options.perEndpoint ?? 5);
  const queues = new Map<string, PQueue>();
  let size = 0;
  let idle: { promise: Promise<void>; resolve: () => void } | undefined;

  const queueFor = (endpointId: string): PQueue => {
    let queue = queues.get(endpointId);
    if (!queue) {
      queue = new PQueue({ concurrency: perEndpoint });
      queues.set(endpointId, queue);
    }
    return queue;
  };

  const run = async <T>(endpointId: string, task: () => Promise<T>): Promise<T> => {
    const queue = queueFor(endpointId);
    size++;
    try {
      // The endpoint slot is taken first, so a slow endpoint's backlog waits in
      // its own queue and never occupies global slots it cannot use.
      return (await queue.add(() => global.add(task))) as T;
    } finally {
      size--;
      if (queue.size === 0 && queue.pending === 0) queues.delete(endpointId);
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
