/**
 * Retention of the relay's marks on the test database: relayed marks older
 * than the retention go, recent ones and the backlog stay, and the job runs
 * at most once an interval.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { pruneRelayed, relayRetentionJob } from './retention.ts';

let database: TestDatabase;
const day = 86_400_000;
const now = new Date('2026-12-01T00:00:00Z');

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const mark = (id: string, relayedAt: Date | null, sink = 'nats') => ({
  sink,
  event_id: id,
  tenant_id: 'ten_retention',
  sequence: 1,
  created_at: new Date(now.getTime() - 30 * day),
  relayed_at: relayedAt,
});

test('only marks relayed before the cut-off are deleted; the backlog stays', async () => {
  await database.db
    .insertInto('relay_events')
    .values([
      mark('evt_old', new Date(now.getTime() - 8 * day)),
      mark('evt_recent', new Date(now.getTime() - day)),
      mark('evt_backlog', null),
      // Relayed to NATS long ago, still waiting for RabbitMQ: only the NATS mark goes.
      mark('evt_backlog', new Date(now.getTime() - 9 * day), 'rabbitmq'),
      mark('evt_old', null, 'rabbitmq'),
    ])
    .execute();
  expect(await pruneRelayed(database.db, new Date(now.getTime() - 7 * day))).toBe(2);
  const left = await database.db
    .selectFrom(['relay_events'])
    .select(['sink', 'event_id'])
    .execute();
  expect(left.map((row) => `${row.sink}:${row.event_id}`).sort()).toEqual([
    'nats:evt_backlog',
    'nats:evt_recent',
    'rabbitmq:evt_old',
  ]);
  await database.db.deleteFrom('relay_events').where('sink', '=', 'rabbitmq').execute();
});

test('the job prunes at most once an interval and never reports work', async () => {
  const job = relayRetentionJob(database.db, day / 2, 3_600_000);
  expect(await job(now)).toBe(0);
  const left = await database.db.selectFrom('relay_events').select('event_id').execute();
  expect(left.map((row) => row.event_id)).toEqual(['evt_backlog']);
  await database.db
    .insertInto('relay_events')
    .values(mark('evt_later', new Date(now.getTime() - 2 * day)))
    .execute();
  expect(await job(new Date(now.getTime() + 60_000))).toBe(0);
  expect(await database.db.selectFrom('relay_events').select('event_id').execute()).toHaveLength(2);
  await job(new Date(now.getTime() + 3_600_000));
  expect(await database.db.selectFrom('relay_events').select('event_id').execute()).toHaveLength(1);
});
