/**
 * The pricing, capacity, leads and settlement-lines imports over real HTTP
 * against a started server on 127.0.0.1: header aliases, cell rejects with
 * severity and masking, de-duplication within the file and against stored
 * rows, idempotent applies, and the catalogue they write read back through
 * `/api/v1/services` and `/api/v1/availability`.
 */
import type { ImportJob, Page, Service, Slot } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { keyRingOf } from '../crypto/keys.ts';
import { openLead } from '../leads/pii.ts';
import { importsFeature } from './feature.ts';

let running: TestServer;
let base: string;
let key: string;

beforeAll(async () => {
  running = await startTestServer({ tenantCount: 1, features: [importsFeature] });
  base = running.server.url;
  key = running.tenants[0]?.apiKey ?? '';
}, 90_000);
afterAll(() => running?.server.close());

async function importFile(body: Record<string, unknown>): Promise<ImportJob> {
  const res = await fetch(`${base}/api/v1/imports`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as ImportJob;
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const pricing = [
  'Code,Service Name,Clinic,CCY,Price,Duration',
  'CONS,Consultation,IST,TRY,1500.50,30',
  'CONS,Consultation,IST,EUR,45,30',
  'MRI,MRI scan,IST,EUR,12.345,',
  'XRAY,X-ray,ANK,JPY,4000,15',
].join('\r\n');

test('pricing: services and prices in minor units per clinic and currency; a re-apply changes nothing', async () => {
  const dry = await importFile({ kind: 'pricing', format: 'csv', content: pricing, dryRun: true });
  expect(dry).toMatchObject({ totalRows: 4, importedRows: 3, failedRows: 1 });
  expect(dry.errors).toEqual([
    expect.objectContaining({
      row: 4,
      column: 'price',
      value: '12.345',
      code: 'invalid_format',
      severity: 'error',
    }),
  ]);
  expect((await get<Page<Service>>('/api/v1/services?code=CONS')).data).toEqual([]);
  const applied = await importFile({ kind: 'pricing', format: 'csv', content: pricing });
  expect(applied.errors).toEqual(dry.errors);
  const [cons] = (await get<Page<Service>>('/api/v1/services?code=CONS')).data;
  expect(cons).toMatchObject({
    name: 'Consultation',
    durationMinutes: 30,
    prices: [
      { clinicRef: 'IST', price: { amount: 4500, currency: 'EUR' } },
      { clinicRef: 'IST', price: { amount: 150050, currency: 'TRY' } },
    ],
  });
  const [xray] = (await get<Page<Service>>('/api/v1/services?code=XRAY')).data;
  expect(xray?.prices).toEqual([{ clinicRef: 'ANK', price: { amount: 4000, currency: 'JPY' } }]);
  // The same content again: the first job, nothing applied twice.
  expect((await importFile({ kind: 'pricing', format: 'csv', content: pricing })).id).toBe(
    applied.id,
  );
  // A changed price in a new file updates the one price row.
  await importFile({
    kind: 'pricing',
    format: 'ndjson',
    content:
      '{"serviceCode":"CONS","serviceName":"Consultation","clinicRef":"IST","currency":"EUR","price":"50"}',
  });
  const [after] = (await get<Page<Service>>('/api/v1/services?code=CONS')).data;
  expect(after?.prices).toContainEqual({
    clinicRef: 'IST',
    price: { amount: 5000, currency: 'EUR' },
  });
  expect(after?.prices).toHaveLength(2);
});

test('capacity: practitioners and slots of priced services, searchable; unknown services rejected; past slots warned', async () => {
  await importFile({
    kind: 'pricing',
    format: 'csv',
    content: 'serviceCode,serviceName,clinicRef,currency,price\nDERM,Dermatology visit,IST,EUR,80',
  });
  const content = [
    'Doctor ID,Doctor Name,Specialty,Service Code,Clinic,Start,End,Places',
    'DR-1,Dr Ada Er,dermatology,DERM,IST,2027-02-01T09:00:00Z,2027-02-01T09:30:00Z,2',
    'DR-1,Dr Ada Er,dermatology,DERM,IST,2027-02-01T10:00:00Z,2027-02-01T10:30:00Z,1',
    'DR-2,Dr Can Er,,NOPE,IST,2027-02-01T09:00:00Z,2027-02-01T09:30:00Z,1',
    'DR-2,Dr Can Er,,DERM,IST,2027-02-01T11:00:00Z,2027-02-01T10:30:00Z,1',
    'DR-2,Dr Can Er,,DERM,IST,2020-02-01T11:00:00Z,2020-02-01T11:30:00Z,0',
    'DR-2,Dr Can Er,,DERM,IST,2020-02-01T11:00:00Z,2020-02-01T11:30:00Z,1',
  ].join('\n');
  const job = await importFile({ kind: 'capacity', format: 'csv', content });
  expect(job).toMatchObject({ totalRows: 6, importedRows: 3, failedRows: 3 });
  expect(job.errors.map((e) => [e.row, e.column, e.code, e.severity])).toEqual([
    [4, 'serviceCode', 'not_found', 'error'],
    [5, 'endsAt', 'invalid_value', undefined],
    [6, 'capacity', 'too_small', undefined],
    [7, 'startsAt', 'in_past', 'warning'],
  ]);
  const [derm] = (await get<Page<Service>>('/api/v1/services?code=DERM')).data;
  const slots = await get<Page<Slot>>(
    `/api/v1/availability?serviceId=${derm?.id}&from=2027-02-01T00:00:00Z&to=2027-02-02T00:00:00Z`,
  );
  expect(slots.data.map((s) => [s.startsAt, s.capacity, s.available])).toEqual([
    ['2027-02-01T09:00:00.000Z', 2, 2],
    ['2027-02-01T10:00:00.000Z', 1, 1],
  ]);
  const doctors = await get<Page<{ ref: string; specialty: string | null }>>(
    '/api/v1/practitioners?specialty=dermatology',
  );
  expect(doctors.data.map((d) => d.ref)).toEqual(['DR-1']);
});

test('leads: attributed, de-duplicated on E.164 phone and lower-cased email, within the file and against stored leads', async () => {
  const content = [
    'Full Name,Mobile,E-mail,UTM Source,Campaign,Agent',
    'Ada Er,+90 532 111 22 33,ada@example.com,agent,spring,AG-1',
    'Ada Again,0090 (532) 111-22-33,,campaign,spring,',
    'Can Er,,CAN@Example.com,campaign,spring,',
    'Can Twice,,can@example.com,campaign,spring,',
    'No Contact,,,agent,,AG-2',
    'Bad Phone,0532 111 22 33,,agent,,AG-2',
  ].join('\n');
  const job = await importFile({ kind: 'leads', format: 'csv', content });
  expect(job).toMatchObject({ totalRows: 6, importedRows: 2, failedRows: 4 });
  expect(job.errors).toEqual([
    expect.objectContaining({ row: 3, column: 'phone', value: '+***', code: 'duplicate' }),
    expect.objectContaining({ row: 5, column: 'email', value: 'c***', code: 'duplicate' }),
    expect.objectContaining({ row: 6, column: 'phone', code: 'invalid_value' }),
    expect.objectContaining({ row: 7, column: 'phone', value: '0***', code: 'invalid_format' }),
  ]);
  expect(JSON.stringify(job.errors)).not.toContain('example.com');
  // Stored encrypted: read through the opened record.
  const db = running.server.database.db;
  const rows = await db.selectFrom('leads').selectAll().orderBy('created_at').execute();
  const stored = rows.map((row) => {
    const { phone, email, source, campaign, agent_ref } = openLead(keyRingOf(db), row);
    return { phone, email, source, campaign, agent_ref };
  });
  expect(stored).toEqual(
    expect.arrayContaining([
      {
        phone: '+905321112233',
        email: 'ada@example.com',
        source: 'agent',
        campaign: 'spring',
        agent_ref: 'AG-1',
      },
      {
        phone: null,
        email: 'can@example.com',
        source: 'campaign',
        campaign: 'spring',
        agent_ref: null,
      },
    ]),
  );
  // Another file with a stored lead's email in another case: a duplicate of the stored row.
  const again = await importFile({
    kind: 'leads',
    format: 'ndjson',
    content: '{"email":"ADA@example.com","source":"web"}',
  });
  expect(again.errors).toEqual([
    expect.objectContaining({ row: 1, column: 'email', code: 'duplicate', value: 'a***' }),
  ]);
});

test('settlement lines: stored once per settlement and line, amounts and fees in minor units', async () => {
  const content = [
    'Payout ID,Transaction ID,Date,Type,Gross,Fee,Currency,Payment ID',
    'po_1,tx_1,2026-11-02,charge,120.00,3.50,EUR,pay_1',
    'po_1,tx_2,2026-11-02T10:00:00Z,refund,-20,0,EUR,pay_2',
    'po_1,tx_3,yesterday,charge,5,,EUR,',
    'po_1,tx_1,2026-11-02,charge,120.00,3.50,EUR,pay_1',
  ].join('\n');
  const job = await importFile({ kind: 'settlement_lines', format: 'csv', content });
  expect(job).toMatchObject({ totalRows: 4, importedRows: 2, failedRows: 2 });
  expect(job.errors.map((e) => [e.row, e.column, e.code])).toEqual([
    [4, 'occurredAt', 'invalid_union'],
    [5, 'lineRef', 'duplicate'],
  ]);
  const lines = await running.server.database.db
    .selectFrom('settlement_lines')
    .select(['line_ref', 'amount', 'fee', 'currency'])
    .orderBy('line_ref')
    .execute();
  expect(lines.map((l) => [l.line_ref, Number(l.amount), Number(l.fee), l.currency])).toEqual([
    ['tx_1', 12000, 350, 'EUR'],
    ['tx_2', -2000, 0, 'EUR'],
  ]);
});
