/**
 * Wake-ups of the dispatcher. In-process producers (fan-out, operator
 * retries) wake it through an eventemitter3 emitter; other processes wake
 * it through PostgreSQL `LISTEN/NOTIFY` on the channel the `events` trigger
 * notifies at commit. On PGlite the same trigger notifies in-process
 * listeners. Wake-ups are hints only: the dispatcher also polls, so a lost
 * notification delays work by one poll interval and never loses it.
 * The listening itself is `db/notifications.ts`, shared with signing-key
 * rotation.
 */
import { EventEmitter } from 'eventemitter3';
import type { Database } from '../db/database.ts';
import { listenForNotifications } from '../db/notifications.ts';
import { EVENTS_CHANNEL } from './migrations.ts';

/**
 * A source of wake-up hints.
 *
 * @example
 * const stop = wakeup.onWake(() => dispatcher.tick()); wakeup.wake(); stop();
 */
export interface BusWakeup {
  /** Calls `listener` on every hint; returns the unsubscribe function. */
  onWake(listener: () => void): () => void;
  /** Wakes every listener in this process. */
  wake(): void;
  /** Stops listening to the database. */
  close(): Promise<void>;
}

/**
 * An in-process wake-up source: `wake()` calls every listener of this
 * process. The app context holds one from the start, so handlers can wake
 * the scheduler before it runs (a wake-up with no listener is a no-op).
 *
 * @example
 * const wakeup = createLocalWakeup();
 * wakeup.onWake(() => console.log('woken')); wakeup.wake();
 */
export function createLocalWakeup(): BusWakeup {
  const emitter = new EventEmitter<{ wake: [] }>();
  return {
    onWake(listener) {
      emitter.on('wake', listener);
      return () => emitter.off('wake', listener);
    },
    wake: () => {
      emitter.emit('wake');
    },
    close: async () => {
      emitter.removeAllListeners();
    },
  };
}

/**
 * Creates the wake-up source for a database: `local` (or a new in-process
 * source) also woken by the database's notifications. `listen: false` gives
 * an in-process-only source (tests that drive the dispatcher by hand).
 * Closing it stops listening; a `local` source passed in stays open.
 *
 * @example
 * const wakeup = await createWakeup(database);
 * wakeup.onWake(() => dispatcher.kick());
 */
export async function createWakeup(
  database: Database,
  options: { listen?: boolean; local?: BusWakeup } = {},
): Promise<BusWakeup> {
  const local = options.local ?? createLocalWakeup();
  let stop: () => Promise<void> = async () => {};
  if (options.listen !== false)
    stop = await listenForNotifications(database, EVENTS_CHANNEL, local.wake);
  return {
    onWake: local.onWake,
    wake: local.wake,
    close: async () => {
      await stop();
      if (!options.local) await local.close();
    },
  };
}
