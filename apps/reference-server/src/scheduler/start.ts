/**
 * Starts the scheduler of one server process: the dispatcher over every
 * feature's subscribers and jobs, woken by the app's in-process wake-ups and
 * by the database's notifications. Off when `WEBHOOK_DISPATCHER` is false
 * (API-only processes).
 */
import { type AppContext, type Feature, readSection } from '../feature.ts';
import { schedulerConfig } from './config.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import { createWakeup } from './wakeup.ts';

/**
 * A started scheduler.
 *
 * @example
 * const scheduler = await startScheduler(context, features);
 * await scheduler?.dispatcher.runUntilIdle();
 */
export interface Scheduler {
  readonly dispatcher: Dispatcher;
  /** Stops the dispatcher (in-flight work finishes) and the database listener. */
  close(): Promise<void>;
}

/**
 * Collects the features' subscribers and jobs and starts the dispatcher;
 * undefined when this process runs no background work.
 *
 * @example
 * const scheduler = await startScheduler(context, serverFeatures());
 * process.once('SIGTERM', () => scheduler?.close());
 */
export async function startScheduler(
  context: AppContext,
  features: readonly Feature[],
  options: { readonly now?: () => number } = {},
): Promise<Scheduler | undefined> {
  const config = readSection(context.config, schedulerConfig);
  if (!config.WEBHOOK_DISPATCHER) return undefined;
  const subscribers = features.flatMap((feature) => feature.subscribers?.(context) ?? []);
  const jobs = features.flatMap((feature) => feature.jobs?.(context) ?? []);
  const fanOut = features.flatMap((feature) => (feature.fanOut ? [feature.fanOut] : []));
  const wakeup = await createWakeup(context.database, { local: context.wakeup });
  const dispatcher = createDispatcher({
    db: context.db,
    wakeup,
    subscribers,
    fanOut,
    jobs,
    pollIntervalMs: config.WEBHOOK_POLL_INTERVAL,
    ...(options.now ? { now: options.now } : {}),
    onError: (error) => context.logger.error({ err: error }, 'scheduler error'),
  });
  dispatcher.start();
  return {
    dispatcher,
    async close() {
      await dispatcher.stop();
      await wakeup.close();
    },
  };
}
