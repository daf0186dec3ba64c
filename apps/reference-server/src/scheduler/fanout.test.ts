/**
 * The fan-out takes events off the queue in the statement that claims
 * them; a target that fails rolls the whole batch back, events included,
 * and the next fan-out takes them again.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordEvents } from '../../test/delivery/harness.ts';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { createTenant } from '../tenants/service.ts';
import { fanOutEvents } from './fanout.ts';

let database: TestDatabase;
let tenantId: string;

beforeAll(async () => {
  database = await openTestDatabase();
  ({ tenantId } = await createTenant(database.db, { name: 'Fan-out' }));
});
afterAll(() => database.close());

const queued = async () =>
  (await database.db.selectFrom('event_queue').select('event_id').execute()).map((r) => r.event_id);

describe('fan-out', () => {
  test('a failing target leaves its batch queued; the next fan-out takes it and empties the queue', async () => {
    await database.db.deleteFrom('event_queue').execute();
    const ids = await recordEvents(database.db, tenantId, 3, 3);
    const now = new Date();
    const failing = async () => {
      throw new Error('target down');
    };
    await expect(fanOutEvents(database.db, [], now, { targets: [failing] })).rejects.toThrow(
      'target down',
    );
    expect((await queued()).sort()).toEqual([...ids].sort());

    const seen: string[] = [];
    const taken = await fanOutEvents(database.db, [], now, {
      batch: 2,
      targets: [
        async (_trx, eventIds) => {
          seen.push(...eventIds);
        },
      ],
    });
    expect(taken).toBe(2);
    expect(await queued()).toHaveLength(1);
    expect(await fanOutEvents(database.db, [], now, { targets: [async () => {}] })).toBe(1);
    expect(await queued()).toEqual([]);
    // Oldest first: the batch of two was the first two events recorded.
    expect(seen.sort()).toEqual(ids.slice(0, 2).sort());
  });
});
