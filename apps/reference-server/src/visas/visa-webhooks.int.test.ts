/**
 * Visa decisions by webhook, end to end over real HTTP on 127.0.0.1: a
 * started server whose visa adapter points at the fake partner served on
 * 127.0.0.1 (polled only hourly here, so the webhooks decide). The
 * partner's signed `visa.status_changed`, `visa.granted` and
 * `visa.rejected` on `/webhooks/visa` move the application they name (by
 * the partner's id or ours) with its `visa.*` events; a rejection opens the
 * exception playbook's three tasks once, however often it is told; an
 * application undecided past VISAS_DECISION_SLA raises one operator alert.
 */
import { FakeVisaPartner, VISA_PARTNER_API } from '@clinicbridge/adapters/testing';
import type { EventEnvelope, VisaApplication } from '@clinicbridge/sdk/contract';
import { generateSecret } from '@clinicbridge/webhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { tenantClient } from '../../test/helpers/http-server.ts';
import { sendInbound } from '../../test/helpers/inbound.ts';
import {
  type ProviderTestServer,
  startProviderServer,
} from '../../test/helpers/provider-server.ts';
import { until } from '../../test/helpers/until.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { visasFeature } from './feature.ts';

const partner = new FakeVisaPartner('visa-key');
const visaSecret = generateSecret();
let running: ProviderTestServer;
const db = () => running.server.database.db;
const tenantId = () => running.tenants[0]?.tenantId ?? '';
const { api } = tenantClient(() => running);

const PASSPORT = Buffer.from('%PDF-1.4 passport').toString('base64');

