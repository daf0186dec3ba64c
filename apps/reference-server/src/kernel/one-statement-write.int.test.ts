/**
 * Idempotent writes as one statement (issue 16), on a started server with a
 * partner receiver on 127.0.0.1. On PostgreSQL an idempotent booking runs as
 * one named prepared statement (counted here on `pg.Pool`); on PGlite the
 * same requests take the transaction path, and every assertion but the
 * count holds on both. Concurrent duplicates of one key have one effect
 * and are answered with the stored response or 409 while the key is held;
 * the audit chain verifies and the event is delivered. A claim in flight
 * is 409 until it lapses and is then taken over; an expired key is taken
 * over by a fresh write (the one statement rolls back and the transaction
 * path runs).
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { tenantClient } from '../../test/helpers/http-server.ts';
import {
  type ProviderTestServer,
  startProviderServer,
} from '../../test/helpers/provider-server.ts';
import { until } from '../../test/helpers/until.ts';
import { verifyAuditChain } from '../audit/verify.ts';

let receiver: Receiver;
let running: ProviderTestServer;
const { api } = tenantClient(() => running);

// The one-statement path is the only caller of `pool.query` with a named statement.
const named: string[] = [];
const poolQuery = pg.Pool.prototype.query;

beforeAll(async () => {
  pg.Pool.prototype.query = function (this: pg.Pool, ...args: unknown[]) {
    const config = args[0] as { name?: unknown } | undefined;
    if (typeof config === 'object' && typeof config?.name === 'string') named.push(config.name);
    return (poolQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof poolQuery;
  receiver = await startReceiver();
  running = await startProviderServer({
    tenantCount: 1,
    features: [],
    partner: { receiver, eventTypes: ['appointment.created'] },
    env: { WEBHOOK_POLL_INTERVAL: '50ms' },
  });
}, 120_000);
afterAll(async () => {
  pg.Pool.prototype.query = poolQuery;
  await running?.close();
  await receiver?.close();
});

interface Answer {
  status: number;
  replayed: boolean;
  body: Record<string, unknown>;
}

async function book(key: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${running.server.url}/api/v1/appointments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.tenants[0]?.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    replayed: res.headers.get('idempotency-replayed') === 'true',
    body: (await res.json()) as Record<string, unknown>,
  };
}

const db = () => running.server.database.db;
const tenantId = () => running.tenants[0]?.tenantId ?? '';

async function bookingsOf(service: string): Promise<string[]> {
  const rows = await db()
    .selectFrom('appointments')
    .select('id')
    .where('tenant_id', '=', tenantId())
    .where('service', '=', service)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * The named write statements sent since `before`: some on PostgreSQL, none on
 * PGlite (which names no statement at all). The delivery worker's record
 * statement, named too, may run meanwhile: it is not the write's.
 */
function expectOneStatementTried(before: number): void {
  const sent = named.slice(before);
  if (testDatabaseKind === 'postgres') {
    expect(sent.filter((name) => name.startsWith('cb_write_')).length).toBeGreaterThan(0);
    expect(sent.filter((name) => !/^cb_(write|record_attempts)_/.test(name))).toEqual([]);
  } else {
    expect(sent).toEqual([]);
  }
}

