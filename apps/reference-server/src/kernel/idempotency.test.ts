/**
 * The idempotency store on its own: a key is looked up and locked inside the
 * write's transaction, its response stored in that transaction, and a
 * response stored first by another transaction wins. The HTTP behaviour
 * (replay header, 422, 50 concurrent writes) is tested in appointments.test.ts.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { createTenant } from '../tenants/service.ts';
import {
  IDEMPOTENCY_TTL_MS,
  type IdempotentRequest,
  lookUpIdempotencyKey,
  readIdempotencyKey,
  requestFingerprint,
  storeIdempotentResponse,
} from './idempotency.ts';

let database: TestDatabase;
let tenantId: string;
const now = new Date('2026-12-01T09:00:00Z');

beforeAll(async () => {
  database = await openTestDatabase();
  tenantId = (await createTenant(database.db, { name: 'Store clinic' })).tenantId;
});
afterAll(() => database.close());

function request(
  key: string,
  body: unknown = { service: 'A' },
  credentialId = 'tok_store',
): IdempotentRequest {
  return {
    tenantId,
    credentialId,
    key,
    operationId: 'appointments.create',
    fingerprint: requestFingerprint('appointments.create', {}, body),
  };
}

describe('idempotency store', () => {
  test('a stored response belongs to its credential; another one, or a row without one, is refused whatever the body', async () => {
    const req = request('store-owned');
    await database.db
      .transaction()
      .execute((trx) => storeIdempotentResponse(trx, req, 201, { id: 'x' }, now));
    const look = (r: IdempotentRequest) =>
      database.db.transaction().execute((trx) => lookUpIdempotencyKey(trx, r, now));
    expect(await look(req)).toEqual({ kind: 'replay', status: 201, body: { id: 'x' } });
    expect(await look(request('store-owned', { service: 'A' }, 'tok_other'))).toEqual({
      kind: 'other_credential',
    });
    expect(await look(request('store-owned', { service: 'B' }, 'tok_other'))).toEqual({
      kind: 'other_credential',
    });
    await database.db
      .updateTable('idempotency_keys')
      .set({ credential_id: null })
      .where('key', '=', req.key)
      .execute();
    expect(await look(req)).toEqual({ kind: 'other_credential' });
  });

  test('a new key, then its stored response, then a mismatch for another body', async () => {
    const first = request('store-1');
    const stored = await database.db.transaction().execute(async (trx) => {
      expect(await lookUpIdempotencyKey(trx, first, now)).toEqual({ kind: 'new' });
      return storeIdempotentResponse(trx, first, 201, { id: 'apt_1' }, now);
    });
    expect(stored).toBe(true);
    const again = await database.db
      .transaction()
      .execute((trx) => lookUpIdempotencyKey(trx, first, now));
    expect(again).toEqual({ kind: 'replay', status: 201, body: { id: 'apt_1' } });
    const other = await database.db
      .transaction()
      .execute((trx) => lookUpIdempotencyKey(trx, request('store-1', { service: 'B' }), now));
    expect(other).toEqual({ kind: 'mismatch' });
  });

  test('a rolled-back write leaves its key unused', async () => {
    const req = request('store-rollback');
    await expect(
      database.db.transaction().execute(async (trx) => {
        await storeIdempotentResponse(trx, req, 201, { id: 'apt_2' }, now);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    const found = await database.db
      .transaction()
      .execute((trx) => lookUpIdempotencyKey(trx, req, now));
    expect(found).toEqual({ kind: 'new' });
  });

  test('storing a key another transaction already stored reports the lost race', async () => {
    const req = request('store-race');
    await database.db
      .transaction()
      .execute((trx) => storeIdempotentResponse(trx, req, 201, { id: 'apt_winner' }, now));
    const loser = await database.db
      .transaction()
      .execute((trx) => storeIdempotentResponse(trx, req, 201, { id: 'apt_loser' }, now));
    expect(loser).toBe(false);
    expect(await readIdempotencyKey(database.db, req, now)).toEqual({
      kind: 'replay',
      status: 201,
      body: { id: 'apt_winner' },
    });
  });

  test('an expired key is new again and may be stored over', async () => {
    const req = request('store-expiry');
    await database.db
      .transaction()
      .execute((trx) => storeIdempotentResponse(trx, req, 201, { id: 'apt_old' }, now));
    const later = new Date(now.getTime() + IDEMPOTENCY_TTL_MS + 1);
    const result = await database.db.transaction().execute(async (trx) => {
      const found = await lookUpIdempotencyKey(trx, req, later);
      const stored = await storeIdempotentResponse(trx, req, 201, { id: 'apt_new' }, later);
      return { found, stored };
    });
    expect(result).toEqual({ found: { kind: 'new' }, stored: true });
  });

  test('a claim left in flight by an earlier version blocks until it lapses', async () => {
    const req = request('store-legacy');
    await database.db
      .insertInto('idempotency_keys')
      .values({
        tenant_id: tenantId,
        key: req.key,
        credential_id: req.credentialId,
        fingerprint: req.fingerprint,
        operation_id: req.operationId,
        state: 'in_flight',
        response_status: null,
        response_body: null,
        created_at: now,
        locked_until: new Date(now.getTime() + 60_000),
        expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      })
      .execute();
    const look = (at: Date, r = req) =>
      database.db.transaction().execute((trx) => lookUpIdempotencyKey(trx, r, at));
    expect(await look(now)).toEqual({ kind: 'in_flight' });
    expect(await look(now, request('store-legacy', { service: 'other' }))).toEqual({
      kind: 'mismatch',
    });
    const lapsed = new Date(now.getTime() + 61_000);
    expect(await look(lapsed)).toEqual({ kind: 'new' });
    const stored = await database.db
      .transaction()
      .execute((trx) => storeIdempotentResponse(trx, req, 201, { id: 'apt_3' }, lapsed));
    expect(stored).toBe(true);
  });
});

// PGlite runs one transaction at a time, so a second transaction can only
// hold a key concurrently on PostgreSQL.
describe.runIf(process.env.TEST_DATABASE_URL)('idempotency store on PostgreSQL', () => {
  test('a key locked by another open transaction is in flight', async () => {
    const req = request('store-locked');
    const holder = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `${tenantId}\n${req.key}`,
      ]);
      const found = await database.db
        .transaction()
        .execute((trx) => lookUpIdempotencyKey(trx, req, now));
      expect(found).toEqual({ kind: 'in_flight' });
      await holder.query('rollback');
      const free = await database.db
        .transaction()
        .execute((trx) => lookUpIdempotencyKey(trx, req, now));
      expect(free).toEqual({ kind: 'new' });
    } finally {
      await holder.end();
    }
  });
});
