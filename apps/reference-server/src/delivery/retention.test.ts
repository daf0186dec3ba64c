/**
 * Retention: only finished bookkeeping older than the period goes; dead
 * letters, failed webhooks and recent rows stay; the job runs at most once
 * per interval.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { deliveryConfig } from './config.ts';
import { pruneBusTables, retentionJob } from './retention.ts';

let database: TestDatabase;
const day = 86_400_000;
const now = new Date('2026-11-22T12:00:00Z');
const old = new Date(now.getTime() - 40 * day);
const recent = new Date(now.getTime() - day);

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  await db
    .insertInto('webhook_endpoints')
    .values({
      id: 'whep_retentionendpoint000001',
      tenant_id: 'ten_retentiontenant00000001',
      url: 'https://partner.example/hooks',
      description: null,
      event_types: '["*"]',
      enabled: true,
      disabled_reason: null,
      secret: 'whsec_x',
      previous_secret: null,
      previous_secret_expires_at: null,
      failing_since: null,
      created_at: old,
      updated_at: old,
    })
    .execute();
  const delivery = (id: string, status: 'succeeded' | 'dead', at: Date) => ({
    id,
    tenant_id: 'ten_retentiontenant00000001',
    event_id: `evt_${id.slice(4)}`,
    endpoint_id: 'whep_retentionendpoint000001',
    event_type: 'inventory.low_stock',
    status,
    attempt_count: 1,
    schedule_step: 0,
    next_attempt_at: null,
    last_attempt_at: at,
    lease_owner: null,
    lease_expires_at: null,
    created_at: at,
    updated_at: at,
  });
  await db
    .insertInto('deliveries')
    .values([
      delivery('dlv_oldsucceeded0000000001', 'succeeded', old),
      delivery('dlv_recentsucceeded000001', 'succeeded', recent),
      delivery('dlv_olddead00000000000001', 'dead', old),
    ])
    .execute();
  const inbound = (id: string, status: 'processed' | 'failed', at: Date) => ({
    id,
    provider: 'visa',
    provider_event_id: id,
    event_type: 'visa.granted',
    status,
    reason: null,
    raw_body: '{}',
    attempts: 1,
    next_attempt_at: null,
    received_at: at,
    processed_at: status === 'processed' ? at : null,
  });
  await db
    .insertInto('inbound_webhooks')
    .values([
      inbound('inb_oldprocessed00000001', 'processed', old),
      inbound('inb_oldfailed0000000001', 'failed', old),
    ])
    .execute();
  await db
    .insertInto('subscriber_inbox')
    .values([
      {
        subscriber: 'reporting',
        event_id: 'evt_olddone',
        sequence: 1,
        status: 'done',
        attempts: 1,
        next_attempt_at: old,
        last_error: null,
        acked_at: old,
      },
      {
        subscriber: 'reporting',
        event_id: 'evt_olddead',
        sequence: 2,
        status: 'dead',
        attempts: 10,
        next_attempt_at: old,
        last_error: 'x',
        acked_at: null,
      },
    ])
    .execute();
});
afterAll(() => database.close());

describe('retention', () => {
  test('deletes only finished rows older than the period', async () => {
    const deleted = await pruneBusTables(database.db, new Date(now.getTime() - 30 * day));
    expect(deleted).toBe(3);
    const deliveries = await database.db
      .selectFrom('deliveries')
      .select('id')
      .orderBy('id')
      .execute();
    expect(deliveries.map((d) => d.id)).toEqual([
      'dlv_olddead00000000000001',
      'dlv_recentsucceeded000001',
    ]);
    const inbound = await database.db.selectFrom('inbound_webhooks').select('id').execute();
    expect(inbound.map((r) => r.id)).toEqual(['inb_oldfailed0000000001']);
    const inbox = await database.db.selectFrom('subscriber_inbox').select('event_id').execute();
    expect(inbox.map((r) => r.event_id)).toEqual(['evt_olddead']);
  });

  test('the job runs at most once per interval and never counts as work', async () => {
    const retention = deliveryConfig.parse({}).WEBHOOK_RETENTION;
    expect(retention).toBe(30 * day);
    const job = retentionJob(database.db, retention, 3_600_000);
    expect(await job(now)).toBe(0);
    await database.db
      .updateTable('deliveries')
      .set({ updated_at: old })
      .where('id', '=', 'dlv_recentsucceeded000001')
      .execute();
    await job(new Date(now.getTime() + 60_000));
    expect(await database.db.selectFrom('deliveries').select('id').execute()).toHaveLength(2);
    await job(new Date(now.getTime() + 3_600_000));
    expect(await database.db.selectFrom('deliveries').select('id').execute()).toHaveLength(1);
  });
});
