/**
 * ADT processing end to end on a started server: messages arrive over MLLP,
 * are stored, ACKed and applied from the bus. A05 → A01 → A02 → A03 gives
 * the right encounter states, location history and invoice (stay days and
 * procedures priced from the tenant's mappings); A11 and A13 cancel; A40
 * merges patients; A08 corrects demographics; out-of-order messages open
 * what they name; a message that cannot be applied fails with its reason
 * and can be retried from /ops. The `encounter.*` events reach a partner
 * webhook endpoint, signed, without names. The shared sample files go
 * through the same path (their repeated MSH-10 is a repeat, not applied twice).
 */
import { readFileSync } from 'node:fs';
import { parseMessage, valueAt } from '@clinicbridge/hl7';
import { MllpClient } from '@clinicbridge/hl7/node';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { eventFeatures } from '../../test/helpers/features.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { adt } from '../../test/hl7/messages.ts';
import { operatorConfig } from '../console/config.ts';
import { consoleFeature } from '../console/feature.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { inboundConfig } from '../inbound/config.ts';
import { hl7Config } from './config.ts';
import { registerFacility } from './facilities.ts';
import { type Hl7Feature, hl7Feature } from './feature.ts';
import { upsertMapping } from './mappings.ts';

const PASSWORD = 'operator password for tests';
const fixtures = new URL('../../../../packages/hl7/src/__fixtures__/', import.meta.url);

let running: TestServer;
let receiver: Receiver;
let hl7: Hl7Feature;
let client: MllpClient;
let apiKey: string;
let tenantId: string;

beforeAll(async () => {
  receiver = await startReceiver();
  hl7 = hl7Feature({ config: hl7Config.parse({ HL7_MLLP_PORT: '0', HL7_MLLP_HOST: '127.0.0.1' }) });
  running = await startTestServer({
    tenantCount: 1,
    env: { WEBHOOK_POLL_INTERVAL: '50ms' },
    features: [
      ...eventFeatures({
        ...deliveryConfig.parse({
          WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host,
          WEBHOOK_POLL_INTERVAL: '50ms',
        }),
        ...inboundConfig.parse({}),
      }),
      hl7,
      consoleFeature({ config: operatorConfig.parse({ OPS_PASSWORD: PASSWORD }) }),
    ],
  });
  ({ tenantId, apiKey } = running.tenants[0]!);
  const db = running.server.database.db;
  const now = new Date();
  for (const [facility, offset] of [
    ['CITYHOSP', 330],
    ['GHHSFacility', 0],
    ['1', 420],
  ] as const) {
    await registerFacility(
      db,
      {
        tenantId,
        sendingFacility: facility,
        allowedSources: ['127.0.0.1'],
        utcOffsetMinutes: offset,
      },
      now,
    );
  }
  await upsertMapping(
    db,
    tenantId,
    { kind: 'department', code: 'MED', ref: 'internal-medicine' },
    now,
  );
  await upsertMapping(db, tenantId, { kind: 'department', code: 'ICU', ref: 'critical-care' }, now);
  await upsertMapping(db, tenantId, { kind: 'provider', code: 'D123', ref: 'dr-rao' }, now);
  await upsertMapping(
    db,
    tenantId,
    {
      kind: 'service',
      code: 'MED',
      ref: 'Ward stay, medicine',
      unit: 'day',
      unitPrice: 450_000,
      currency: 'INR',
    },
    now,
  );
  await upsertMapping(
    db,
    tenantId,
    {
      kind: 'service',
      code: '76164006',
      ref: 'Colon biopsy',
      unit: 'each',
      unitPrice: 1_200_000,
      currency: 'INR',
      taxRateBps: 1800,
    },
    now,
  );
  const endpoint = await api('POST', '/api/v1/webhook-endpoints', {
    url: `${receiver.url}/partner`,
    eventTypes: [
      'encounter.admitted',
      'encounter.transferred',
      'encounter.discharged',
      'encounter.cancelled',
    ],
  });
  receiver.secrets.set('/partner', [endpoint.secret as string]);
  client = await MllpClient.connect({
    host: '127.0.0.1',
    port: hl7.mllpAddress()!.port,
    timeoutMs: 10_000,
  });
});