describe(`idempotent writes as one statement (${testDatabaseKind})`, () => {
  test('concurrent duplicates of one key book once: one audit row in an intact chain, one event delivered, the rest replayed or 409 in flight', async () => {
    const before = named.length;
    const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
    const body = appointmentBody(patient.id, { service: 'One statement, concurrent' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => book('one-statement-concurrent', body)),
    );
    for (const answer of answers) {
      if (answer.status !== 201) {
        expect(answer.status).toBe(409);
        expect(answer.body.code).toBe('idempotency_in_flight');
      }
    }
    const created = answers.filter((a) => a.status === 201);
    expect(created.filter((a) => !a.replayed)).toHaveLength(1);
    const first = created.find((a) => !a.replayed)?.body;
    for (const answer of created) expect(answer.body).toEqual(first);
    const id = String(first?.id);
    expect(await bookingsOf('One statement, concurrent')).toEqual([id]);

    const again = await book('one-statement-concurrent', body);
    expect(again).toMatchObject({ status: 201, replayed: true, body: first });

    const audit = await db()
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['appointment.created']);
    const events = await db()
      .selectFrom('events')
      .select('id')
      .where('entity_id', '=', id)
      .execute();
    expect(events).toHaveLength(1);
    const report = await verifyAuditChain(db(), { tenantId: tenantId() });
    expect(report.broken).toBeNull();
    const delivered = await until(
      () =>
        receiver.received.find((r) => r.path === '/partner' && JSON.parse(r.body).entityId === id),
      'the booking event at the partner',
    );
    expect(delivered.verified).toBe(true);
    expect(JSON.parse(delivered.body)).toMatchObject({
      id: events[0]?.id,
      type: 'appointment.created',
      tenantId: tenantId(),
      data: { appointmentId: id, patientId: patient.id, status: 'scheduled' },
    });
    expectOneStatementTried(before);
  });

  test('a claim in flight elsewhere is 409 with nothing written until it lapses; then the write takes it over', async () => {
    const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
    const body = appointmentBody(patient.id, { service: 'One statement, claimed' });
    // The server's fingerprint and credential of this body, from a booking under another key.
    const reference = await book('one-statement-reference', body);
    expect(reference.status).toBe(201);
    const stored = await db()
      .selectFrom('idempotency_keys')
      .select(['fingerprint', 'credential_id'])
      .where('tenant_id', '=', tenantId())
      .where('key', '=', 'one-statement-reference')
      .executeTakeFirstOrThrow();
    const now = Date.now();
    await db()
      .insertInto('idempotency_keys')
      .values({
        tenant_id: tenantId(),
        key: 'one-statement-claimed',
        credential_id: stored.credential_id,
        fingerprint: stored.fingerprint,
        operation_id: 'appointments.create',
        state: 'in_flight',
        response_status: null,
        response_body: null,
        created_at: new Date(now),
        locked_until: new Date(now + 60 * 60 * 1000),
        expires_at: new Date(now + 24 * 60 * 60 * 1000),
      })
      .execute();

    const before = named.length;
    const held = await book('one-statement-claimed', body);
    expect(held.status).toBe(409);
    expect(held.body.code).toBe('idempotency_in_flight');
    expect(await bookingsOf('One statement, claimed')).toEqual([reference.body.id]);
    expectOneStatementTried(before);

    await db()
      .updateTable('idempotency_keys')
      .set({ locked_until: new Date(now - 1000) })
      .where('tenant_id', '=', tenantId())
      .where('key', '=', 'one-statement-claimed')
      .execute();
    const taken = await book('one-statement-claimed', body);
    expect(taken).toMatchObject({ status: 201, replayed: false });
    expect((await bookingsOf('One statement, claimed')).sort()).toEqual(
      [reference.body.id, taken.body.id].sort(),
    );
    expect(await book('one-statement-claimed', body)).toMatchObject({
      status: 201,
      replayed: true,
      body: taken.body,
    });
    expect((await verifyAuditChain(db(), { tenantId: tenantId() })).broken).toBeNull();
  });

  test('an expired key is taken over by one fresh write: the rolled-back statement leaves no row behind', async () => {
    const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
    const body = appointmentBody(patient.id, { service: 'One statement, expired' });
    const first = await book('one-statement-expired', body);
    expect(first.status).toBe(201);
    await db()
      .updateTable('idempotency_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('tenant_id', '=', tenantId())
      .where('key', '=', 'one-statement-expired')
      .execute();
    const auditBefore = await countAuditRows();

    const before = named.length;
    const fresh = await book('one-statement-expired', body);
    expect(fresh).toMatchObject({ status: 201, replayed: false });
    expect(fresh.body.id).not.toBe(first.body.id);
    expect((await bookingsOf('One statement, expired')).sort()).toEqual(
      [first.body.id, fresh.body.id].sort(),
    );
    // One audit row for the one booking that committed (deliveries add rows of their own).
    expect(await countAuditRows()).toBe(auditBefore + 1);
    expect((await verifyAuditChain(db(), { tenantId: tenantId() })).broken).toBeNull();
    expect(await book('one-statement-expired', body)).toMatchObject({
      status: 201,
      replayed: true,
      body: fresh.body,
    });
    expectOneStatementTried(before);
  });

  test('a booking for a patient of no one is 404 with nothing written, and its key stays unused', async () => {
    const before = named.length;
    const auditBefore = await countAuditRows();
    const body = appointmentBody('pat_nosuchpatientnosuchpatient', {
      service: 'One statement, 404',
    });
    const missing = await book('one-statement-missing', body);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
    expect(await countAuditRows()).toBe(auditBefore);
    const keys = await db()
      .selectFrom('idempotency_keys')
      .select('key')
      .where('tenant_id', '=', tenantId())
      .where('key', '=', 'one-statement-missing')
      .execute();
    expect(keys).toEqual([]);
    expect((await book('one-statement-missing', body)).status).toBe(404);
    expectOneStatementTried(before);
  });
});

async function countAuditRows(): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`
    select count(*) as n from audit_events
    where tenant_id = ${tenantId()} and action = 'appointment.created'`.execute(db());
  return Number(rows[0]?.n);
}
