/**
 * Migrations beside another session's DDL (PostgreSQL only): Kysely's
 * migrator finds its own table by listing the tables and columns of every
 * schema, and that listing fails (42P01, 42703) when another schema's tables
 * change under it — what two test runs on one database, or several servers
 * with schemas of their own, do. The listing is retried; nothing of ours has
 * run when it fails.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { serverMigrations } from '../features.ts';
import { migrateToLatest, pendingMigrations } from './migrate.ts';

const url = process.env.TEST_DATABASE_URL;
const opened: TestDatabase[] = [];

afterAll(async () => {
  for (const database of opened) await database.close();
});

describe.runIf(url)('migrations while another schema changes', () => {
  test('listing and migrating succeed while tables with serial columns come and go next door', async () => {
    const churn = new pg.Client({ connectionString: url });
    await churn.connect();
    const schema = `churn_${randomBytes(5).toString('hex')}`;
    await churn.query(`create schema ${schema}`);
    let stop = false;
    let rounds = 0;
    const churning = (async () => {
      while (!stop) {
        await churn.query(`create table ${schema}.t (id serial primary key, a int)`);
        await churn.query(`alter table ${schema}.t add column b int`);
        await churn.query(`alter table ${schema}.t drop column a`);
        await churn.query(`drop table ${schema}.t`);
        rounds++;
        // Bursts of DDL with gaps, as another run's migrations come: a wall of
        // DDL without a gap would starve any reader of the catalogue.
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    try {
      for (let i = 0; i < 3; i++) {
        const database = await openTestDatabase({ migrate: false });
        opened.push(database);
        expect((await migrateToLatest(database.db, serverMigrations)).length).toBeGreaterThan(0);
        for (let j = 0; j < 10; j++)
          expect(await pendingMigrations(database.db, serverMigrations)).toEqual([]);
      }
    } finally {
      stop = true;
      await churning;
      await churn.query(`drop schema ${schema} cascade`);
      await churn.end();
    }
    // The churn really ran beside the migrations.
    expect(rounds).toBeGreaterThan(0);
  }, 180_000);
});
