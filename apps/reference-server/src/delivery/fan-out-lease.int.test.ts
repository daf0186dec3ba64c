/**
 * New deliveries leased by the fan-out that creates them: the insert sets
 * the lease for as many as this process's worker has room for, hands those
 * straight to it after the commit (no claim finds them), leaves the rest
 * (and those of a paused integration) to the claim, and another process
 * takes a leased delivery over only once its lease has run out.
 */
import { describe, expect, test } from 'vitest';
import {
  clock,
  database,
  newEndpoint,
  receiver,
  recordPings,
  setupDeliveryFlow,
  tenantId,
} from '../../test/delivery/flow.ts';
import { fanOutEvents } from '../scheduler/fanout.ts';
import { createDeliveryEngine } from './bus.ts';
import { claimDueDeliveries, releaseClaims } from './claims.ts';
import { deliveryConfig } from './config.ts';
import { scheduleLeasedDeliveries } from './schedule-deliveries.ts';

setupDeliveryFlow();

/** Empties the event queue of events recorded by earlier set-up (endpoint creation). */
async function dropQueuedEvents(): Promise<void> {
  while ((await fanOutEvents(database.db, [], new Date(clock))) > 0) {}
}

const deliveriesOf = (eventIds: readonly string[]) =>
  database.db
    .selectFrom('deliveries')
    .select([
      'id',
      'event_id',
      'endpoint_id',
      'status',
      'lease_owner',
      'lease_expires_at',
      'next_attempt_at',
    ])
    .where('event_id', 'in', eventIds)
    .execute();

