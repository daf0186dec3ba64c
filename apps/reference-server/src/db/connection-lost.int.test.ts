/**
 * An idle pooled connection that PostgreSQL ends (a restart, an administrator
 * terminating its backend) must not end the process: the pool drops it and
 * the next query opens a new one. Without the database's own listener for
 * the pool's 'error' event, Node throws it as an uncaught exception and this
 * file fails (the test adds no listener of its own).
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { until } from '../../test/helpers/until.ts';
import type { Database } from './database.ts';
import { openDatabase } from './database.ts';

describe.runIf(testDatabaseKind === 'postgres')('a pooled connection ended by PostgreSQL', () => {
  const url = process.env.TEST_DATABASE_URL ?? '';
  let database: Database;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await openDatabase({ url, poolSize: 2 });
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await database?.close();
  });

  test('is dropped from the pool and the next query runs on a new one', async () => {
    const backendPid = async () =>
      (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)).rows[0]
        ?.pid;
    const before = await backendPid();
    expect(database.pool?.idleCount).toBe(1);
    const removed: unknown[] = [];
    database.pool?.on('remove', (client) => removed.push(client));

    await admin.query('select pg_terminate_backend($1)', [before]);
    await until(() => database.pool?.totalCount === 0, 'the pool to drop the ended connection');

    await until(() => removed.length === 1, 'the ended client to be removed');
    const after = await backendPid();
    expect(after).toBeTypeOf('number');
    expect(after).not.toBe(before);
  });
});
