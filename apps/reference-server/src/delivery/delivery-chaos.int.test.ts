/**
 * Outbound delivery against a seeded chaotic receiver (random 500s,
 * timeouts, a 410): retries on the exact schedule of the injected clock,
 * dead letters, disabling, operator replay; and attempts of a delivery
 * deleted in flight.
 */
import { CompiledQuery, sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import {
  change,
  clock,
  database,
  guard,
  newEndpoint,
  receiver,
  recordPings,
  setClock,
  setupDeliveryFlow,
  startBus,
  tenantId,
} from '../../test/delivery/flow.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { preparedRunnerOf, type RunPrepared } from '../db/prepared.ts';
import { updateEndpoint } from '../webhook-endpoints/service.ts';
import { recordAttempts } from './claims.ts';
import { listDeadLetters, listEventDeliveries, replayDeadLetter } from './deliveries-service.ts';

setupDeliveryFlow();

describe('delivery under chaos', () => {
  test('a chaotic receiver (random 500s, timeouts, a 410) drives retries, dead letters, disabling and replay', async () => {
    // Seeded, so a failure reproduces.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const chaos = await newEndpoint('/chaos');
    const leaving = await newEndpoint('/leaving');
    let healthy = false;
    let leavingCalls = 0;
    receiver.respond = (r) => {
      if (healthy) return 200;
      if (r.path === '/leaving') return ++leavingCalls > 3 ? 410 : 200;
      const roll = random();
      return roll < 0.4 ? 500 : roll < 0.5 ? 'hang' : 200;
    };
    const ids = await recordPings(40);
    const b = await startBus({
      WEBHOOK_RETRY_SCHEDULE: '1s,2s,4s',
      WEBHOOK_TIMEOUT_MS: '300',
      WEBHOOK_ENDPOINT_CONCURRENCY: '1',
    });
    const t0 = clock;
    for (const at of [t0, t0 + 1_000, t0 + 3_000, t0 + 7_000]) {
      setClock(at);
      await b.dispatcher.runUntilIdle();
    }
    const rows = await database.db
      .selectFrom('deliveries')
      .selectAll()
      .where('endpoint_id', '=', chaos.id)
      .where('event_type', '=', 'inventory.low_stock')
      .execute();
    expect(rows).toHaveLength(40);
    expect(rows.every((d) => d.status === 'succeeded' || d.status === 'dead')).toBe(true);
    const dead = rows.filter((d) => d.status === 'dead');
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.every((d) => d.attempt_count === 4)).toBe(true);
    // Every retry happened exactly when the schedule said, measured on the injected clock.
    const attempts = await database.db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        rows.map((d) => d.id),
      )
      .orderBy('attempted_at')
      .execute();
    const cumulative = [0, 1_000, 3_000, 7_000];
    for (const delivery of rows) {
      const times = attempts
        .filter((a) => a.delivery_id === delivery.id)
        .map((a) => a.attempted_at.getTime() - t0);
      expect(times).toEqual(cumulative.slice(0, times.length));
    }
    expect(attempts.some((a) => a.error === 'timed out after 300 ms')).toBe(true);
    expect(attempts.some((a) => a.response_status === 500)).toBe(true);
    const leavingRow = await database.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', leaving.id)
      .executeTakeFirstOrThrow();
    expect(leavingRow.enabled).toBe(false);

    // The partner recovers: the operator replays the dead letters and re-enables the endpoint.
    healthy = true;
    for (const d of dead)
      await database.db.transaction().execute((trx) => replayDeadLetter(trx, change(), d.id));
    const goneDead = await listDeadLetters(database.db, tenantId, { endpointId: leaving.id });
    for (const d of goneDead.data)
      await database.db.transaction().execute((trx) => replayDeadLetter(trx, change(), d.id));
    await database.db
      .transaction()
      .execute((trx) => updateEndpoint(trx, change(), guard, leaving.id, { enabled: true }));
    await b.dispatcher.runUntilIdle();
    for (const path of ['/chaos', '/leaving']) {
      const ok = receiver.received.filter(
        (r) => r.path === path && r.verified && ids.includes(String(r.headers['webhook-id'])),
      );
      expect(new Set(ok.map((r) => r.headers['webhook-id']))).toEqual(new Set(ids));
    }
    const left = await database.db
      .selectFrom('deliveries')
      .select('status')
      .where('status', '<>', 'succeeded')
      .where('endpoint_id', 'in', [chaos.id, leaving.id])
      .execute();
    expect(left).toEqual([]);
  });

  test('attempts of a delivery deleted while in flight are dropped without failing the batch', async () => {
    const endpoint = await newEndpoint('/deleted');
    const [eventId] = await recordPings(1);
    const b = await startBus();
    await b.dispatcher.runUntilIdle();
    const [delivery] = (await listEventDeliveries(database.db, tenantId, eventId as string, {}))
      .data;
    const record = (deliveryId: string) => ({
      attemptId: `att_${deliveryId.slice(4)}`,
      deliveryId,
      tenantId,
      endpointId: endpoint.id,
      attemptedAt: new Date(clock),
      responseStatus: 200,
      latencyMs: 1,
      error: null,
      snippet: null,
      status: 'succeeded' as const,
      nextAttemptAt: null,
      scheduleStep: 0,
    });
    await database.db
      .transaction()
      .execute((trx) =>
        recordAttempts(trx, 'nobody', [
          record('dlv_deletedwhileinflight0001'),
          record(delivery?.id as string),
        ]),
      );
    const attempts = await database.db
      .selectFrom('delivery_attempts')
      .select('delivery_id')
      .where('worker', '=', 'nobody')
      .execute();
    expect(attempts.map((a) => a.delivery_id)).toEqual([delivery?.id]);
  });

  test.each(['in a transaction', 'on its own, through the prepared runner'])(
    'one batch (%s): the deliveries still leased move on and are audited, a lost lease keeps only its attempt, a deleted one is skipped',
    async (how) => {
      const endpoint = await newEndpoint('/mixed');
      const eventIds = await recordPings(2);
      const b = await startBus();
      await b.dispatcher.runUntilIdle();
      const ids = await database.db
        .selectFrom('deliveries')
        .select('id')
        .where('endpoint_id', '=', endpoint.id)
        .where('event_id', 'in', eventIds)
        .execute();
      expect(ids).toHaveLength(2);
      const [owned, lost] = ids.map((r) => r.id) as [string, string];
      const attemptsBefore = await database.db
        .selectFrom('deliveries')
        .select(['id', 'attempt_count'])
        .where('id', 'in', [owned, lost])
        .execute();
      const count = new Map(attemptsBefore.map((r) => [r.id, r.attempt_count]));
      await database.db
        .updateTable('webhook_endpoints')
        .set({ failing_since: new Date(clock - 60_000) })
        .where('id', '=', endpoint.id)
        .execute();
      const leaseUntil = new Date(clock + 60_000);
      await database.db
        .updateTable('deliveries')
        .set({ status: 'pending', lease_owner: 'w-own', lease_expires_at: leaseUntil })
        .where('id', '=', owned)
        .execute();
      await database.db
        .updateTable('deliveries')
        .set({ status: 'pending', lease_owner: 'w-other', lease_expires_at: leaseUntil })
        .where('id', '=', lost)
        .execute();
      const record = (deliveryId: string, n: number) => ({
        attemptId: `att_mixedbatch${n}${deliveryId.slice(4, 20)}`,
        deliveryId,
        tenantId,
        endpointId: endpoint.id,
        attemptedAt: new Date(clock),
        responseStatus: 200,
        latencyMs: 3,
        error: null,
        // A receiver's body may hold a NUL, which PostgreSQL text cannot.
        snippet: 'ok\u0000done',
        status: 'succeeded' as const,
        nextAttemptAt: null,
        scheduleStep: 0,
      });
      const batch = [record(owned, 1), record(lost, 2), record('dlv_deletedwhileinflight0002', 3)];
      const statements: string[] = [];
      // The prepared runner of PostgreSQL; on PGlite (which has none) the same text, unnamed.
      const runner = preparedRunnerOf(database);
      const prepared: RunPrepared = async (name, text, values) => {
        statements.push(name);
        if (runner) return runner(name, text, values);
        return (await database.db.executeQuery(CompiledQuery.raw(text, values))).rows as Record<
          string,
          unknown
        >[];
      };
      const moved =
        how === 'in a transaction'
          ? await database.db
              .transaction()
              .execute((trx) => recordAttempts(trx, 'w-own', batch, prepared))
          : await recordAttempts(database.db, 'w-own', batch, prepared);
      expect(moved.map((r) => r.deliveryId)).toEqual([owned]);
      // A transaction's statements stay in it: the runner (another connection) is only used outside one.
      expect(statements).toEqual(
        how === 'in a transaction'
          ? []
          : [expect.stringMatching(/^cb_record_attempts_[0-9a-f]{24}$/)],
      );
      const audited = await database.db
        .selectFrom('audit_events')
        .select(['entity_id', 'action'])
        .where('entity_id', 'in', [owned, lost])
        .where(
          sql<boolean>`metadata @> ${JSON.stringify({ attemptId: batch[0]?.attemptId })}::jsonb`,
        )
        .execute();
      expect(audited).toEqual([{ entity_id: owned, action: 'delivery.succeeded' }]);
      expect((await verifyAuditChain(database.db, { tenantId })).broken).toBeNull();
      // A success in the batch: the endpoint is no longer failing.
      const health = await database.db
        .selectFrom('webhook_endpoints')
        .select('failing_since')
        .where('id', '=', endpoint.id)
        .executeTakeFirstOrThrow();
      expect(health.failing_since).toBeNull();
      const rows = await database.db
        .selectFrom('deliveries')
        .select(['id', 'status', 'attempt_count', 'lease_owner'])
        .where('id', 'in', [owned, lost])
        .orderBy('id')
        .execute();
      expect(Object.fromEntries(rows.map((r) => [r.id, r]))).toEqual({
        [owned]: {
          id: owned,
          status: 'succeeded',
          attempt_count: (count.get(owned) ?? 0) + 1,
          lease_owner: null,
        },
        [lost]: {
          id: lost,
          status: 'pending',
          attempt_count: count.get(lost),
          lease_owner: 'w-other',
        },
      });
      const attempts = await database.db
        .selectFrom('delivery_attempts')
        .select(['delivery_id', 'response_snippet'])
        .where('worker', '=', 'w-own')
        .orderBy('delivery_id')
        .execute();
      expect(attempts).toEqual(
        [owned, lost].sort().map((id) => ({ delivery_id: id, response_snippet: 'ok\uFFFDdone' })),
      );
    },
  );
});
