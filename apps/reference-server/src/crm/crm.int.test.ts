/**
 * The CRM sync end to end over real HTTP on 127.0.0.1: a started server
 * whose HubSpot adapter points at the fake HubSpot served on 127.0.0.1,
 * mirroring one tenant. A patient who gave marketing consent becomes a
 * contact carrying marketing fields only, one who did not sends nothing;
 * an invoice becomes a deal and its settlement books it; last-writer-wins
 * keeps a marketer's newer edit and overwrites an older one, with an audit
 * row each way; a lead imported with consent is synced and HubSpot's
 * signed webhook brings its attribution back (a bad or stale signature is
 * 401); an outage is retried; an open breaker hands the write to /ops.
 */
import {
  FakeHubSpot,
  HUBSPOT_API,
  type ServedFakeProvider,
  serveFakeProvider,
  serverErrors,
} from '@clinicbridge/adapters/testing';
import type { ImportJob, Lead } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { consoleFeature } from '../console/feature.ts';
import { importsFeature } from '../imports/feature.ts';
import { inboundFeature } from '../inbound/feature.ts';
import { hubspotSignatureV3 } from '../inbound/hubspot-signature.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { type CreatedTenant, createTenant } from '../tenants/service.ts';
import { crmFeature } from './feature.ts';

let database: TestDatabase;
let hubspot: FakeHubSpot;
let served: ServedFakeProvider;
let running: TestServer;
let tenants: CreatedTenant[];
/** The fake's handlers; a failure put in front of them applies to the next requests. */
const handlers: Parameters<typeof serveFakeProvider>[1][number][] = [];
const mirrored = tenantClient(() => running, 0);
const notMirrored = tenantClient(() => running, 1);
const SECRET = 'hubspot-app-client-secret';
const OPS_PASSWORD = 'crm-ops-password-1';

beforeAll(async () => {
  database = await openTestDatabase();
  tenants = [];
  for (const name of ['Clinic A', 'Clinic B'])
    tenants.push(await createTenant(database.db, { name }));
  hubspot = new FakeHubSpot();
  handlers.push(...hubspot.handlers());
  served = await serveFakeProvider(HUBSPOT_API, handlers);
  const started = await startTestServer({
    database,
    tenantCount: 0,
    features: [manualTasksFeature, consoleFeature(), importsFeature, inboundFeature(), crmFeature],
    env: {
      HUBSPOT_ACCESS_TOKEN: hubspot.accessToken,
      HUBSPOT_URL: served.url,
      HUBSPOT_TENANTS: (tenants[0] as CreatedTenant).tenantId,
      HUBSPOT_DEAL_STAGES: JSON.stringify({ booked: 'closedwon' }),
      HUBSPOT_BREAKER_FAILURES: '5',
      HUBSPOT_BREAKER_HALF_OPEN: '10m',
      CRM_SYNC_RETRY_AFTER: '300ms',
      INBOUND_HUBSPOT_SECRET: SECRET,
      OPS_USER: 'ops',
      OPS_PASSWORD,
      WEBHOOK_POLL_INTERVAL: '200ms',
    },
  });
  running = { server: started.server, tenants };
}, 180_000);

afterAll(async () => {
  await running?.server.close();
  await served?.close();
  await database?.close();
});

const tenantId = (i: number) => (tenants[i] as CreatedTenant).tenantId;

const recordsOf = (entityId: string) =>
  database.db
    .selectFrom('crm_sync_records')
    .select(['status', 'attempts', 'detail', 'manual_task_id', 'fields'])
    .where('entity_id', '=', entityId)
    .orderBy('created_at')
    .execute();

const auditOf = (entityId: string, action: string) =>
  database.db
    .selectFrom('audit_events')
    .select(['action', 'entity_type', 'entity_id', 'metadata'])
    .where('entity_id', '=', entityId)
    .where('action', '=', action)
    .orderBy('occurred_at')
    .execute();

/** Creates a patient and one appointment (whose event queues the patient for the CRM). */
async function patientWithAppointment(
  client: typeof mirrored,
  overrides: Record<string, unknown>,
): Promise<{ patientId: string; appointmentId: string }> {
  const patient = await client.api<{ id: string }>(
    'POST',
    '/api/v1/patients',
    patientBody(overrides),
  );
  const appointmentId = await book(client, patient.id);
  return { patientId: patient.id, appointmentId };
}

