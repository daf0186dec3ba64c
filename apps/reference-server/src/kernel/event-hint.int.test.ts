/**
 * The outbox's wake-up hint (issue 16), on a started server: an idempotent
 * API write that runs alone NOTIFYs in its own commit and sends no hint
 * after it; writes that overlap defer their NOTIFY to one coalesced hint
 * after commit; a listener on another connection hears of both. A
 * transaction that defers its hint stores its event without the trigger's
 * in-transaction NOTIFY, while any other writer's event still notifies at
 * commit. The hint statements are counted where the server sends them
 * (`pg.Client` on PostgreSQL, the PGlite instance on PGlite).
 */
import { newId } from '@clinicbridge/sdk/contract';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  openTestDatabase,
  type TestDatabase,
  testDatabaseKind,
} from '../../test/helpers/database.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { listenForNotifications } from '../db/notifications.ts';
import { EVENTS_CHANNEL } from '../scheduler/migrations.ts';
import { deferEventHint, NOTIFY_AFTER_COMMIT_SETTING } from './event-hint.ts';
import { recordEvent } from './outbox.ts';

let database: TestDatabase;
let running: TestServer;
const { api } = tenantClient(() => running);
let heard = 0;
let stopListening: () => Promise<void>;

// The hint is the only statement that sends `pg_notify` on the events channel
// from Node; a write that defers its NOTIFY sets the trigger's setting in the
// text of its key's lookup.
let hintsSent = 0;
let deferredWrites = 0;
const clientQuery = pg.Client.prototype.query;
function countHint(text: unknown, values: unknown): void {
  if (typeof text !== 'string') return;
  if (text.includes('pg_notify(') && Array.isArray(values) && values[0] === EVENTS_CHANNEL) {
    hintsSent++;
  }
  if (text.includes(`set_config('${NOTIFY_AFTER_COMMIT_SETTING}', 'on', true)`)) deferredWrites++;
}

beforeAll(async () => {
  database = await openTestDatabase();
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first, second] = args as [unknown, unknown];
    if (typeof first === 'object' && first !== null) {
      const config = first as { text?: unknown; values?: unknown };
      countHint(config.text, config.values ?? second);
    } else countHint(first, second);
    return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof clientQuery;
  const pglite = database.pglite;
  if (pglite) {
    const query = pglite.query.bind(pglite);
    pglite.query = ((text: string, values?: unknown[], options?: never) => {
      countHint(text, values);
      return query(text, values, options);
    }) as typeof pglite.query;
  }
  running = await startTestServer({ tenantCount: 1, database });
  stopListening = await listenForNotifications(database, EVENTS_CHANNEL, () => {
    heard++;
  });
}, 120_000);
afterAll(async () => {
  pg.Client.prototype.query = clientQuery;
  await stopListening();
  await running.server.close();
  await database.close();
});

function appointmentEvent(tenantId: string) {
  return {
    tenantId,
    type: 'appointment.created' as const,
    entityType: 'appointment',
    entityId: newId('apt'),
    data: {
      appointmentId: newId('apt'),
      patientId: newId('pat'),
      status: 'scheduled' as const,
      startsAt: '2026-12-01T09:00:00.000Z',
      endsAt: '2026-12-01T09:30:00.000Z',
    },
  };
}

