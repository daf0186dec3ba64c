/**
 * Cross-process change hints over PostgreSQL `LISTEN/NOTIFY`. A producer
 * runs `pg_notify(channel, current_schema())` inside its transaction, so
 * the hint is delivered at commit; listeners count only hints for their own
 * schema (test files share one PostgreSQL, one schema each). On PGlite the
 * same statements reach in-process listeners. Used by the scheduler's
 * wake-ups and by signing-key rotation.
 */
import pg from 'pg';
import type { Database } from './database.ts';

/**
 * Calls `listener` whenever `channel` is notified for this database: on
 * PostgreSQL through `LISTEN` on a dedicated connection, counting only
 * notifications whose payload is this connection's schema (the convention
 * of every ClinicBridge channel: `pg_notify(channel, current_schema())`);
 * on PGlite through its in-process listeners. Returns the function that
 * stops listening. Notifications are hints: a dropped connection stops
 * them silently, so every user keeps a polling fallback.
 *
 * @example
 * const stop = await listenForNotifications(database, SIGNING_KEYS_CHANNEL, () => keys.invalidate());
 * await stop();
 */
export async function listenForNotifications(
  database: Database,
  channel: string,
  listener: () => void,
): Promise<() => Promise<void>> {
  if (database.pool) return listenPostgres(database.pool, channel, listener);
  if (database.pglite) return listenPGlite(database, channel, listener);
  return async () => {};
}

async function listenPostgres(
  pool: pg.Pool,
  channel: string,
  wake: () => void,
): Promise<() => Promise<void>> {
  // A dedicated connection: LISTEN belongs to a session, and pooled sessions come and go.
  const client = new pg.Client((pool as unknown as { options: pg.ClientConfig }).options);
  client.on('error', () => {
    // The connection dropped: polling carries on until the next restart.
  });
  await client.connect();
  const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
  const schema = rows[0]?.schema;
  client.on('notification', (message) => {
    if (message.channel === channel && (message.payload ?? '') === schema) wake();
  });
  await client.query(`listen ${channel}`);
  return async () => {
    await client.end().catch(() => {});
  };
}

async function listenPGlite(
  database: Database,
  channel: string,
  wake: () => void,
): Promise<() => Promise<void>> {
  const pglite = database.pglite;
  if (!pglite) return async () => {};
  // Hold the dialect's only connection while subscribing, so LISTEN never
  // lands inside another caller's open transaction.
  const unlisten = await database.db
    .connection()
    .execute(() => pglite.listen(channel, () => wake()));
  return async () => {
    await database.db
      .connection()
      .execute(() => unlisten())
      .catch(() => {});
  };
}