/** A patient registered without marketing consent who then gives it: one record, the consent change. */
async function consentGiven(email: string): Promise<string> {
  const patient = await mirrored.api<{ id: string }>(
    'POST',
    '/api/v1/patients',
    patientBody({ email, consent: { messaging: false, marketing: false } }),
  );
  await mirrored.api('PATCH', `/api/v1/patients/${patient.id}`, {
    consent: { messaging: false, marketing: true },
  });
  return patient.id;
}

let slot = 0;
async function book(client: typeof mirrored, patientId: string): Promise<string> {
  slot += 1;
  const startsAt = new Date(Date.UTC(2031, 0, 1, 8) + slot * 3_600_000);
  const appointment = await client.api<{ id: string }>(
    'POST',
    '/api/v1/appointments',
    appointmentBody(patientId, {
      service: 'Implant surgery',
      notes: 'allergic to penicillin',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString(),
    }),
  );
  return appointment.id;
}

const settledAs = async (entityId: string, status: string) =>
  (await recordsOf(entityId)).some((r) => r.status === status);

/** Every record of the entity settled as written or (our own newer write) kept. */
const written = async (entityId: string) => {
  const records = await recordsOf(entityId);
  return records.length > 0 && records.every((r) => r.status === 'synced' || r.status === 'kept');
};

/** Resolves once no record is waiting: a failure injected next hits only the test's own calls. */
const queueDrained = () =>
  until(async () => {
    const waiting = await database.db
      .selectFrom('crm_sync_records')
      .select('event_id')
      .where('status', '=', 'queued')
      .execute();
    return waiting.length === 0;
  }, 'the CRM queue drained');

const contactWrites = (email: string) =>
  hubspot.writes.flatMap((write) => {
    const inputs = (write.body as { inputs?: { id: string; properties: Record<string, string> }[] })
      .inputs;
    return write.type === 'contacts' ? (inputs ?? []).filter((input) => input.id === email) : [];
  });

