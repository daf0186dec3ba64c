/**
 * The dispatcher: one loop per server process that fans out recorded
 * events, runs internal subscribers' inboxes, then runs every feature's
 * background jobs (the delivery worker, inbound processing, retention, …).
 * It runs whenever a wake-up arrives and at least every poll interval, and
 * keeps going while there is work. `tick()` runs one pass by hand, so tests
 * drive it with an injected clock instead of waiting. The dispatcher knows
 * no feature: a job that hands work to something asynchronous (the delivery
 * worker's sends) says so with `drain`, which `stop` and `runUntilIdle` await.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { type FanOutTarget, fanOutEvents } from './fanout.ts';
import { processInbox } from './inbox.ts';
import type { InternalSubscriber } from './subscriber.ts';
import type { BusWakeup } from './wakeup.ts';

/**
 * A unit of background work run on every pass; resolves to how much it did
 * (0 = idle). A plain function, or an object whose `drain` waits for work
 * it started but did not finish within `run` (sends in flight).
 *
 * @example
 * const job: BusJob = (now) => processInboundWebhooks(db, now);
 * const worker: BusJob = { run: () => delivery.claimAndSend(), drain: () => delivery.drain() };
 */
export type BusJob =
  | ((now: Date) => Promise<number>)
  | { readonly run: (now: Date) => Promise<number>; readonly drain?: () => Promise<void> };

const runJob = (job: BusJob, at: Date) => (typeof job === 'function' ? job(at) : job.run(at));

async function drainJobs(jobs: readonly BusJob[]): Promise<void> {
  for (const job of jobs) if (typeof job !== 'function') await job.drain?.();
}

/**
 * Options of {@link createDispatcher}.
 *
 * @example
 * createDispatcher({ db, wakeup, jobs: [inboundJob], pollIntervalMs: 1_000 });
 */
export interface DispatcherOptions {
  readonly db: Kysely<DB>;
  readonly wakeup: BusWakeup;
  readonly subscribers?: readonly InternalSubscriber[];
  /** The features' parts of the fan-out (the delivery feature schedules deliveries). */
  readonly fanOut?: readonly FanOutTarget[];
  /** The features' jobs, run in this order on every pass after the subscribers. */
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
 * const dispatcher = createDispatcher({ db, wakeup, subscribers, jobs, pollIntervalMs: 1000 });
 * dispatcher.start();
 * process.on('SIGTERM', () => dispatcher.stop());
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const now = options.now ?? Date.now;
  const subscribers = options.subscribers ?? [];
  const jobs = options.jobs ?? [];
  let running = false;
  let loop: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wakeRequested = false;
  let wakeResolve: (() => void) | undefined;

  const tick = async (): Promise<number> => {
    const at = new Date(now());
    let work = await fanOutEvents(options.db, subscribers, at, { targets: options.fanOut ?? [] });
    for (const subscriber of subscribers) work += await processInbox(options.db, subscriber, at);
    for (const job of jobs) work += await runJob(job, at);
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
      while ((await tick()) > 0) await drainJobs(jobs);
      await drainJobs(jobs);
    },
    async stop() {
      running = false;
      unsubscribe();
      clearTimeout(timer);
      wakeResolve?.();
      await loop;
      await drainJobs(jobs);
    },
  };
}
