/**
 * Wake-ups of the dispatcher. In-process producers (fan-out, operator
 * retries) wake it through an eventemitter3 emitter; other processes wake
 * it through PostgreSQL `LISTEN/NOTIFY` on the channel the `events` trigger
 * notifies at commit. On PGlite the same trigger notifies in-process
 * listeners. Wake-ups are hints only: the dispatcher also polls, so a lost
 * notification delays work by one poll interval and never loses it.
 */
import { EventEmitter } from 'eventemitter3';
import pg from 'pg';
import type { Database } from '../db/database.ts';
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
  if (options.listen !== false) {
    if (database.pool) stop = await listenPostgres(database.pool, local.wake);
    else if (database.pglite) stop = await listenPGlite(database, local.wake);
  }
  return {
    onWake: local.onWake,
    wake: local.wake,
    close: async () => {
      await stop();
      if (!options.local) await local.close();
    },
  };
}

async function listenPostgres(pool: pg.Pool, wake: () => void): Promise<() => Promise<void>> {
  // A dedicated connection: LISTEN belongs to a session, and pooled sessions come and go.
  const client = new pg.Client((pool as unknown as { options: pg.ClientConfig }).options);
  client.on('error', () => {
    // The connection dropped: polling carries on until the next restart.
  });
  await client.connect();
  const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
  const schema = rows[0]?.schema;
  client.on('notification', (message) => {
    if (message.channel === EVENTS_CHANNEL && (message.payload ?? '') === schema) wake();
  });
  await client.query(`listen ${EVENTS_CHANNEL}`);
  return async () => {
    await client.end().catch(() => {});
  };
}

async function listenPGlite(database: Database, wake: () => void): Promise<() => Promise<void>> {
  const pglite = database.pglite;
  if (!pglite) return async () => {};
  // Hold the dialect's only connection while subscribing, so LISTEN never
  // lands inside another caller's open transaction.
  const unlisten = await database.db
    .connection()
    .execute(() => pglite.listen(EVENTS_CHANNEL, () => wake()));
  return async () => {
    await database.db
      .connection()
      .execute(() => unlisten())
      .catch(() => {});
  };
}
