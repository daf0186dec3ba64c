import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { serverMigrations } from '../features.ts';
import { recordAudit } from '../kernel/change.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { isPlainIdentifier, openDatabase } from './database.ts';
import { pendingMigrations } from './migrate.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
  await database.db
    .insertInto('tenants')
    .values({ id: 'ten_aaaaaaaaaaaaaaaaaaaaaaaaaa', name: 'T', created_at: new Date() })
    .execute();
});
afterAll(() => database.close());

const tenantId = 'ten_aaaaaaaaaaaaaaaaaaaaaaaaaa';

describe('database', () => {
  test('one identifier check guards every name put into SQL text', async () => {
    expect(['patients', '_x1', 'test_ab12'].every(isPlainIdentifier)).toBe(true);
    expect(['Patients', '1x', 'a-b', 'x"; drop table y', ''].some(isPlainIdentifier)).toBe(false);
    // The schema of a PostgreSQL connection goes through it.
    await expect(
      openDatabase({ url: 'postgres://127.0.0.1:1/none', searchPath: 'a"b' }),
    ).rejects.toThrow(/invalid schema name/);
  });

  test('migrations are all applied', async () => {
    expect(await pendingMigrations(database.db, serverMigrations)).toEqual([]);
  });

  test('bigint reads back as number and date as an ISO string', async () => {
    const row = await sql<{
      n: number;
      d: string;
    }>`select 9007199254740991::bigint as n, '1980-02-29'::date as d`.execute(database.db);
    expect(row.rows[0]).toEqual({ n: 9_007_199_254_740_991, d: '1980-02-29' });
  });

  test('a failed transaction rolls back every statement', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('tenants')
          .values({ id: 'ten_rollbackrollbackrollback', name: 'R', created_at: new Date() })
          .execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const found = await database.db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', 'ten_rollbackrollbackrollback')
      .execute();
    expect(found).toEqual([]);
  });

  test('concurrent transactions do not interleave', async () => {
    const ids = Array.from(
      { length: 20 },
      (_, i) => `ten_concurrent${String(i).padStart(14, '0')}`,
    );
    await Promise.all(
      ids.map((id, i) =>
        database.db
          .transaction()
          .execute(async (trx) => {
            await trx
              .insertInto('tenants')
              .values({ id, name: 'C', created_at: new Date() })
              .execute();
            if (i % 2 === 0) throw new Error('odd one out');
          })
          .catch(() => undefined),
      ),
    );
    const rows = await database.db
      .selectFrom('tenants')
      .select('id')
      .where('name', '=', 'C')
      .execute();
    expect(rows.map((r) => r.id).sort()).toEqual(ids.filter((_, i) => i % 2 === 1).sort());
  });

  test('the outbox validates event data against the catalogue and orders by sequence', async () => {
    const data = {
      appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa',
      patientId: 'pat_aaaaaaaaaaaaaaaaaaaaaaaaaa',
      status: 'scheduled',
      startsAt: '2026-11-22T09:00:00.000Z',
      endsAt: '2026-11-22T09:30:00.000Z',
    } as const;
    const first = await recordEvent(database.db, {
      tenantId,
      type: 'appointment.created',
      entityType: 'appointment',
      entityId: data.appointmentId,
      data,
    });
    const second = await recordEvent(database.db, {
      tenantId,
      type: 'appointment.cancelled',
      entityType: 'appointment',
      entityId: data.appointmentId,
      data: { ...data, status: 'cancelled' },
    });
    const rows = await database.db
      .selectFrom('events')
      .select(['id', 'sequence', 'data'])
      .orderBy('sequence')
      .execute();
    expect(rows.map((r) => r.id)).toEqual([first.id, second.id]);
    expect(rows[1]?.sequence).toBeGreaterThan(rows[0]?.sequence ?? Number.POSITIVE_INFINITY);
    expect(rows[0]?.data).toEqual(data);
    await expect(
      recordEvent(database.db, {
        tenantId,
        type: 'appointment.created',
        entityType: 'appointment',
        entityId: 'x',
        data: { ...data, status: 'bogus' as 'scheduled' },
      }),
    ).rejects.toThrow(/does not match the catalogue/);
  });

  test('audit rows cannot be updated, deleted or truncated', async () => {
    const id = await recordAudit(database.db, {
      tenantId,
      actor: { type: 'system', id: 'test' },
      action: 'tenant.created',
      entityType: 'tenant',
      entityId: tenantId,
    });
    await expect(
      database.db.updateTable('audit_events').set({ action: 'x' }).where('id', '=', id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(
      database.db.deleteFrom('audit_events').where('id', '=', id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_events`.execute(database.db)).rejects.toThrow(/append-only/);
    const row = await database.db
      .selectFrom('audit_events')
      .select('action')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(row?.action).toBe('tenant.created');
  });
});