describe('CRM sync to HubSpot', () => {
  test('a consented patient is a contact with marketing fields only; without consent nothing is sent', async () => {
    const consented = await patientWithAppointment(mirrored, {
      email: 'ada.crm@example.com',
      preferredLanguage: 'tr',
      countryCode: 'DE',
      consent: { messaging: true, marketing: true },
    });
    const refused = await patientWithAppointment(mirrored, {
      email: 'no.consent@example.com',
      externalRef: 'EHR-2',
      consent: { messaging: true, marketing: false },
    });
    const other = await patientWithAppointment(notMirrored, {
      email: 'other.tenant@example.com',
      consent: { messaging: true, marketing: true },
    });
    // Consent given at registration queues the patient; the appointment queues it again.
    await until(() => settledAs(consented.patientId, 'synced'), 'the contact synced');
    await until(() => written(consented.appointmentId), 'the appointment record settled');
    await until(() => settledAs(refused.appointmentId, 'skipped'), 'the refusal skipped');
    await until(() => settledAs(other.appointmentId, 'skipped'), 'the other tenant skipped');
    expect((await recordsOf(refused.appointmentId))[0]?.detail).toBe('no marketing consent');
    expect((await recordsOf(other.appointmentId))[0]?.detail).toBe(
      'the tenant is not mirrored into the CRM',
    );

    // Exactly these properties leave the platform: the marketing allow-list.
    const [write] = contactWrites('ada.crm@example.com');
    expect(write?.properties).toEqual({
      email: 'ada.crm@example.com',
      firstname: 'Ada',
      hs_language: 'tr',
      country: 'DE',
      clinicbridge_marketing_consent: 'true',
      clinicbridge_ref: consented.patientId,
      clinicbridge_updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(hubspot.find('contacts', 'email', 'no.consent@example.com')).toBeUndefined();
    expect(hubspot.find('contacts', 'email', 'other.tenant@example.com')).toBeUndefined();
    const sent = JSON.stringify(hubspot.writes);
    for (const never of [
      'Yılmaz',
      '+905551112233',
      '1980-02-29',
      'EHR-1',
      'Implant',
      'penicillin',
      'no.consent@example.com',
      refused.patientId,
    ])
      expect(sent).not.toContain(never);
    expect(await auditOf(consented.patientId, 'crm.sync.applied')).toContainEqual(
      expect.objectContaining({
        entity_type: 'patient',
        metadata: expect.objectContaining({ object: 'contact', winner: 'platform' }),
      }),
    );

    // Consent withdrawn: the contact learns it, with nothing but its key and reference.
    await mirrored.api('PATCH', `/api/v1/patients/${consented.patientId}`, {
      consent: { messaging: true, marketing: false },
    });
    const withdrawal = await until(
      () =>
        contactWrites('ada.crm@example.com').find(
          (w) => w.properties.clinicbridge_marketing_consent === 'false',
        ),
      'the withdrawal sent',
    );
    expect(withdrawal.properties).toEqual({
      email: 'ada.crm@example.com',
      clinicbridge_marketing_consent: 'false',
      clinicbridge_ref: consented.patientId,
      clinicbridge_updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(
      hubspot.find('contacts', 'email', 'ada.crm@example.com')?.properties
        .clinicbridge_marketing_consent,
    ).toBe('false');
    // Withdrawn, a later appointment sends the withdrawal again at most, never the marketing fields.
    const after = await book(mirrored, consented.patientId);
    await until(() => recordsOf(after).then((r) => r[0]?.status !== 'queued'), 'settled');
    const last = contactWrites('ada.crm@example.com').at(-1);
    expect(last?.properties.clinicbridge_marketing_consent).toBe('false');
    expect(last?.properties).not.toHaveProperty('firstname');
  }, 60_000);

  test('an invoice is a deal with a neutral name; settling it books the deal', async () => {
    const patient = await mirrored.api<{ id: string }>(
      'POST',
      '/api/v1/patients',
      patientBody({
        email: 'deal.crm@example.com',
        consent: { messaging: false, marketing: true },
      }),
    );
    const invoice = await mirrored.api<{ id: string }>('POST', '/api/v1/invoices', {
      patientId: patient.id,
      currency: 'EUR',
      lines: [
        {
          description: 'DENT-IMPL-4 implant',
          quantity: 1,
          unitPrice: { amount: 250_050, currency: 'EUR' },
        },
      ],
    });
    const deal = await until(
      () => hubspot.find('deals', 'clinicbridge_ref', invoice.id),
      'the deal at the fake HubSpot',
    );
    expect(deal.properties).toMatchObject({
      dealname: `Package ${invoice.id}`,
      dealstage: 'quoted',
      amount: '2500.50',
      deal_currency_code: 'EUR',
      clinicbridge_contact_email: 'deal.crm@example.com',
    });
    await mirrored.api('POST', '/api/v1/payments', {
      invoiceId: invoice.id,
      amount: { amount: 250_050, currency: 'EUR' },
      method: 'card',
      source: 'terminal',
    });
    await until(
      () =>
        hubspot.find('deals', 'clinicbridge_ref', invoice.id)?.properties.dealstage === 'closedwon',
      'the deal booked',
    );
    expect(
      hubspot.objects.deals?.filter((d) => d.properties.clinicbridge_ref === invoice.id),
    ).toHaveLength(1);
    expect(JSON.stringify(hubspot.writes)).not.toContain('DENT-IMPL');
  }, 60_000);

  test('last writer wins: a newer CRM edit is kept, an older one overwritten, each audited', async () => {
    const { patientId, appointmentId } = await patientWithAppointment(mirrored, {
      email: 'lww.crm@example.com',
      consent: { messaging: false, marketing: true },
    });
    await until(() => written(patientId), 'the first sync');
    await until(() => written(appointmentId), 'the appointment record settled');

    // A marketer's edit dated after the platform's next change: HubSpot keeps it.
    const later = new Date(Date.now() + 10 * 60_000);
    hubspot.editInCrm(
      'contacts',
      'email',
      'lww.crm@example.com',
      { firstname: 'Marketing' },
      later,
    );
    const second = await book(mirrored, patientId);
    await until(() => settledAs(second, 'kept'), 'the CRM copy kept');
    expect(hubspot.find('contacts', 'email', 'lww.crm@example.com')?.properties.firstname).toBe(
      'Marketing',
    );
    expect(await auditOf(patientId, 'crm.sync.kept')).toContainEqual(
      expect.objectContaining({
        metadata: expect.objectContaining({
          object: 'contact',
          winner: 'crm',
          crmUpdatedAt: later.toISOString(),
        }),
      }),
    );

    // An edit older than the platform's change: the platform overwrites it.
    const earlier = new Date(Date.now() - 10 * 60_000);
    hubspot.editInCrm('contacts', 'email', 'lww.crm@example.com', { firstname: 'Old' }, earlier);
    await mirrored.api('PATCH', `/api/v1/patients/${patientId}`, { givenName: 'Ayşe' });
    const third = await book(mirrored, patientId);
    await until(() => settledAs(third, 'synced'), 'the platform copy written');
    expect(hubspot.find('contacts', 'email', 'lww.crm@example.com')?.properties.firstname).toBe(
      'Ayşe',
    );
    const applied = await auditOf(patientId, 'crm.sync.applied');
    expect(applied.at(-1)).toMatchObject({
      metadata: { object: 'contact', winner: 'platform', crmUpdatedAt: earlier.toISOString() },
    });
  }, 60_000);

  test('a lead imported with consent is synced; the signed webhook brings its attribution back', async () => {
    const job = await mirrored.api<ImportJob>('POST', '/api/v1/imports', {
      kind: 'leads',
      format: 'csv',
      content: [
        'name,email,source,campaign,agent,marketing_consent',
        'Leyla Demir,leyla.crm@example.com,instagram,spring,AG-1,yes',
        'Nur Kaya,nocon.lead@example.com,web,spring,,no',
      ].join('\n'),
    });
    expect(job).toMatchObject({ importedRows: 2, failedRows: 0 });
    const leads = await database.db
      .selectFrom('leads')
      .select(['id', 'marketing_consent'])
      .where('tenant_id', '=', tenantId(0))
      .where('campaign', '=', 'spring')
      .orderBy('source')
      .execute();
    const [consented, refused] = leads as [(typeof leads)[0], (typeof leads)[0]];
    expect(consented.marketing_consent).toBe(true);
    expect(refused.marketing_consent).toBe(false);
    expect(await auditOf(consented.id, 'lead.marketing_consent_changed')).toHaveLength(1);
    const contact = await until(
      () => hubspot.find('contacts', 'email', 'leyla.crm@example.com'),
      'the lead contact',
    );
    await until(() => hubspot.find('leads', 'clinicbridge_ref', consented.id), 'the CRM lead');
    expect(contact.properties).toMatchObject({
      clinicbridge_ref: consented.id,
      clinicbridge_lead_source: 'instagram',
      lifecyclestage: 'lead',
    });
    expect(await recordsOf(refused.id)).toEqual([]);
    expect(hubspot.find('contacts', 'email', 'nocon.lead@example.com')).toBeUndefined();

    const url = `${running.server.url}/webhooks/hubspot`;
    const change = (eventId: number, propertyName: string, propertyValue: string) => ({
      eventId,
      subscriptionId: 77,
      portalId: 62515,
      appId: 1,
      occurredAt: Date.now(),
      subscriptionType: 'contact.propertyChange',
      attemptNumber: 0,
      objectId: Number(contact.id),
      changeSource: 'CRM_UI',
      propertyName,
      propertyValue,
    });
    const body = JSON.stringify([
      change(1, 'hs_analytics_source', 'PAID_SOCIAL'),
      change(2, 'hs_analytics_source_data_2', 'winter-dental'),
      change(3, 'clinicbridge_agent_ref', 'AG-9'),
      change(4, 'firstname', 'Not taken'),
      change(5, 'diagnosis', 'never taken'),
    ]);
    const post = (timestamp: number, signature: string) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hubspot-request-timestamp': String(timestamp),
          'x-hubspot-signature-v3': signature,
        },
        body,
      });
    const now = Date.now();
    const wrong = await post(
      now,
      hubspotSignatureV3('another-secret', 'POST', url, body, String(now)),
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'webhook_verification_failed' });
    const stale = now - 6 * 60_000;
    const old = await post(stale, hubspotSignatureV3(SECRET, 'POST', url, body, String(stale)));
    expect(old.status).toBe(401);
    // Refused before anything is stored: nothing to process.
    const stored = await database.db
      .selectFrom('inbound_webhooks')
      .select('id')
      .where('provider', '=', 'hubspot')
      .execute();
    expect(stored).toEqual([]);
    const good = await post(now, hubspotSignatureV3(SECRET, 'POST', url, body, String(now)));
    expect(good.status).toBe(202);
    const updated = await until(async () => {
      const row = await database.db
        .selectFrom('leads')
        .select(['source', 'campaign', 'agent_ref'])
        .where('id', '=', consented.id)
        .executeTakeFirstOrThrow();
      return row.campaign === 'winter-dental' ? row : undefined;
    }, 'the attribution applied');
    expect(updated).toEqual({
      source: 'PAID_SOCIAL',
      campaign: 'winter-dental',
      agent_ref: 'AG-9',
    });
    const read = await mirrored.api<Lead>('GET', `/api/v1/leads/${consented.id}`);
    expect(read).toMatchObject({
      source: 'PAID_SOCIAL',
      campaign: 'winter-dental',
      agentRef: 'AG-9',
    });
    const audits = await auditOf(consented.id, 'lead.attribution_updated');
    expect(audits.map((a) => a.metadata)).toEqual([
      expect.objectContaining({ field: 'source', from: 'instagram', to: 'PAID_SOCIAL' }),
      expect.objectContaining({ field: 'campaign', from: 'spring', to: 'winter-dental' }),
      expect.objectContaining({ field: 'agentRef', from: 'AG-1', to: 'AG-9' }),
    ]);
    expect(JSON.stringify(audits)).not.toContain('Not taken');

    // Consent given later through the API: audited, and the lead is synced.
    const given = await mirrored.api<Lead>(
      'POST',
      `/api/v1/leads/${refused.id}/marketing-consent`,
      {
        marketing: true,
      },
    );
    expect(given).toMatchObject({ id: refused.id, marketingConsent: true });
    await until(
      () => hubspot.find('contacts', 'email', 'nocon.lead@example.com'),
      'the lead synced once it consented',
    );
    expect(await auditOf(refused.id, 'lead.marketing_consent_changed')).toEqual([
      expect.objectContaining({ metadata: { marketingConsent: true, via: 'api' } }),
    ]);
  }, 90_000);

  test('an outage is retried later and the contact written once', async () => {
    await queueDrained();
    // One whole call (the read before the write and its three retries) fails: fewer than the breaker's five.
    const outage = serverErrors({ method: 'all', url: `${HUBSPOT_API}/crm/*`, times: 4 });
    handlers.unshift(outage.handler);
    try {
      const patientId = await consentGiven('outage.crm@example.com');
      await until(() => settledAs(patientId, 'synced'), 'synced after the outage', 30_000);
      expect(outage.hits).toBe(4);
      expect(await recordsOf(patientId)).toEqual([
        expect.objectContaining({ status: 'synced', attempts: 2, manual_task_id: null }),
      ]);
      expect(contactWrites('outage.crm@example.com')).toHaveLength(1);
    } finally {
      handlers.splice(handlers.indexOf(outage.handler), 1);
    }
  }, 60_000);

  test('once the breaker is open the write is a manual task on /ops and HubSpot is not called', async () => {
    await queueDrained();
    const outage = serverErrors({ method: 'all', url: `${HUBSPOT_API}/crm/*`, times: 1_000 });
    handlers.unshift(outage.handler);
    try {
      const first = await consentGiven('down1.crm@example.com');
      await until(() => settledAs(first, 'manual'), 'handed to /ops', 30_000);
      const hits = outage.hits;
      expect(hits).toBeGreaterThanOrEqual(5);
      const second = await consentGiven('down2.crm@example.com');
      await until(() => settledAs(second, 'manual'), 'the next handed to /ops', 30_000);
      expect(outage.hits).toBe(hits);
      const tasks = await database.db
        .selectFrom('manual_tasks')
        .select(['kind', 'provider', 'operation', 'subject_ref', 'reason'])
        .where('subject_ref', 'in', [first, second])
        .orderBy('subject_ref')
        .execute();
      expect(tasks).toEqual(
        [first, second].toSorted().map((subject_ref) => ({
          kind: 'crm',
          provider: 'hubspot',
          operation: 'crm.contacts.upsert',
          subject_ref,
          reason: 'circuit_open',
        })),
      );
      const [record] = await recordsOf(second);
      expect(record?.manual_task_id).toMatch(/^mt_/);
      const page = await fetch(`${running.server.url}/ops/tasks`, {
        headers: {
          authorization: `Basic ${Buffer.from(`ops:${OPS_PASSWORD}`).toString('base64')}`,
        },
      });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(second);
      expect(html).toContain('hubspot');
      expect(html).not.toContain('down2.crm@example.com');

      const metrics = await (await fetch(`${running.server.url}/metrics`)).text();
      const count = (outcome: string) =>
        Number(
          metrics.match(
            new RegExp(`^crm_sync_records_total\\{outcome="${outcome}"\\} (\\d+)`, 'm'),
          )?.[1],
        );
      for (const outcome of ['synced', 'kept', 'skipped', 'retried'])
        expect(count(outcome)).toBeGreaterThan(0);
      expect(count('manual')).toBeGreaterThanOrEqual(2);
      expect(metrics).toMatch(/^crm_sync_queue_depth 0$/m);
    } finally {
      const at = handlers.indexOf(outage.handler);
      if (at >= 0) handlers.splice(at, 1);
    }
  }, 90_000);
});