describe('fan-out leasing new deliveries', () => {
  test('leases up to the limit at insert, never a paused integration’s, and another worker takes over only after the lease', async () => {
    const a = await newEndpoint('/lease-a');
    const b = await newEndpoint('/lease-b');
    const paused = await newEndpoint('/lease-paused');
    await database.db
      .insertInto('integrations')
      .values({
        id: 'int_fanoutleasepaused000001',
        tenant_id: tenantId,
        name: 'Paused partner',
        purpose: 'test',
        scopes: JSON.stringify([]),
        apis: JSON.stringify([]),
        events: JSON.stringify([]),
        status: 'paused',
        owner: null,
        created_at: new Date(clock),
        updated_at: new Date(clock),
      })
      .execute();
    await database.db
      .updateTable('webhook_endpoints')
      .set({ integration_id: 'int_fanoutleasepaused000001' })
      .where('id', '=', paused.id)
      .execute();
    await dropQueuedEvents();
    const ids = await recordPings(2);
    const now = new Date(clock);
    const leaseUntil = new Date(clock + 60_000);
    const options = { worker: 'w-fan', leaseMs: 60_000, limit: 3 };

    const leased = await database.db
      .transaction()
      .execute((trx) => scheduleLeasedDeliveries(trx, ids, now, options));

    // In event order, then endpoint order: both of the first event's, one of the second's.
    const [first, second] = [a.id, b.id].sort();
    expect(leased.map((r) => [r.event_id, r.endpoint_id])).toEqual([
      [ids[0], first],
      [ids[0], second],
      [ids[1], first],
    ]);
    const secrets = new Map<string, string>([
      [a.id, a.secret],
      [b.id, b.secret],
    ]);
    for (const row of leased) {
      expect(row.lease_expires_at).toEqual(leaseUntil);
      expect(row.secret).toBe(secrets.get(row.endpoint_id));
      expect(row.url).toMatch(/\/lease-[ab]$/);
      expect(row).toMatchObject({ tenant_id: tenantId, event_type: 'inventory.low_stock' });
      expect(row.data).toMatchObject({ threshold: 10 });
    }
    const rows = await deliveriesOf(ids);
    expect(rows).toHaveLength(6);
    const leasedIds = new Set(leased.map((r) => r.id));
    for (const row of rows) {
      expect(row.status).toBe('pending');
      expect(row.lease_owner).toBe(leasedIds.has(row.id) ? 'w-fan' : null);
      // Due for another process only when the lease runs out; the others at once.
      expect(row.next_attempt_at).toEqual(leasedIds.has(row.id) ? leaseUntil : now);
    }
    expect(rows.filter((r) => r.endpoint_id === paused.id && r.lease_owner !== null)).toEqual([]);

    // A batch fanned out again (a crash before commit) creates and leases nothing.
    const again = await database.db
      .transaction()
      .execute((trx) => scheduleLeasedDeliveries(trx, ids, now, options));
    expect(again).toEqual([]);
    expect(await deliveriesOf(ids)).toHaveLength(6);

    // One given back unsent (its worker could not start it in time) is due at once.
    const released = leased[2]?.id as string;
    await releaseClaims(database.db, 'w-fan', [released], now);
    leasedIds.delete(released);

    // Another process claims only the unleased ones while the lease lasts…
    const meanwhile = await claimDueDeliveries(database.db, {
      worker: 'w-other',
      limit: 10,
      now,
      leaseMs: 60_000,
    });
    expect(meanwhile.map((r) => [r.event_id, r.endpoint_id]).sort()).toEqual(
      [
        [ids[1], first],
        [ids[1], second],
      ].sort(),
    );
    // …and takes the leased ones over once it has run out (the first process died), with its
    // own claim of a moment ago, which has run out too.
    const afterLease = await claimDueDeliveries(database.db, {
      worker: 'w-third',
      limit: 10,
      now: new Date(clock + 60_001),
      leaseMs: 60_000,
    });
    expect(new Set(afterLease.map((r) => r.id))).toEqual(
      new Set([...leasedIds, ...meanwhile.map((r) => r.id)]),
    );
  });

  test('the engine sends what its fan-out leased without claiming it, and leaves what does not fit to the claim', async () => {
    const endpoint = await newEndpoint('/handed');
    await dropQueuedEvents();
    const errors: unknown[] = [];
    const engine = createDeliveryEngine({
      database,
      // Concurrency 1: the worker holds 4 deliveries at most.
      config: deliveryConfig.parse({
        WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host,
        WEBHOOK_TIMEOUT_MS: '500',
        WEBHOOK_CONCURRENCY: '1',
        WEBHOOK_ENDPOINT_CONCURRENCY: '1',
      }),
      wake: () => {},
      now: () => clock,
      random: () => 0.5,
      onError: (error) => {
        errors.push(error);
      },
    });
    const fanOut = () =>
      fanOutEvents(database.db, [], new Date(clock), { targets: [engine.fanOut] });
    const claim = () => (typeof engine.job === 'function' ? 0 : engine.job.run(new Date(clock)));
    const drain = () => (typeof engine.job === 'function' ? undefined : engine.job.drain?.());
    const arrived = () => receiver.received.map((r) => r.headers['webhook-id']);
    try {
      // A fresh worker does not know what waits from before: new deliveries go to the claim first.
      const early = await recordPings(2);
      expect(await fanOut()).toBe(2);
      await drain();
      expect(receiver.received).toHaveLength(0);
      expect((await deliveriesOf(early)).map((r) => r.lease_owner)).toEqual([null, null]);
      expect(await claim()).toBe(2);
      await drain();
      // Claimed together, due at the same instant: in either order.
      expect([...arrived()].sort()).toEqual([...early].sort());

      // The claim left nothing due: the next fan-out leases what fits and sends it, unclaimed.
      const later = await recordPings(6);
      expect(await fanOut()).toBe(6);
      await drain();
      expect(arrived().slice(2)).toEqual(later.slice(0, 4));
      const waiting = (await deliveriesOf(later)).filter((r) => r.status === 'pending');
      expect(waiting.map((r) => [r.event_id, r.lease_owner]).sort()).toEqual(
        later
          .slice(4)
          .sort()
          .map((id) => [id, null]),
      );
      expect(await claim()).toBe(2);
      await drain();
      expect([...arrived().slice(6)].sort()).toEqual(later.slice(4).sort());
      expect(receiver.received.every((r) => r.verified)).toBe(true);

      const rows = await database.db
        .selectFrom('deliveries')
        .leftJoin('delivery_attempts', 'delivery_attempts.delivery_id', 'deliveries.id')
        .select(['deliveries.status', 'deliveries.lease_owner', 'delivery_attempts.worker'])
        .where('deliveries.endpoint_id', '=', endpoint.id)
        .execute();
      expect(rows).toHaveLength(8);
      expect(
        rows.every(
          (r) => r.status === 'succeeded' && r.lease_owner === null && r.worker === engine.workerId,
        ),
      ).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
