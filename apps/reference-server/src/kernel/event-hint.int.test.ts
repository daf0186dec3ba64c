/**
 * The outbox's wake-up hint after commit (issue 16), on a started server:
 * an idempotent API write still wakes a listener on another connection,
 * and a transaction that defers its hint stores its event without the
 * trigger's in-transaction NOTIFY, while any other writer's event still
 * notifies at commit.
 */
import { newId } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { listenForNotifications } from '../db/notifications.ts';
import { EVENTS_CHANNEL } from '../scheduler/migrations.ts';
import { deferEventHint } from './event-hint.ts';
import { recordEvent } from './outbox.ts';

let database: TestDatabase;
let running: TestServer;
let hints = 0;
let stopListening: () => Promise<void>;

beforeAll(async () => {
  database = await openTestDatabase();
  running = await startTestServer({ tenantCount: 1, database });
  stopListening = await listenForNotifications(database, EVENTS_CHANNEL, () => {
    hints++;
  });
}, 120_000);
afterAll(async () => {
  await stopListening();
  await running.server.close();
  await database.close();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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

describe('the events hint after commit', () => {
  test('an idempotent API write wakes a listener on another connection once committed', async () => {
    const tenant = running.tenants[0];
    const headers = {
      authorization: `Bearer ${tenant?.apiKey}`,
      'content-type': 'application/json',
    };
    const patient = await fetch(`${running.server.url}/api/v1/patients`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ givenName: 'Ada', familyName: 'Hint' }),
    });
    const { id: patientId } = (await patient.json()) as { id: string };
    const before = hints;
    const res = await fetch(`${running.server.url}/api/v1/appointments`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': 'hint-1' },
      body: JSON.stringify({
        patientId,
        service: 'Consultation',
        startsAt: '2026-12-01T09:00:00Z',
        endsAt: '2026-12-01T09:30:00Z',
      }),
    });
    expect(res.status).toBe(201);
    const events = await database.db
      .selectFrom('events')
      .select('type')
      .where('tenant_id', '=', tenant?.tenantId ?? '')
      .execute();
    expect(events.map((e) => e.type)).toContain('appointment.created');
    await until(() => hints > before, 'the hint of the API write');
  });

  test('a deferring transaction stores its event without NOTIFY; other writers still notify at commit', async () => {
    const tenantId = running.tenants[0]?.tenantId ?? '';
    await until(() => hints > 0, 'earlier hints');
    // Let hints of earlier writes arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = hints;
    const deferred = appointmentEvent(tenantId);
    await database.db.transaction().execute(async (trx) => {
      await deferEventHint(trx);
      await recordEvent(trx, deferred);
    });
    await database.db.transaction().execute((trx) => recordEvent(trx, appointmentEvent(tenantId)));
    // Notifications arrive in commit order: once the second one is here, a
    // NOTIFY of the first would have been counted too.
    await until(() => hints > before, 'the hint of the ordinary writer');
    expect(hints).toBe(before + 1);
    const stored = await database.db
      .selectFrom('events')
      .select('id')
      .where('entity_id', '=', deferred.entityId)
      .execute();
    expect(stored).toHaveLength(1);
  });
});
