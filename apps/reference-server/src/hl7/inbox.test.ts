/**
 * The group-committing inbox writer: every write resolves (alone, one after
 * another from each resolved write, or 200 at once), concurrent writes share
 * commits, a repeat is a duplicate whether it arrives in the same commit or
 * a later one, and a failed commit rejects exactly its own writes.
 */
import { newId } from '@clinicbridge/sdk/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { createTenant } from '../tenants/service.ts';
import { createInboxWriter, type InboxEntry } from './inbox.ts';

let database: TestDatabase;
let tenantId: string;

beforeAll(async () => {
  database = await openTestDatabase();
  tenantId = (await createTenant(database.db, { name: 'Inbox' })).tenantId;
});
afterAll(() => database.close());

const entry = (controlId: string, facility = 'HOSP'): InboxEntry => ({
  id: newId('hl7'),
  tenantId,
  facilityId: 'fac_test',
  sendingApplication: 'ADT',
  sendingFacility: facility,
  controlId,
  messageType: 'ADT',
  triggerEvent: 'A01',
  version: '2.5',
  raw: `MSH|^~\\&|ADT|${facility}|||||ADT^A01|${controlId}|P|2.5`,
  sourceAddress: '127.0.0.1',
  receivedAt: new Date(),
});

describe('createInboxWriter', () => {
  test('a write issued as the previous one resolves is committed too (no stalled queue)', async () => {
    const inbox = createInboxWriter(database.db);
    for (let i = 0; i < 20; i++) {
      expect(await inbox.write(entry(`SEQ-${i}`))).toEqual({ duplicate: false });
    }
  });

  test('concurrent writes share commits; every one resolves; repeats are duplicates', async () => {
    const batches: number[] = [];
    const inbox = createInboxWriter(database.db, {
      maxBatch: 50,
      onCommit: (_, size) => batches.push(size),
    });
    const ids = Array.from({ length: 200 }, (_, i) => `CONC-${i}`);
    const results = await Promise.all(ids.map((id) => inbox.write(entry(id))));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(200);
    expect(batches.length).toBeLessThan(200);
    expect(Math.max(...batches)).toBeLessThanOrEqual(50);

    // The same key twice in one commit, and again in a later one: stored once.
    const [a, b] = await Promise.all([inbox.write(entry('TWICE')), inbox.write(entry('TWICE'))]);
    expect([a?.duplicate, b?.duplicate].sort()).toEqual([false, true]);
    expect(await inbox.write(entry('TWICE'))).toEqual({ duplicate: true });
    // Another facility's message with the same MSH-10 is another message.
    expect(await inbox.write(entry('TWICE', 'OTHERHOSP'))).toEqual({ duplicate: false });
    const rows = await database.db
      .selectFrom('hl7_messages')
      .select('sending_facility')
      .where('control_id', '=', 'TWICE')
      .execute();
    expect(rows.map((r) => r.sending_facility).sort()).toEqual(['HOSP', 'OTHERHOSP']);
  });

  test('a failed commit rejects its writes; the writer goes on', async () => {
    const inbox = createInboxWriter(database.db);
    await sql`alter table hl7_messages add constraint inbox_test_fail check (control_id <> 'FAIL-1')`.execute(
      database.db,
    );
    try {
      await expect(inbox.write(entry('FAIL-1'))).rejects.toThrow();
    } finally {
      await sql`alter table hl7_messages drop constraint inbox_test_fail`.execute(database.db);
    }
    expect(await inbox.write(entry('AFTER-FAIL'))).toEqual({ duplicate: false });
    await inbox.drain();
  });
});
