/**
 * The delivery benchmark's same-work baseline (bench/delivery-same-work.ts)
 * does the work it stands for, draining a backlog and live (events recorded
 * while it runs, woken after each commit): every recorded event reaches a
 * local receiver signed as `standardwebhooks` verifies it, every delivery
 * ends succeeded with its attempt row, and each has an audit row in a tenant
 * chain that verifies. PostgreSQL only (TEST_DATABASE_URL): the drain runs
 * on plain `pg`.
 */
import { afterEach, describe, expect, test } from 'vitest';
import {
  type SameWorkResult,
  sameWorkDrain,
  startSameWorkDrain,
} from '../../bench/delivery-same-work.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { recordEvents, seedEndpoint } from '../delivery/harness.ts';
import { type Receiver, startReceiver } from '../delivery/receiver.ts';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../helpers/database.ts';

const EVENTS = 30;
/** Events per transaction in the live case. */
const LIVE_PER_TRANSACTION = 5;
const tenantId = 'ten_sameworkbaseline000000001';

let receiver: Receiver | undefined;
let database: TestDatabase | undefined;

afterEach(async () => {
  await receiver?.close();
  await database?.close();
});

/** A receiver answering 204, its endpoint seeded; arrivals by webhook-id, for the drain. */
async function openCase() {
  receiver = await startReceiver();
  database = await openTestDatabase();
  const arrivals = new Map<string, number>();
  receiver.respond = (request) => {
    arrivals.set(String(request.headers['webhook-id']), request.receivedAt);
    return 204;
  };
  receiver.secrets.set('/hooks', [
    await seedEndpoint(database.db, tenantId, `${receiver.url}/hooks`),
  ]);
  return { receiver, database, arrivals };
}

async function expectAllDelivered(
  { receiver, database, arrivals }: Awaited<ReturnType<typeof openCase>>,
  eventIds: readonly string[],
  result: SameWorkResult,
) {
  const { db } = database;
  expect(result.delivered).toBe(EVENTS);
  expect(receiver.received).toHaveLength(EVENTS);
  expect(receiver.received.every((r) => r.verified)).toBe(true);
  expect(new Set(arrivals.keys())).toEqual(new Set(eventIds));
  const deliveries = await db.selectFrom('deliveries').selectAll().execute();
  expect(deliveries).toHaveLength(EVENTS);
  for (const delivery of deliveries) {
    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 1, lease_owner: null });
  }
  const attempts = await db.selectFrom('delivery_attempts').selectAll().execute();
  expect(attempts.map((a) => a.delivery_id).sort()).toEqual(deliveries.map((d) => d.id).sort());
  expect(attempts.every((a) => a.response_status === 204)).toBe(true);
  const audited = await db
    .selectFrom('audit_events')
    .select('entity_id')
    .where('action', '=', 'delivery.succeeded')
    .execute();
  expect(audited.map((a) => a.entity_id).sort()).toEqual(deliveries.map((d) => d.id).sort());
  const chain = await verifyAuditChain(db, { tenantId });
  expect(chain.broken).toBeNull();
  expect(await db.selectFrom('event_queue').selectAll().execute()).toEqual([]);
}

describe.runIf(testDatabaseKind === 'postgres')('the same-work delivery drain', () => {
  test('delivers every event signed, records each attempt and chains an audit row per delivery', async () => {
    const opened = await openCase();
    const eventIds = await recordEvents(opened.database.db, tenantId, EVENTS);

    const result = await sameWorkDrain({
      url: process.env.TEST_DATABASE_URL as string,
      schema: opened.database.schema as string,
      arrivals: opened.arrivals,
    });

    await expectAllDelivered(opened, eventIds, result);
  });

  test('live, delivers the events recorded while it runs, woken after each commit', async () => {
    const opened = await openCase();
    const drain = await startSameWorkDrain({
      url: process.env.TEST_DATABASE_URL as string,
      schema: opened.database.schema as string,
      arrivals: opened.arrivals,
      until: EVENTS,
    });

    const eventIds = await recordEvents(
      opened.database.db,
      tenantId,
      EVENTS,
      LIVE_PER_TRANSACTION,
      drain.wake,
    );

    await expectAllDelivered(opened, eventIds, await drain.result);
  });
});
