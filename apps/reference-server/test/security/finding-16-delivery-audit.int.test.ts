/**
 * Issue #10, finding 16 (automatic deliveries): a delivery the worker sent
 * left no audit row. Each delivery now leaves exactly one when it reaches a
 * final outcome — `delivery.succeeded` or `delivery.dead_lettered` — and
 * none for the failed attempts before it, in the transaction that records
 * the attempt, on the tenant's hash chain.
 */
import { describe, expect, test } from 'vitest';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { listDeadLetters, listEventDeliveries } from '../../src/delivery/deliveries-service.ts';
import {
  clock,
  database,
  newEndpoint,
  receiver,
  recordPings,
  setClock,
  setupDeliveryFlow,
  startBus,
  tenantId,
} from '../delivery/flow.ts';

setupDeliveryFlow();

const auditRowsOf = (deliveryId: string) =>
  database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('entity_type', '=', 'delivery')
    .where('entity_id', '=', deliveryId)
    .execute();

describe('finding 16: automatic deliveries are audited once per outcome', () => {
  test('finding 16: a delivered event leaves one delivery.succeeded row by the system', async () => {
    const endpoint = await newEndpoint('/ok');
    const [eventId] = await recordPings(1);
    const b = await startBus();
    await b.dispatcher.runUntilIdle();
    const [delivery] = (await listEventDeliveries(database.db, tenantId, eventId ?? '', {})).data;
    expect(delivery?.status).toBe('succeeded');
    const rows = await auditRowsOf(delivery?.id ?? '');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'delivery.succeeded',
      actor_type: 'system',
      actor_id: 'delivery',
      metadata: { endpointId: endpoint.id, responseStatus: 200, scheduleStep: 0 },
    });
  });

  test('finding 16: retries leave no rows; the dead letter leaves one, and the chain holds', async () => {
    const endpoint = await newEndpoint('/down');
    receiver.respond = () => ({ status: 503, body: 'maintenance' });
    await recordPings(1);
    const b = await startBus({ WEBHOOK_RETRY_SCHEDULE: '1s,2s' });
    const t0 = clock;
    for (const at of [t0, t0 + 1_000, t0 + 3_000]) {
      setClock(at);
      await b.dispatcher.runUntilIdle();
    }
    const dead = await listDeadLetters(database.db, tenantId, { endpointId: endpoint.id });
    expect(dead.data[0]?.attemptCount).toBe(3);
    const rows = await auditRowsOf(dead.data[0]?.id ?? '');
    expect(rows.map((r) => r.action)).toEqual(['delivery.dead_lettered']);
    expect(rows[0]?.metadata).toMatchObject({ responseStatus: 503, scheduleStep: 3 });
    expect((await verifyAuditChain(database.db, { tenantId })).broken).toBeNull();
  });
});
