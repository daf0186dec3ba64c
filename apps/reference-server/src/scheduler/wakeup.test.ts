/**
 * Wake-ups: committing an event wakes the dispatcher through the database
 * (LISTEN/NOTIFY on PostgreSQL, in-process notifications on PGlite); a
 * rolled-back event and another schema's notification do not.
 */
import { PING_MESSAGE } from '@clinicbridge/sdk/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { EVENTS_CHANNEL } from './migrations.ts';
import { type BusWakeup, createWakeup } from './wakeup.ts';

let database: TestDatabase;
let wakeup: BusWakeup;
let wakes = 0;

beforeAll(async () => {
  database = await openTestDatabase();
  wakeup = await createWakeup(database);
  wakeup.onWake(() => {
    wakes++;
  });
});
afterAll(async () => {
  await wakeup.close();
  await database.close();
});

const ping = {
  tenantId: 'ten_wakeuptenant000000000001',
  type: 'webhook_endpoint.ping' as const,
  entityType: 'webhook_endpoint',
  entityId: 'whep_wakeupendpoint000000001',
  data: { endpointId: 'whep_wakeupendpoint000000001' as const, message: PING_MESSAGE } as const,
};

async function wakesAfter(action: () => Promise<unknown>, waitMs: number): Promise<number> {
  const before = wakes;
  await action();
  const deadline = Date.now() + waitMs;
  while (wakes === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return wakes - before;
}

describe('bus wake-ups', () => {
  test('a committed event wakes listeners through the database', async () => {
    const woken = await wakesAfter(
      () => database.db.transaction().execute((trx) => recordEvent(trx, ping)),
      3_000,
    );
    expect(woken).toBeGreaterThanOrEqual(1);
  });

  test('a rolled-back event wakes nobody', async () => {
    const woken = await wakesAfter(
      () =>
        database.db
          .transaction()
          .execute(async (trx) => {
            await recordEvent(trx, ping);
            throw new Error('rollback');
          })
          .catch(() => {}),
      300,
    );
    expect(woken).toBe(0);
  });

  test.runIf(process.env.TEST_DATABASE_URL)(
    "another schema's notification is ignored",
    async () => {
      const woken = await wakesAfter(
        () => sql`select pg_notify(${EVENTS_CHANNEL}, 'some_other_schema')`.execute(database.db),
        300,
      );
      expect(woken).toBe(0);
    },
  );

  test('wake() reaches in-process listeners', async () => {
    expect(await wakesAfter(async () => wakeup.wake(), 100)).toBe(1);
  });
});
