/**
 * The dispatcher: one loop per server process that fans out recorded
 * events, runs internal subscribers' inboxes, runs extra jobs (inbound
 * webhook processing) and hands due deliveries to the delivery worker. It
 * runs whenever a wake-up arrives and at least every poll interval, and
 * keeps going while there is work. `tick()` runs one pass by hand, so tests
 * drive it with an injected clock instead of waiting.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { DeliveryWorker } from '../delivery/worker.ts';
import { fanOutEvents } from './fanout.ts';
import { processInbox } from './inbox.ts';
import type { InternalSubscriber } from './subscriber.ts';
import type { BusWakeup } from './wakeup.ts';

/**
 * A unit of background work; resolves to how much it did (0 = idle).
 *
 * @example
 * const job: BusJob = (now) => processInboundWebhooks(db, now);
 */
export type BusJob = (now: Date) => Promise<number>;

/**
 * Options of {@link createDispatcher}.
 *
 * @example
 * createDispatcher({ db, wakeup, worker, pollIntervalMs: 1_000 });
 */
export interface DispatcherOptions {
  readonly db: Kysely<DB>;
  readonly wakeup: BusWakeup;
  readonly worker: DeliveryWorker;
  readonly subscribers?: readonly InternalSubscriber[];
  /** Further jobs run on every pass (e.g. inbound webhook processing). */
  readonly jobs?: readonly BusJob[];
  readonly pollIntervalMs: number;
  /** Wall clock in ms (injectable for tests). */
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

/**
 * A running (or runnable) dispatcher.
 *
 * @example
 * dispatcher.start(); await dispatcher.stop();
 */
export interface Dispatcher {
  /** Starts the loop. */
  start(): void;
  /** Runs one pass; resolves to the amount of work found. */
  tick(): Promise<number>;
  /** Runs passes until one finds nothing, then waits for the sends to be recorded. */
  runUntilIdle(): Promise<void>;
  /** Stops claiming new work and waits for in-flight attempts to be recorded. */
  stop(): Promise<void>;
}

/**
 * Creates the dispatcher.
 *
 * @example
 * const dispatcher = createDispatcher({ db, wakeup, worker, subscribers, pollIntervalMs: 1000 });
 * dispatcher.start();
 * process.on('SIGTERM', () => dispatcher.stop());
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const now = options.now ?? Date.now;
  const subscribers = options.subscribers ?? [];
  let running = false;
  let loop: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wakeRequested = false;
  let wakeResolve: (() => void) | undefined;

  const tick = async (): Promise<number> => {
    const at = new Date(now());
    let work = await fanOutEvents(options.db, subscribers, at);
    for (const subscriber of subscribers) work += await processInbox(options.db, subscriber, at);
    for (const job of options.jobs ?? []) work += await job(at);
    work += await options.worker.claimAndSend();
    return work;
  };

  const waitForWake = () =>
    new Promise<void>((resolve) => {
      if (wakeRequested || !running) {
        wakeRequested = false;
        resolve();
        return;
      }
      wakeResolve = resolve;
      timer = setTimeout(() => {
        wakeResolve = undefined;
        resolve();
      }, options.pollIntervalMs);
    });

  const unsubscribe = options.wakeup.onWake(() => {
    if (wakeResolve) {
      clearTimeout(timer);
      const resolve = wakeResolve;
      wakeResolve = undefined;
      resolve();
    } else {
      wakeRequested = true;
    }
  });

  const run = async () => {
    while (running) {
      let work = 0;
      try {
        work = await tick();
      } catch (error) {
        options.onError?.(error);
      }
      if (work === 0 && running) await waitForWake();
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    tick,
    async runUntilIdle() {
      while ((await tick()) > 0) await options.worker.drain();
      await options.worker.drain();
    },
    async stop() {
      running = false;
      unsubscribe();
      clearTimeout(timer);
      wakeResolve?.();
      await loop;
      await options.worker.drain();
    },
  };
}