afterAll(async () => {
  await client?.close();
  await running?.server.close();
  await receiver?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: test reads of JSON responses.
async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${running.server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body
        ? { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() }
        : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Sends messages; each must be acknowledged AA; then waits until each is applied. */
async function send(...texts: string[]): Promise<void> {
  const ids: string[] = [];
  for (const text of texts) {
    const reply = parseMessage(await client.send(text));
    expect(valueAt(reply, 'MSA-1'), valueAt(reply, 'ERR-8')).toBe('AA');
    ids.push(valueAt(reply, 'MSA-2'));
  }
  await settled(ids);
}

async function settled(controlIds: string[]) {
  await vi.waitFor(
    async () => {
      const rows = await running.server.database.db
        .selectFrom('hl7_messages')
        .select(['control_id', 'status'])
        .where('control_id', 'in', controlIds)
        .execute();
      expect(rows.filter((r) => r.status !== 'received')).toHaveLength(controlIds.length);
    },
    { timeout: 15_000, interval: 25 },
  );
}

const messageRow = (controlId: string) =>
  running.server.database.db
    .selectFrom('hl7_messages')
    .selectAll()
    .where('control_id', '=', controlId)
    .executeTakeFirstOrThrow();

async function encounterOfVisit(visit: string) {
  const row = await running.server.database.db
    .selectFrom('encounters')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('visit_number', '=', visit)
    .executeTakeFirstOrThrow();
  return api('GET', `/api/v1/encounters/${row.id}`);
}

const patientOfMrn = async (mrn: string, authority = 'CITYHOSP') =>
  (
    await running.server.database.db
      .selectFrom('hl7_patient_identifiers')
      .select('patient_id')
      .where('tenant_id', '=', tenantId)
      .where('authority', '=', authority)
      .where('identifier', '=', mrn)
      .executeTakeFirstOrThrow()
  ).patient_id;

describe('an admission from pre-admission to discharge', () => {
  test('A05 → A01 → A02 → A03: states, beds, mappings, the invoice, and the partner hears each step', async () => {
    const base = { mrn: 'MRN-100', visit: 'V-100', procedures: [] as string[] };
    await send(adt({ ...base, trigger: 'A05', controlId: 'S-1', location: 'W4^402^B' }));
    expect(await encounterOfVisit('V-100')).toMatchObject({
      status: 'planned',
      admittedAt: null,
      locations: [],
    });

    await send(
      adt({
        ...base,
        trigger: 'A01',
        controlId: 'S-2',
        location: 'W4^402^B^CITYHOSP',
        admit: '20260301100000',
        eventTime: '20260301100500',
      }),
    );
    const admitted = await encounterOfVisit('V-100');
    const patientId = await patientOfMrn('MRN-100');
    expect(admitted).toMatchObject({
      patientId,
      status: 'in_progress',
      class: 'inpatient',
      visitNumber: 'V-100',
      location: { pointOfCare: 'W4', room: '402', bed: 'B', facility: 'CITYHOSP' },
      hospitalService: 'MED',
      departmentRef: 'internal-medicine',
      attendingProviderCode: 'D123',
      attendingClinicianRef: 'dr-rao',
      // 10:00 at the facility (+05:30) is 04:30 UTC.
      admittedAt: '2026-03-01T04:30:00.000Z',
    });
    const patient = await api('GET', `/api/v1/patients/${patientId}`);
    expect(patient).toMatchObject({
      givenName: 'Asha',
      familyName: 'Sharma',
      birthDate: '1980-05-12',
    });

    await send(
      adt({
        ...base,
        trigger: 'A02',
        controlId: 'S-3',
        location: 'ICU^1^A',
        priorLocation: 'W4^402^B',
        service: 'MED',
        eventTime: '20260302080000',
        procedures: ['76164006'],
      }),
    );
    const moved = await encounterOfVisit('V-100');
    expect(moved.location).toMatchObject({ pointOfCare: 'ICU', room: '1', bed: 'A' });
    expect(moved.locations).toEqual([
      expect.objectContaining({
        pointOfCare: 'W4',
        bed: 'B',
        startedAt: '2026-03-01T04:30:00.000Z',
        endedAt: '2026-03-02T02:30:00.000Z',
      }),
      expect.objectContaining({
        pointOfCare: 'ICU',
        bed: 'A',
        startedAt: '2026-03-02T02:30:00.000Z',
        endedAt: null,
      }),
    ]);

    await send(
      adt({
        ...base,
        trigger: 'A03',
        controlId: 'S-4',
        location: 'ICU^1^A',
        admit: '20260301100000',
        discharge: '20260303093000',
        disposition: '01',
        procedures: ['76164006', '99999'],
      }),
    );
    const discharged = await encounterOfVisit('V-100');
    expect(discharged).toMatchObject({
      status: 'finished',
      dischargedAt: '2026-03-03T04:00:00.000Z',
      dischargeDisposition: '01',
    });
    expect(discharged.locations.every((l: { endedAt: string | null }) => l.endedAt !== null)).toBe(
      true,
    );
    // The billing handoff: two started days of stay and the biopsy (once, though sent twice);
    // the unmapped procedure is named in the message's reason.
    const invoice = await api('GET', `/api/v1/invoices/${discharged.invoiceId}`);
    expect(invoice).toMatchObject({ patientId, currency: 'INR', status: 'open' });
    expect(
      invoice.lines.map((l: { description: string; quantity: number }) => [
        l.description,
        l.quantity,
      ]),
    ).toEqual([
      ['Ward stay, medicine', 2],
      ['Colon biopsy', 1],
    ]);
    expect(invoice.total).toEqual({ amount: 2 * 450_000 + 1_200_000 + 216_000, currency: 'INR' });
    expect((await messageRow('S-4')).reason).toContain('no service mapping for 99999');

    await vi.waitFor(
      () => {
        const types = receiver.received
          .filter((r) => r.path === '/partner')
          .map((r) => JSON.parse(r.body) as { type: string; data: { encounterId: string } })
          .filter((e) => e.data.encounterId === discharged.id)
          .map((e) => e.type);
        expect(types.sort()).toEqual([
          'encounter.admitted',
          'encounter.discharged',
          'encounter.transferred',
        ]);
      },
      { timeout: 15_000, interval: 50 },
    );
    const delivered = receiver.received.filter((r) => r.body.includes(discharged.id));
    expect(delivered.every((r) => r.verified)).toBe(true);
    for (const r of delivered) {
      expect(r.body).not.toContain('Sharma');
      expect(r.body).not.toContain('Asha');
    }
    const transferred = JSON.parse(
      delivered.find((r) => r.body.includes('encounter.transferred'))!.body,
    );
    expect(transferred.data).toMatchObject({
      previousLocation: { pointOfCare: 'W4', bed: 'B' },
      location: { pointOfCare: 'ICU', bed: 'A' },
      departmentRef: 'internal-medicine',
    });
    const dischargedEvent = JSON.parse(
      delivered.find((r) => r.body.includes('encounter.discharged'))!.body,
    );
    expect(dischargedEvent.data).toMatchObject({
      invoiceId: invoice.id,
      dischargeDisposition: '01',
    });
  });

  test('A11 cancels an admission; A13 undoes a discharge', async () => {
    await send(
      adt({ trigger: 'A01', controlId: 'C-1', mrn: 'MRN-200', visit: 'V-200', location: 'W1^1^1' }),
    );
    await send(adt({ trigger: 'A11', controlId: 'C-2', mrn: 'MRN-200', visit: 'V-200' }));
    expect((await encounterOfVisit('V-200')).status).toBe('cancelled');

    await send(
      adt({
        trigger: 'A01',
        controlId: 'C-3',
        mrn: 'MRN-200',
        visit: 'V-201',
        location: 'W1^2^1',
        service: 'OPD',
      }),
    );
    await send(
      adt({ trigger: 'A03', controlId: 'C-4', mrn: 'MRN-200', visit: 'V-201', service: 'OPD' }),
    );
    const finished = await encounterOfVisit('V-201');
    expect(finished).toMatchObject({ status: 'finished', invoiceId: null });
    expect((await messageRow('C-4')).reason).toContain('no priced charges');
    await send(adt({ trigger: 'A13', controlId: 'C-5', mrn: 'MRN-200', visit: 'V-201' }));
    const reopened = await encounterOfVisit('V-201');
    expect(reopened).toMatchObject({
      status: 'in_progress',
      dischargedAt: null,
      location: { bed: '1' },
    });
    expect(reopened.locations.at(-1)).toMatchObject({ pointOfCare: 'W1', endedAt: null });
    // Newest first.
    const events = await api('GET', `/api/v1/events?entityId=${reopened.id}`);
    expect(
      events.data.map((e: { type: string; data: { cancelled?: string } }) => [
        e.type,
        e.data.cancelled ?? null,
      ]),
    ).toEqual([
      ['encounter.cancelled', 'discharge'],
      ['encounter.discharged', null],
      ['encounter.admitted', null],
    ]);
  });

  test('a location part that is not a code stays on the encounter and reaches events as null (no free text in events)', async () => {
    await send(
      adt({
        trigger: 'A01',
        controlId: 'L-1',
        mrn: 'MRN-700',
        visit: 'V-700',
        location: 'East Wing^402^Bed 03',
      }),
    );
    const encounter = await encounterOfVisit('V-700');
    expect(encounter.location).toMatchObject({
      pointOfCare: 'East Wing',
      room: '402',
      bed: 'Bed 03',
    });
    const events = await api('GET', `/api/v1/events?entityId=${encounter.id}`);
    const admitted = events.data.find((e: { type: string }) => e.type === 'encounter.admitted');
    expect(admitted.data.location).toMatchObject({ pointOfCare: null, room: '402', bed: 'Bed 03' });
  });

  test('a transfer or discharge of a visit not seen before opens it first; A08 corrects the patient', async () => {
    await send(
      adt({
        trigger: 'A02',
        controlId: 'O-1',
        mrn: 'MRN-300',
        visit: 'V-300',
        location: 'W2^5^C',
        priorLocation: 'ER^1^1',
      }),
    );
    const opened = await encounterOfVisit('V-300');
    expect(opened.locations.map((l: { pointOfCare: string }) => l.pointOfCare)).toEqual([
      'ER',
      'W2',
    ]);
    expect((await messageRow('O-1')).reason).toContain('unknown visit opened, then transferred');
    await send(
      adt({ trigger: 'A03', controlId: 'O-2', mrn: 'MRN-301', visit: 'V-301', location: 'W2^6^A' }),
    );
    expect((await encounterOfVisit('V-301')).status).toBe('finished');

    await send(
      adt({
        trigger: 'A08',
        controlId: 'O-3',
        mrn: 'MRN-300',
        visit: 'V-300',
        location: 'W2^5^C',
        family: 'Sharma-Iyer',
      }),
    );
    expect((await api('GET', `/api/v1/patients/${await patientOfMrn('MRN-300')}`)).familyName).toBe(
      'Sharma-Iyer',
    );
  });

  test('a partner-registered patient (externalRef = MRN) is linked, not duplicated', async () => {
    const patient = await api('POST', '/api/v1/patients', {
      givenName: 'Ravi',
      familyName: 'Kumar',
      externalRef: 'MRN-400',
    });
    await send(
      adt({ trigger: 'A01', controlId: 'E-1', mrn: 'MRN-400', visit: 'V-400', location: 'W3^1^1' }),
    );
    expect((await encounterOfVisit('V-400')).patientId).toBe(patient.id);
  });
});

describe('A40 merges', () => {
  test('the prior patient merges into the survivor: encounters move, both MRNs name the survivor', async () => {
    await send(
      adt({ trigger: 'A01', controlId: 'G-1', mrn: 'OLD-1', visit: 'V-500', location: 'W1^1^1' }),
    );
    await send(
      adt({ trigger: 'A01', controlId: 'G-2', mrn: 'NEW-1', visit: 'V-501', location: 'W1^2^1' }),
    );
    const prior = await patientOfMrn('OLD-1');
    const survivor = await patientOfMrn('NEW-1');
    expect(prior).not.toBe(survivor);

    await send(adt({ trigger: 'A40', controlId: 'G-3', mrn: 'NEW-1', mrg: 'OLD-1^^^CITYHOSP^MR' }));
    expect(await patientOfMrn('OLD-1')).toBe(survivor);
    const encounters = await api('GET', `/api/v1/encounters?patientId=${survivor}`);
    expect(encounters.data.map((e: { visitNumber: string }) => e.visitNumber).sort()).toEqual([
      'V-500',
      'V-501',
    ]);
    expect((await api('GET', `/api/v1/encounters?patientId=${prior}`)).data).toEqual([]);
    const merge = await running.server.database.db
      .selectFrom('hl7_patient_merges')
      .selectAll()
      .where('from_patient_id', '=', prior)
      .executeTakeFirstOrThrow();
    expect(merge.into_patient_id).toBe(survivor);
    // A later message under the old MRN lands on the survivor.
    await send(
      adt({ trigger: 'A02', controlId: 'G-4', mrn: 'OLD-1', visit: 'V-500', location: 'W9^9^9' }),
    );
    expect((await encounterOfVisit('V-500')).patientId).toBe(survivor);
  });

  test('a merge onto a new identifier keeps the patient; an unknown prior identifier joins the survivor', async () => {
    await send(
      adt({ trigger: 'A01', controlId: 'G-5', mrn: 'OLD-2', visit: 'V-502', location: 'W1^3^1' }),
    );
    const patient = await patientOfMrn('OLD-2');
    await send(adt({ trigger: 'A40', controlId: 'G-6', mrn: 'NEW-2', mrg: 'OLD-2^^^CITYHOSP^MR' }));
    expect(await patientOfMrn('NEW-2')).toBe(patient);
    await send(
      adt({ trigger: 'A40', controlId: 'G-7', mrn: 'NEW-2', mrg: 'GHOST-2^^^CITYHOSP^MR' }),
    );
    expect(await patientOfMrn('GHOST-2')).toBe(patient);
  });
});

describe('failures', () => {
  test('a message that cannot be applied fails with its reason, is shown on /ops, and can be retried', async () => {
    await send(
      adt({ trigger: 'A01', controlId: 'F-1', mrn: 'MRN-600', visit: 'V-600', location: 'W1^1^1' }),
    );
    await send(adt({ trigger: 'A03', controlId: 'F-2', mrn: 'MRN-600', visit: 'V-600' }));
    await send(
      adt({ trigger: 'A01', controlId: 'F-3', mrn: 'MRN-600', visit: 'V-600', location: 'W1^1^1' }),
    );
    const failed = await messageRow('F-3');
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.reason).toContain('is finished');
    const auth = { authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}` };
    const page = await (await fetch(`${running.server.url}/ops`, { headers: auth })).text();
    expect(page).toContain('HL7 messages that could not be applied');
    expect(page).toContain(failed.id);
    // Fix the cause (reopen the discharge), then retry from the page.
    await send(adt({ trigger: 'A13', controlId: 'F-4', mrn: 'MRN-600', visit: 'V-600' }));
    const retried = await fetch(`${running.server.url}/ops/hl7/messages/${failed.id}/retry`, {
      method: 'POST',
      headers: { ...auth, origin: running.server.url },
      redirect: 'manual',
    });
    expect(retried.status).toBe(303);
    await vi.waitFor(async () => expect((await messageRow('F-3')).status).toBe('processed'), {
      timeout: 15_000,
    });
  });
});

describe('the shared sample files', () => {
  test('go through the listener; a repeated MSH-10 is acknowledged and not applied again', async () => {
    const file = (name: string) =>
      readFileSync(new URL(name, fixtures)).toString('utf8').replaceAll('\n', '\r');
    await send(file('ADT-A01-01.hl7'));
    const patientId = await patientOfMrn('PATID1234', 'test1');
    expect(await patientOfMrn('123456789', 'USSSA')).toBe(patientId);
    const encounter = await running.server.database.db
      .selectFrom('encounters')
      .selectAll()
      .where('patient_id', '=', patientId)
      .executeTakeFirstOrThrow();
    expect(encounter).toMatchObject({
      status: 'in_progress',
      visit_number: '40007716',
      visit_authority: 'AccMng',
      class: 'preadmit',
      bed: 'Bed 03',
      hospital_service: 'SUR',
      attending_provider_code: '1122334',
    });
    expect(encounter.admitted_at?.toISOString()).toBe('2015-02-08T10:24:19.000Z');
    // The A03 sample repeats MSG00001: a repeat, acknowledged, never applied.
    const reply = parseMessage(await client.send(file('ADT-A03-01.hl7')));
    expect(valueAt(reply, 'MSA-1')).toBe('AA');
    const rows = await running.server.database.db
      .selectFrom('hl7_messages')
      .select('trigger_event')
      .where('sending_facility', '=', 'GHHSFacility')
      .execute();
    expect(rows.map((r) => r.trigger_event)).toEqual(['A01']);

    // The v2.3 sample (BOM, trailing spaces, facility "1" at +07:00).
    await send(
      readFileSync(new URL('ADT01-23.hl7', fixtures)).toString('utf8').replaceAll('\n', '\r'),
    );
    const duck = await api('GET', `/api/v1/patients/${await patientOfMrn('10006579', '1')}`);
    expect(duck).toMatchObject({
      givenName: 'DONALD',
      familyName: 'DUCK',
      birthDate: '1924-10-10',
    });
  });
});