async function book(patientId: string, key: string): Promise<{ status: number; id: string }> {
  const res = await fetch(`${running.server.url}/api/v1/appointments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.tenants[0]?.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify(appointmentBody(patientId)),
  });
  const body = (await res.json()) as { id: string };
  return { status: res.status, id: body.id };
}

describe('the events hint of the API writes', () => {
  test('a write alone NOTIFYs in its own commit: the listener hears it and no hint follows', async () => {
    const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
    // Quiet first: hints of earlier writes may still be on their way.
    await until(async () => {
      const before = hintsSent;
      await api('GET', `/api/v1/patients/${patient.id}`);
      return hintsSent === before;
    }, 'earlier hints to settle');
    const [heardBefore, hintsBefore, deferredBefore] = [heard, hintsSent, deferredWrites];
    const booked = await book(patient.id, `hint-alone-${newId('apt')}`);
    expect(booked.status).toBe(201);
    expect(deferredWrites).toBe(deferredBefore);
    await until(() => heard > heardBefore, 'the NOTIFY of the lone write');
    // A hint would be on its way by the time another request has been answered.
    await api('GET', `/api/v1/appointments/${booked.id}`);
    expect(hintsSent).toBe(hintsBefore);
  });

  // On PGlite one write runs at a time on its one connection and the engine
  // answers without giving way to other requests: writes there never
  // overlap, and each NOTIFYs in its own commit (the test above).
  test.runIf(testDatabaseKind === 'postgres')(
    'writes that overlap defer their NOTIFY to one hint after commit, heard by the listener',
    async () => {
      const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
      const tenantId = running.tenants[0]?.tenantId ?? '';
      // Holding the tenant's audit chain lock keeps all four writes in flight at
      // once (the test database's pool has five connections).
      const holder = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await holder.connect();
      const [heardBefore, hintsBefore, deferredBefore] = [heard, hintsSent, deferredWrites];
      let booked: Array<{ status: number; id: string }>;
      try {
        await holder.query('begin');
        await holder.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `audit_chain:${tenantId}`,
        ]);
        const booking = Promise.all(
          Array.from({ length: 4 }, (_, i) =>
            book(patient.id, `hint-overlap-${i}-${newId('apt')}`),
          ),
        );
        await until(async () => {
          // A 64-bit advisory key shows in pg_locks as classid (high half) and objid (low half).
          const { rows } = await holder.query<{ waiting: string }>(
            `select count(*) as waiting from pg_locks
             where locktype = 'advisory' and not granted
               and ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
            [`audit_chain:${tenantId}`],
          );
          return Number(rows[0]?.waiting) >= 4;
        }, 'the four writes to wait for the chain lock');
        await holder.query('commit');
        booked = await booking;
      } finally {
        await holder.end();
      }
      expect(booked.map((b) => b.status)).toEqual(Array(4).fill(201));
      // The first write started alone and NOTIFYed in its commit; the other
      // three deferred theirs to the hint, whose calls while one was on its
      // way were coalesced into one more.
      expect(deferredWrites - deferredBefore).toBe(3);
      await until(() => hintsSent > hintsBefore, 'the hint of the overlapping writes');
      expect(hintsSent - hintsBefore).toBeLessThanOrEqual(3);
      // Every NOTIFY sent is heard: the first write's own and the hints.
      await until(
        () => heard >= heardBefore + 1 + (hintsSent - hintsBefore),
        'the listener to hear every NOTIFY',
      );
      const events = await database.db
        .selectFrom('events')
        .select('entity_id')
        .where('type', '=', 'appointment.created')
        .where(
          'entity_id',
          'in',
          booked.map((b) => b.id),
        )
        .execute();
      expect(events).toHaveLength(4);
    },
  );

  test('a deferring transaction stores its event without NOTIFY; other writers still notify at commit', async () => {
    const tenantId = running.tenants[0]?.tenantId ?? '';
    // Quiet first: hints of earlier writes may still be on their way.
    await until(async () => {
      const before = heard;
      await api('GET', '/api/v1/patients');
      return heard === before;
    }, 'earlier notifications to settle');
    const before = heard;
    const deferred = appointmentEvent(tenantId);
    await database.db.transaction().execute(async (trx) => {
      await deferEventHint(trx);
      await recordEvent(trx, deferred);
    });
    await database.db.transaction().execute((trx) => recordEvent(trx, appointmentEvent(tenantId)));
    // Notifications arrive in commit order: once the second one is here, a
    // NOTIFY of the first would have been counted too.
    await until(() => heard > before, 'the NOTIFY of the ordinary writer');
    expect(heard).toBe(before + 1);
    const stored = await database.db
      .selectFrom('events')
      .select('id')
      .where('entity_id', '=', deferred.entityId)
      .execute();
    expect(stored).toHaveLength(1);
  });
});