/** An application the partner has acknowledged (and will not decide by itself). */
async function submitted(caseRef: string) {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const created = await api<VisaApplication>('POST', '/api/v1/visa-applications', {
    patientId: patient.id,
    caseRef,
    destination: 'TR',
    nationality: 'GB',
    visaType: 'medical',
    arrivalDate: '2027-03-01',
    documents: [{ kind: 'passport', contentType: 'application/pdf', data: PASSPORT }],
  });
  partner.script(created.id, { status: 'APPROVED', afterReads: 10_000 });
  const row = await until(async () => {
    const found = await db()
      .selectFrom('visa_applications')
      .select(['status', 'provider_application_id'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    return found.provider_application_id ? found : undefined;
  }, `application ${created.id} to be with the partner`);
  return { ...created, providerApplicationId: row.provider_application_id ?? '' };
}

/** Posts a signed partner webhook; resolves when the server has processed it. */
async function partnerSays(id: string, message: Record<string, unknown>) {
  const body = JSON.stringify({ tenantId: tenantId(), ...message });
  return sendInbound(running.server.url, db(), { provider: 'visa', id, body, secret: visaSecret });
}

const applicationOf = (id: string) =>
  api<VisaApplication>('GET', `/api/v1/visa-applications/${id}`);

beforeAll(async () => {
  running = await startProviderServer({
    tenantCount: 1,
    fakes: [
      {
        origin: VISA_PARTNER_API,
        handlers: partner.handlers(),
        env: (url) => ({ VISA_API_KEY: 'visa-key', VISA_API_URL: url }),
      },
    ],
    inbound: { INBOUND_VISA_SECRET: visaSecret },
    features: [manualTasksFeature, visasFeature],
    env: {
      WEBHOOK_POLL_INTERVAL: '100ms',
      VISAS_POLL_INTERVAL: '1h',
      VISAS_DECISION_SLA: '3s',
    },
  });
}, 60_000);

afterAll(() => running?.close());

describe('the partner decides by webhook', () => {
  test('status_changed (by the partner id) then granted (by ours) move the application with their events', async () => {
    const application = await submitted('case_webhook_granted');
    const reviewed = await partnerSays('vw_review_1', {
      type: 'visa.status_changed',
      entityType: 'visa_application',
      entityId: application.providerApplicationId,
      data: { caseId: 'case_webhook_granted', country: 'TR', status: 'in_review' },
    });
    expect(reviewed).toEqual({
      status: 'processed',
      reason: `visa application ${application.id} in_review`,
    });
    expect((await applicationOf(application.id)).status).toBe('in_review');

    await partnerSays('vw_granted_1', {
      type: 'visa.granted',
      entityType: 'visa_application',
      entityId: application.providerApplicationId,
      data: {
        caseId: 'case_webhook_granted',
        country: 'TR',
        status: 'granted',
        applicationId: application.id,
        visaNumber: 'TRMV-778812',
        validUntil: '2027-06-01',
      },
    });
    const granted = await applicationOf(application.id);
    expect(granted).toMatchObject({
      status: 'granted',
      visaNumber: 'TRMV-778812',
      validUntil: '2027-06-01',
    });
    const events = await api<{ data: EventEnvelope[] }>(
      'GET',
      `/api/v1/events?entityId=${application.id}`,
    );
    expect(events.data.map((e) => [e.type, e.data.status, e.data.previousStatus])).toEqual([
      ['visa.granted', 'granted', 'in_review'],
      ['visa.status_changed', 'in_review', 'submitted'],
      ['visa.submitted', 'submitted', 'pending'],
    ]);
    // The visa number stays on the application, out of events.
    expect(JSON.stringify(events.data)).not.toContain('TRMV-778812');
    // Nothing was recorded against a stand-in provider entity.
    const entities = await db()
      .selectFrom('provider_entities')
      .select('entity_id')
      .where('entity_id', '=', application.providerApplicationId)
      .execute();
    expect(entities).toEqual([]);

    // A decision told again after the fact changes nothing.
    const late = await partnerSays('vw_rejected_late', {
      type: 'visa.rejected',
      entityId: application.providerApplicationId,
      data: { caseId: 'case_webhook_granted', country: 'TR', status: 'rejected' },
    });
    expect(late.reason).toBe(`visa application ${application.id} is already granted`);
    expect((await applicationOf(application.id)).status).toBe('granted');
  });

  test('rejected: reason codes in the platform vocabulary, the exception playbook opened once', async () => {
    const application = await submitted('case_webhook_rejected');
    const rejection = {
      type: 'visa.rejected',
      entityType: 'visa_application',
      entityId: application.providerApplicationId,
      data: {
        caseId: 'case_webhook_rejected',
        country: 'TR',
        status: 'rejected',
        reasonCodes: ['missing_document', 'CONSULAR_DISCRETION'],
      },
    };
    await partnerSays('vw_rejected_1', rejection);
    // The partner tells it again (another delivery id): no second event, no second playbook.
    await partnerSays('vw_rejected_2', rejection);
    const rejected = await applicationOf(application.id);
    expect(rejected).toMatchObject({
      status: 'rejected',
      reasonCodes: ['missing_document', 'other'],
    });
    const events = await api<{ data: EventEnvelope[] }>(
      'GET',
      `/api/v1/events?entityId=${application.id}&type=visa.rejected`,
    );
    expect(events.data.map((e) => e.data)).toEqual([
      {
        applicationId: application.id,
        caseId: 'case_webhook_rejected',
        patientId: application.patientId,
        country: 'TR',
        status: 'rejected',
        previousStatus: 'submitted',
        reasonCodes: ['missing_document', 'other'],
      },
    ]);
    const tasks = await db()
      .selectFrom('manual_tasks')
      .select(['kind', 'operation', 'reason', 'summary'])
      .where('subject_ref', '=', application.id)
      .orderBy('operation')
      .execute();
    expect(tasks.map((t) => [t.kind, t.operation, t.reason])).toEqual([
      ['visa', 'visa.alternative_route', 'visa_rejected'],
      ['visa', 'visa.correct_and_resubmit', 'visa_rejected'],
      ['visa', 'visa.refund', 'visa_rejected'],
    ]);
    expect(tasks.find((t) => t.operation === 'visa.correct_and_resubmit')?.summary).toContain(
      'missing_document, other',
    );
  });

  test('a status the partner may not report, and a webhook about no application of ours', async () => {
    const application = await submitted('case_webhook_invalid');
    const invalid = await partnerSays('vw_invalid_1', {
      type: 'visa.status_changed',
      entityId: application.providerApplicationId,
      data: { caseId: 'case_webhook_invalid', country: 'TR', status: 'approved-ish' },
    });
    expect(invalid.status).toBe('failed');
    expect(invalid.reason).toMatch(/^visa\.status_changed carries data\.status/);
    expect((await applicationOf(application.id)).status).toBe('submitted');

    // Not one of this server's applications: recorded as the partner's own case, as before.
    const foreign = await partnerSays('vw_foreign_1', {
      type: 'visa.granted',
      entityType: 'visa_case',
      entityId: 'partner-case-9',
      data: { caseId: 'partner-case-9', country: 'TR', status: 'granted' },
    });
    expect(foreign).toEqual({ status: 'processed', reason: 'visa.granted recorded' });
  });
});

describe('the decision SLA', () => {
  test('an application undecided past VISAS_DECISION_SLA raises one operator alert', async () => {
    const application = await submitted('case_sla');
    const alertsFor = (id: string) =>
      db()
        .selectFrom('operator_alerts')
        .selectAll()
        .where('kind', '=', 'visa_sla_breached')
        .execute()
        .then((rows) => rows.filter((r) => r.details.applicationId === id));
    const [alert] = await until(async () => {
      const rows = await alertsFor(application.id);
      return rows.length > 0 ? rows : undefined;
    }, 'the SLA alert');
    expect(alert).toMatchObject({ tenant_id: tenantId() });
    expect(alert?.details).toEqual({
      applicationId: application.id,
      caseRef: 'case_sla',
      status: 'submitted',
    });
    // Later passes of the job (a newer application's alert is raised by one) add no second alert.
    const later = await submitted('case_sla_later');
    await until(
      async () => ((await alertsFor(later.id)).length > 0 ? true : undefined),
      'the later SLA alert',
    );
    expect(await alertsFor(application.id)).toHaveLength(1);
  });
});
