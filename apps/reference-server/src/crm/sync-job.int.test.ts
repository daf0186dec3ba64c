/**
 * The CRM sync job on its own clock, against a CRM stand-in: a write the CRM
 * cannot take is retried on the doubling back-off and handed to /ops after
 * the last attempt; a refusal for good is handed over at once; a tenant not
 * mirrored is skipped without a call.
 */
import {
  type CrmSync,
  type CrmWriteResult,
  InMemoryManualTaskSink,
  ProviderError,
} from '@clinicbridge/adapters';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { createPatient } from '../patients/service.ts';
import { CrmSyncDeferred } from '../providers/crm.ts';
import { type CreatedTenant, createTenant } from '../tenants/service.ts';
import { crmSyncJob } from './sync-job.ts';

let database: TestDatabase;
let tenant: CreatedTenant;
let other: CreatedTenant;
beforeAll(async () => {
  database = await openTestDatabase();
  tenant = await createTenant(database.db, { name: 'Mirrored' });
  other = await createTenant(database.db, { name: 'Not mirrored' });
});
afterAll(() => database.close());

/** A CRM whose contact writes fail as `fail` says, counting the calls. */
function crmFailing(fail: () => Error): CrmSync & { calls: number } {
  const crm = {
    provider: 'stand-in',
    calls: 0,
    async upsertContact(): Promise<CrmWriteResult> {
      crm.calls += 1;
      throw fail();
    },
    upsertLead: () => Promise.reject(new Error('not used')),
    upsertDeal: () => Promise.reject(new Error('not used')),
    recordStageChange: () => Promise.reject(new Error('not used')),
    readAttribution: () => Promise.resolve({ found: false }),
  };
  return crm;
}

async function consentingPatient(tenantId: string, email: string, at: Date): Promise<string> {
  const patient = await database.db.transaction().execute((trx) =>
    createPatient(
      trx,
      { tenantId, actor: { type: 'system', id: 'test' }, requestId: null, now: at },
      {
        givenName: 'Ada',
        familyName: 'Y',
        email,
        consent: { messaging: false, marketing: true },
      },
    ),
  );
  return patient.id;
}

const recordOf = (patientId: string) =>
  database.db
    .selectFrom('crm_sync_records')
    .select(['status', 'attempts', 'next_attempt_at', 'detail', 'manual_task_id'])
    .where('entity_id', '=', patientId)
    .executeTakeFirstOrThrow();

describe('the CRM sync job', () => {
  test('an unavailable CRM is retried on the doubling back-off, then handed to /ops', async () => {
    const t0 = new Date('2031-03-01T10:00:00Z');
    const patientId = await consentingPatient(tenant.tenantId, 'retry.job@example.com', t0);
    const crm = crmFailing(() => new CrmSyncDeferred('unavailable'));
    const sink = new InMemoryManualTaskSink();
    const job = crmSyncJob({
      db: database.db,
      crm: { sync: crm, tenants: new Set([tenant.tenantId]) },
      manualTasks: sink,
      retryAfterMs: 1_000,
      maxAttempts: 3,
    });
    expect(await job(t0)).toBe(1);
    expect(await recordOf(patientId)).toMatchObject({
      status: 'queued',
      attempts: 1,
      next_attempt_at: new Date(t0.getTime() + 1_000),
      detail: 'unavailable',
    });
    // Not due yet: nothing is sent.
    expect(await job(new Date(t0.getTime() + 999))).toBe(0);
    expect(await job(new Date(t0.getTime() + 1_000))).toBe(1);
    expect(await recordOf(patientId)).toMatchObject({
      attempts: 2,
      next_attempt_at: new Date(t0.getTime() + 3_000),
    });
    expect(await job(new Date(t0.getTime() + 3_000))).toBe(1);
    expect(crm.calls).toBe(3);
    const record = await recordOf(patientId);
    expect(record).toMatchObject({ status: 'manual', attempts: 3, detail: 'retries_exhausted' });
    expect(sink.tasks).toEqual([
      expect.objectContaining({
        id: record.manual_task_id,
        kind: 'crm',
        provider: 'hubspot',
        subjectRef: patientId,
        reason: 'retries_exhausted',
      }),
    ]);
    expect(JSON.stringify(sink.tasks)).not.toContain('retry.job@example.com');
  });

  test('a refusal for good is handed over at once; a tenant not mirrored is skipped without a call', async () => {
    const t0 = new Date('2031-03-02T10:00:00Z');
    const refusedId = await consentingPatient(tenant.tenantId, 'refused.job@example.com', t0);
    const otherId = await consentingPatient(other.tenantId, 'other.job@example.com', t0);
    const crm = crmFailing(
      () =>
        new ProviderError({
          code: 'invalid_request',
          provider: 'stand-in',
          operation: 'crm.contacts.upsert',
        }),
    );
    const sink = new InMemoryManualTaskSink();
    const job = crmSyncJob({
      db: database.db,
      crm: { sync: crm, tenants: new Set([tenant.tenantId]) },
      manualTasks: sink,
      retryAfterMs: 1_000,
      maxAttempts: 5,
    });
    await job(t0);
    expect(await recordOf(refusedId)).toMatchObject({
      status: 'manual',
      attempts: 1,
      detail: 'invalid_request',
    });
    expect(await recordOf(otherId)).toMatchObject({
      status: 'skipped',
      detail: 'the tenant is not mirrored into the CRM',
    });
    expect(crm.calls).toBe(1);
    expect(sink.tasks.map((task) => [task.subjectRef, task.reason])).toEqual([
      [refusedId, 'invalid_request'],
    ]);
  });
});
