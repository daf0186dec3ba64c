/**
 * Composes the event bus of one server process from its configuration: the
 * delivery engine (SSRF guard, undici sender, concurrency limiter, delivery
 * worker) run as the last job of the scheduler's dispatcher, with its
 * wake-ups. The delivery feature, the tests and the multi-process harness
 * all build the bus through this one function.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../db/database.ts';
import { preparedRunnerOf } from '../db/prepared.ts';
import { type BusJob, createDispatcher, type Dispatcher } from '../scheduler/dispatcher.ts';
import type { FanOutTarget } from '../scheduler/fanout.ts';
import type { InternalSubscriber } from '../scheduler/subscriber.ts';
import { type BusWakeup, createWakeup } from '../scheduler/wakeup.ts';
import type { AttemptRecord } from './claims.ts';
import type { DeliveryConfig } from './config.ts';
import { createDeliveryLimiter } from './limiter.ts';
import { scheduleLeasedDeliveries } from './schedule-deliveries.ts';
import { createSender, type Sender } from './sender.ts';
import { createTargetGuard, type ResolveHost, type TargetGuard } from './ssrf.ts';
import { createDeliveryWorker } from './worker.ts';

/**
 * Options of {@link createEventBus}.
 *
 * @example
 * await createEventBus({ database, config: deliveryConfig.parse(process.env), subscribers: defaultSubscribers() });
 */
export interface EventBusOptions {
  readonly database: Database;
  readonly config: DeliveryConfig;
  readonly subscribers?: readonly InternalSubscriber[];
  readonly jobs?: readonly BusJob[];
  /** Process id in leases; default host + pid + random. */
  readonly workerId?: string;
  /** Wall clock in ms (injectable for tests). */
  readonly now?: () => number;
  /** Random source of the retry jitter (injectable for tests). */
  readonly random?: () => number;
  /** DNS for the SSRF guard (injectable for tests). */
  readonly resolve?: ResolveHost;
  /** Subscribe to database notifications (default true). */
  readonly listen?: boolean;
  readonly onRecorded?: (records: readonly AttemptRecord[]) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * The bus of one process.
 *
 * @example
 * const bus: EventBus = await createEventBus(options); bus.dispatcher.start(); await bus.close();
 */
export interface EventBus {
  readonly dispatcher: Dispatcher;
  readonly wakeup: BusWakeup;
  readonly guard: TargetGuard;
  readonly sender: Sender;
  readonly workerId: string;
  /** Stops the dispatcher, waits for in-flight attempts, releases sockets and listeners. */
  close(): Promise<void>;
}

/**
 * What {@link createDeliveryEngine} needs: the bus options without the
 * scheduler's parts, plus the wake-up the worker calls when it has capacity again.
 *
 * @example
 * createDeliveryEngine({ database, config, wake: () => wakeup.wake() });
 */
export type DeliveryEngineOptions = Omit<EventBusOptions, 'subscribers' | 'jobs' | 'listen'> & {
  readonly wake: () => void;
};

/**
 * The delivery engine of one process: SSRF guard, undici sender, limiter
 * and worker, with the worker as a scheduler job.
 *
 * @example
 * const engine = createDeliveryEngine({ database, config, wake });
 * createDispatcher({ db, wakeup, jobs: [engine.job], pollIntervalMs: 1_000 });
 */
export interface DeliveryEngine {
  readonly job: BusJob;
  /**
   * The delivery part of the fan-out: creates the deliveries of new events,
   * leased to this engine's worker as far as it has room, and hands those to
   * it once the fan-out commits.
   */
  readonly fanOut: FanOutTarget;
  readonly guard: TargetGuard;
  readonly sender: Sender;
  readonly workerId: string;
  /** Releases the sender's sockets (stop the dispatcher first). */
  close(): Promise<void>;
}

/**
 * Builds the delivery engine.
 *
 * @example
 * const engine = createDeliveryEngine({ database, config: deliveryConfig.parse(process.env), wake });
 */
export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  const { config } = options;
  const workerId =
    options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const guard = createTargetGuard({
    allowlist: config.WEBHOOK_TARGET_ALLOWLIST,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  const sender = createSender({
    guard,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    connectionsPerOrigin: config.WEBHOOK_ENDPOINT_CONCURRENCY,
  });
  const limiter = createDeliveryLimiter({
    global: config.WEBHOOK_CONCURRENCY,
    perEndpoint: config.WEBHOOK_ENDPOINT_CONCURRENCY,
  });
  const worker = createDeliveryWorker({
    onCapacity: () => options.wake(),
    db: options.database.db,
    prepared: preparedRunnerOf(options.database),
    worker: workerId,
    sender,
    limiter,
    schedule: config.WEBHOOK_RETRY_SCHEDULE,
    leaseMs: config.WEBHOOK_LEASE,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER,
    maxHeld: config.WEBHOOK_CONCURRENCY * 4,
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.onRecorded ? { onRecorded: options.onRecorded } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const fanOut: FanOutTarget = async (trx, ids, now) => {
    const room = worker.leaseRoom();
    const leased = await scheduleLeasedDeliveries(trx, ids, now, {
      worker: workerId,
      leaseMs: config.WEBHOOK_LEASE,
      limit: room,
    });
    return () => worker.send(leased, leased.length >= room);
  };
  return {
    job: { run: () => worker.claimAndSend(), drain: () => worker.drain() },
    fanOut,
    guard,
    sender,
    workerId,
    close: () => sender.close(),
  };
}

/**
 * Builds the bus (not started: call `bus.dispatcher.start()`).
 *
 * @example
 * const bus = await createEventBus({ database, config: loadConfig(process.env, [deliveryConfig]) });
 * bus.dispatcher.start();
 */
export async function createEventBus(options: EventBusOptions): Promise<EventBus> {
  let wake = () => {};
  const engine = createDeliveryEngine({ ...options, wake: () => wake() });
  const wakeup = await createWakeup(options.database, { listen: options.listen ?? true });
  wake = wakeup.wake;
  const dispatcher = createDispatcher({
    db: options.database.db,
    wakeup,
    subscribers: options.subscribers ?? [],
    fanOut: [engine.fanOut],
    jobs: [...(options.jobs ?? []), engine.job],
    pollIntervalMs: options.config.WEBHOOK_POLL_INTERVAL,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return {
    dispatcher,
    wakeup,
    guard: engine.guard,
    sender: engine.sender,
    workerId: engine.workerId,
    async close() {
      await dispatcher.stop();
      await wakeup.close();
      await engine.close();
    },
  };
}
