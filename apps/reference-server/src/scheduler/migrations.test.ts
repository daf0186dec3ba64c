import { PING_MESSAGE } from '@clinicbridge/sdk/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { recordEvent } from '../kernel/outbox.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

describe('event bus tables', () => {
  test('recording an event enqueues it in the same transaction', async () => {
    const { db } = database;
    const event = await db.transaction().execute((trx) =>
      recordEvent(trx, {
        tenantId: 'ten_aaaaaaaaaaaaaaaaaaaaaaaaaa',
        type: 'webhook_endpoint.ping',
        entityType: 'webhook_endpoint',
        entityId: 'whep_aaaaaaaaaaaaaaaaaaaaaaaaaa',
        data: { endpointId: 'whep_aaaaaaaaaaaaaaaaaaaaaaaaaa', message: PING_MESSAGE },
      }),
    );
    const queued = await db.selectFrom('event_queue').selectAll().execute();
    expect(queued.map((q) => q.event_id)).toEqual([event.id]);
  });

  test('a rolled-back event leaves nothing in the queue', async () => {
    const { db } = database;
    await db.deleteFrom('event_queue').execute();
    await expect(
      db.transaction().execute(async (trx) => {
        await recordEvent(trx, {
          tenantId: 'ten_aaaaaaaaaaaaaaaaaaaaaaaaaa',
          type: 'webhook_endpoint.ping',
          entityType: 'webhook_endpoint',
          entityId: 'whep_aaaaaaaaaaaaaaaaaaaaaaaaaa',
          data: { endpointId: 'whep_aaaaaaaaaaaaaaaaaaaaaaaaaa', message: PING_MESSAGE },
        });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from event_queue`.execute(
      db,
    );
    expect(rows[0]?.n).toBe(0);
  });
});
