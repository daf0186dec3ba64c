/**
 * Report exports over real HTTP against a started server: daily revenue,
 * monthly profit and receivables aging checked against an independent
 * computation on generated invoices and payments; every format (CSV,
 * NDJSON, XLSX read back, PDF read with pdftotext) byte-identical when
 * generated twice; a closed period unchanged after a late payment.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFilesystemStorage } from '@clinicbridge/adapters/filesystem';
import { newId } from '@clinicbridge/sdk/contract';
import type { Resource } from '@medplum/fhirtypes';
import { XMLParser } from 'fast-xml-parser';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { fhirIssues } from '../../test/helpers/fhir-validation.ts';
import { encounterRow, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { storageFeature } from '../storage/feature.ts';
import { exportsFeature } from './feature.ts';
import { agingBucket } from './reports.ts';

interface Job {
  id: string;
  kind: string;
  format: string;
  rowCount: number;
  downloadUrl: string;
  sha256: string;
}

const DAY = 86_400_000;
const clock = new Date('2026-07-01T00:00:00.000Z');
let dir = '';
let running: TestServer;
let token = '';
let patientId = '';
const secret = randomBytes(32).toString('hex');

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return (below: number) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

interface Invoice {
  id: string;
  currency: string;
  subtotal: number;
  tax: number;
  total: number;
  dueDate: string | null;
  createdAt: Date;
}
interface Payment {
  id: string;
  invoiceId: string;
  currency: string;
  amount: number;
  receivedAt: Date;
}
interface Refund {
  currency: string;
  amount: number;
  createdAt: Date;
}
const invoices: Invoice[] = [];
const payments: Payment[] = [];
const refunds: Refund[] = [];

const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${running.server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });

async function exportOf(body: Record<string, unknown>): Promise<Job> {
  const res = await api('/api/v1/exports', { method: 'POST', body });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as Job;
}

async function download(job: Job): Promise<Uint8Array> {
  const res = await api(new URL(job.downloadUrl, 'http://x.invalid').pathname);
  expect(res.status).toBe(200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(job.sha256);
  return bytes;
}

const ndjson = (bytes: Uint8Array) =>
  new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Generated invoices, payments and refunds from January to mid-June 2026, inserted as stored rows. */
async function generateData() {
  const next = random(20261206);
  const { db } = running.server.database;
  const tenantId = running.tenants[0]?.tenantId ?? '';
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < 60; i += 1) {
    const currency = next(2) === 0 ? 'EUR' : 'INR';
    const subtotal = 1_000 + next(100_000);
    const tax = Math.floor(subtotal * 0.18);
    const createdAt = new Date(start + next(150) * DAY + next(DAY));
    const dueDate =
      next(4) === 0
        ? null
        : new Date(createdAt.getTime() + next(45) * DAY).toISOString().slice(0, 10);
    const invoice: Invoice = {
      id: newId('inv'),
      currency,
      subtotal,
      tax,
      total: subtotal + tax,
      dueDate,
      createdAt,
    };
    invoices.push(invoice);
    await db
      .insertInto('invoices')
      .values({
        id: invoice.id,
        tenant_id: tenantId,
        patient_id: patientId,
        visit_id: null,
        status: 'open',
        currency,
        lines: JSON.stringify([]),
        subtotal,
        tax,
        total: invoice.total,
        amount_paid: 0,
        amount_refunded: 0,
        due_date: dueDate,
        created_at: createdAt,
        updated_at: createdAt,
      })
      .execute();
    // Some invoices paid in full, some in part, some not at all; some payments after the period.
    const share = [0, 0.3, 0.5, 1][next(4)] ?? 0;
    if (share === 0) continue;
    const payment: Payment = {
      id: newId('pay'),
      invoiceId: invoice.id,
      currency,
      amount: Math.round(invoice.total * share),
      receivedAt: new Date(createdAt.getTime() + next(60) * DAY),
    };
    payments.push(payment);
    await db
      .insertInto('payments')
      .values({
        id: payment.id,
        tenant_id: tenantId,
        invoice_id: invoice.id,
        amount: payment.amount,
        currency,
        amount_refunded: 0,
        method: 'card',
        source: 'manual',
        external_ref: null,
        status: 'succeeded',
        received_at: payment.receivedAt,
        created_at: payment.receivedAt,
      })
      .execute();
    if (next(5) === 0) {
      const refund: Refund = {
        currency,
        amount: Math.floor(payment.amount / 4),
        createdAt: new Date(payment.receivedAt.getTime() + next(10) * DAY),
      };
      refunds.push(refund);
      await db
        .insertInto('refunds')
        .values({
          id: newId('ref'),
          tenant_id: tenantId,
          payment_id: payment.id,
          invoice_id: invoice.id,
          amount: refund.amount,
          currency,
          reason: 'goodwill',
          status: 'succeeded',
          created_at: refund.createdAt,
        })
        .execute();
    }
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-reports-'));
  running = await startTestServer({
    tenantCount: 1,
    features: [storageFeature, exportsFeature],
    env: { STORAGE_DIR: dir, STORAGE_SIGNING_SECRET: secret },
    now: () => clock,
  });
  token = running.tenants[0]?.apiKey ?? '';
  const patient = await api('/api/v1/patients', { method: 'POST', body: patientBody() });
  expect(patient.status).toBe(201);
  patientId = ((await patient.json()) as { id: string }).id;
  await generateData();
}, 120_000);

afterAll(async () => {
  await running?.server.close();
  await rm(dir, { recursive: true, force: true });
});

const asOf = new Date('2026-06-01T00:00:00.000Z');
const firstHalf = { from: '2026-01-01T00:00:00.000Z', to: asOf.toISOString() };
const may = { from: '2026-05-01T00:00:00.000Z', to: asOf.toISOString() };
const inRange = (d: Date, range: { from: string; to: string }) =>
  d.getTime() >= Date.parse(range.from) && d.getTime() < Date.parse(range.to);

/** Adds `amount` at `index` of the sums of `key`. */
function tally(
  map: Map<string, number[]>,
  key: string,
  width: number,
  index: number,
  amount: number,
) {
  const sums = map.get(key) ?? new Array<number>(width).fill(0);
  sums[index] = (sums[index] ?? 0) + amount;
  map.set(key, sums);
}

describe(`report exports over HTTP (${testDatabaseKind})`, () => {
  test('receivables aging: each currency bucketed by days past due at the end of the period', async () => {
    const expected = new Map<string, number[]>();
    for (const invoice of invoices) {
      if (invoice.createdAt >= asOf) continue;
      const paid = payments
        .filter((p) => p.invoiceId === invoice.id && p.receivedAt < asOf)
        .reduce((sum, p) => sum + p.amount, 0);
      const owed = invoice.total - paid;
      if (owed <= 0) continue;
      const due = invoice.dueDate ? new Date(`${invoice.dueDate}T00:00:00Z`) : invoice.createdAt;
      const days = Math.floor((asOf.getTime() - due.getTime()) / DAY);
      tally(expected, invoice.currency, 5, 0, 1);
      tally(expected, invoice.currency, 5, 1 + agingBucket(days), owed);
    }
    // The generated data reaches every bucket, so each boundary is exercised.
    for (const sums of expected.values()) {
      expect(sums.slice(1).filter((s) => s > 0).length).toBeGreaterThanOrEqual(3);
    }
    const job = await exportOf({ kind: 'receivables_aging', format: 'ndjson', ...firstHalf });
    const rows = ndjson(await download(job));
    expect(rows).toEqual(
      [...expected.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, [invoices = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0]]) => ({
          asOf: asOf.toISOString(),
          currency,
          invoices,
          days0to30: b0,
          days31to60: b1,
          days61to90: b2,
          days90plus: b3,
          total: b0 + b1 + b2 + b3,
        })),
    );
  });

  test('daily collected revenue: payments by day received, refunds by day made, per currency', async () => {
    const expected = new Map<string, number[]>();
    for (const p of payments.filter((x) => inRange(x.receivedAt, may))) {
      tally(expected, `${p.receivedAt.toISOString().slice(0, 10)} ${p.currency}`, 4, 0, 1);
      tally(expected, `${p.receivedAt.toISOString().slice(0, 10)} ${p.currency}`, 4, 1, p.amount);
    }
    for (const r of refunds.filter((x) => inRange(x.createdAt, may))) {
      tally(expected, `${r.createdAt.toISOString().slice(0, 10)} ${r.currency}`, 4, 2, 1);
      tally(expected, `${r.createdAt.toISOString().slice(0, 10)} ${r.currency}`, 4, 3, r.amount);
    }
    const job = await exportOf({ kind: 'revenue_daily', format: 'csv', ...may });
    const lines = new TextDecoder().decode(await download(job)).split('\r\n');
    expect(lines[0]).toBe('date,currency,payments,collected,refunds,refunded,net');
    expect(lines.slice(1, -1)).toEqual(
      [...expected.keys()].sort().map((key) => {
        const [date, currency] = key.split(' ');
        const [n = 0, collected = 0, m = 0, refunded = 0] = expected.get(key) ?? [];
        return `${date},${currency},${n},${collected},${m},${refunded},${collected - refunded}`;
      }),
    );
  });

  test('monthly profit summary, as XLSX read back: the same values as its NDJSON', async () => {
    const [xlsxJob, ndjsonJob] = [
      await exportOf({ kind: 'profit_monthly', format: 'xlsx', ...firstHalf }),
      await exportOf({ kind: 'profit_monthly', format: 'ndjson', ...firstHalf }),
    ];
    const rows = ndjson(await download(ndjsonJob));
    const january = invoices.filter((i) => i.createdAt.toISOString().startsWith('2026-01'));
    const januaryEur = rows.find((r) => r.month === '2026-01' && r.currency === 'EUR');
    const eur = january.filter((i) => i.currency === 'EUR');
    expect(januaryEur).toMatchObject({
      invoices: eur.length,
      invoicedNet: eur.reduce((s, i) => s + i.subtotal, 0),
      invoicedTax: eur.reduce((s, i) => s + i.tax, 0),
      invoiced: eur.reduce((s, i) => s + i.total, 0),
    });

    const files = unzipSync(await download(xlsxJob));
    type XmlCell = { '@_t'?: string; v?: number; is?: { t: { '#text': string } } };
    const sheet = new XMLParser({
      ignoreAttributes: false,
      parseTagValue: false,
      isArray: (name) => name === 'row' || name === 'c',
    }).parse(strFromU8(files['xl/worksheets/sheet1.xml'] ?? new Uint8Array())) as {
      worksheet: { sheetData: { row: { c: XmlCell[] }[] } };
    };
    const cells = sheet.worksheet.sheetData.row.map((row) =>
      row.c.map((c) => (c['@_t'] === 'inlineStr' ? c.is?.t['#text'] : Number(c.v))),
    );
    const header = cells[0] as string[];
    expect(header).toEqual([
      'month',
      'currency',
      'invoices',
      'invoicedNet',
      'invoicedTax',
      'invoiced',
      'collected',
      'refunded',
      'net',
    ]);
    expect(
      cells.slice(1).map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]]))),
    ).toEqual(rows);
  });

  test('every format, generated twice, is byte-identical with the same hash', async () => {
    for (const format of ['csv', 'ndjson', 'xlsx', 'pdf']) {
      // An open period is generated afresh each time it is asked for.
      const a = await exportOf({ kind: 'revenue_daily', format, from: may.from });
      const b = await exportOf({ kind: 'revenue_daily', format, from: may.from });
      expect(a.id).not.toBe(b.id);
      expect(b.sha256, format).toBe(a.sha256);
      expect(Buffer.from(await download(b)).equals(Buffer.from(await download(a)))).toBe(true);
    }
  });

  test('a closed period is unchanged after a late payment; the PDF text has its totals', async () => {
    const first = await exportOf({ kind: 'profit_monthly', format: 'pdf', ...may });
    const before = await download(first);
    const text = await pdfText(before);
    const inrCollected = payments
      .filter((p) => p.currency === 'INR' && inRange(p.receivedAt, may))
      .reduce((s, p) => s + p.amount, 0);
    expect(text).toContain('Monthly profit summary');
    expect(text).toContain(`collected ${rupees(inrCollected)}`);

    // A payment recorded now but received in May: a fresh computation would differ.
    const invoice = invoices.find((i) => i.currency === 'INR') as Invoice;
    const late = await api('/api/v1/payments', {
      method: 'POST',
      body: {
        invoiceId: invoice.id,
        amount: { amount: 777, currency: 'INR' },
        method: 'cash',
        source: 'manual',
        externalRef: 'Şişli kasa',
        receivedAt: '2026-05-20T10:00:00.000Z',
      },
    });
    expect(late.status, await late.clone().text()).toBe(201);
    const again = await exportOf({ kind: 'profit_monthly', format: 'pdf', ...may });
    expect(again.id).toBe(first.id);
    expect(Buffer.from(await download(again)).equals(Buffer.from(before))).toBe(true);
    const open = await exportOf({ kind: 'profit_monthly', format: 'pdf', from: may.from });
    expect(open.sha256).not.toBe(first.sha256);
    const inrSinceMay = payments
      .filter((p) => p.currency === 'INR' && p.receivedAt >= new Date(may.from))
      .reduce((s, p) => s + p.amount, 0);
    expect(await pdfText(await download(open))).toContain(`collected ${rupees(inrSinceMay + 777)}`);
    // Turkish letters and the rupee sign are set in the embedded font and read back as text.
    const listed = await exportOf({ kind: 'payments', format: 'pdf', from: clock.toISOString() });
    const listing = await pdfText(await download(listed));
    expect(listing).toContain('Şişli kasa');
    expect(listing).toContain(`amount ${rupees(777)}`);
  });
});

describe(`signed links to exports (${testDatabaseKind})`, () => {
  /** The link as this server serves it (the test server has no PUBLIC_URL). */
  const onServer = (url: string) => {
    const link = new URL(url);
    return `${running.server.url}${link.pathname}${link.search}`;
  };

  test('a link downloads the snapshot without credentials for 15 minutes; its issue is audited', async () => {
    const job = await exportOf({ kind: 'receivables_aging', format: 'xlsx', ...firstHalf });
    const bytes = await download(job);
    const res = await api(`/api/v1/exports/${job.id}/link`, { method: 'POST' });
    expect(res.status).toBe(200);
    const link = (await res.json()) as { url: string; expiresAt: string; sha256: string };
    expect(link.sha256).toBe(job.sha256);
    const lifetime = Date.parse(link.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(14 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(15 * 60_000);
    const fetched = await fetch(onServer(link.url));
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-disposition')).toBe(
      `attachment; filename="receivables_aging-${job.id}.xlsx"`,
    );
    expect(Buffer.from(await fetched.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);

    const audit = await running.server.database.db
      .selectFrom('audit_events')
      .select(['action', 'actor_type'])
      .where('entity_id', '=', job.id)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual([
      'export.created',
      'export.downloaded',
      'export.link_created',
    ]);
  });

  test('an altered, expired or unauthenticated link request is refused', async () => {
    const job = await exportOf({ kind: 'revenue_daily', format: 'csv', ...may });
    const unauthenticated = await fetch(`${running.server.url}/api/v1/exports/${job.id}/link`, {
      method: 'POST',
    });
    expect(unauthenticated.status).toBe(401);
    const res = await api(`/api/v1/exports/${job.id}/link`, { method: 'POST' });
    const link = new URL(onServer(((await res.json()) as { url: string }).url));
    link.searchParams.set('expires', String(Number(link.searchParams.get('expires')) + 3_600));
    const altered = await fetch(link);
    expect(altered.status).toBe(403);
    expect(((await altered.json()) as { code: string }).code).toBe('link_invalid');
    const key = decodeURIComponent(link.pathname.replace('/storage/objects/', ''));
    const past = createFilesystemStorage({
      root: dir,
      baseUrl: running.server.url,
      signingSecret: secret,
      now: () => new Date(Date.now() - 16 * 60_000),
    });
    const expired = await fetch(
      onServer((await past.presignGet(key, { expiresInSeconds: 900 })).url),
    );
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { code: string }).code).toBe('link_expired');
  });
});

describe(`FHIR bulk export over HTTP (${testDatabaseKind})`, () => {
  test('patients with encounters in the period, then the encounters, as valid FHIR R4 lines', async () => {
    const { db } = running.server.database;
    const tenantId = running.tenants[0]?.tenantId ?? '';
    const other = await api('/api/v1/patients', { method: 'POST', body: patientBody() });
    const otherId = ((await other.json()) as { id: string }).id;
    const at = new Date('2026-04-10T09:00:00.000Z');
    const encounterIds = [newId('enc'), newId('enc')];
    for (const [i, id] of encounterIds.entries()) {
      await db
        .insertInto('encounters')
        .values(
          encounterRow({
            id,
            tenant_id: tenantId,
            patient_id: patientId,
            status: i === 0 ? 'finished' : 'in_progress',
            class: 'inpatient',
            visit_number: `V-${i}`,
            point_of_care: 'Ward 3',
            room: '12',
            bed: 'A',
            attending_clinician_ref: 'dr-aydin',
            admitted_at: at,
            discharged_at: i === 0 ? new Date(at.getTime() + DAY) : null,
          }),
        )
        .execute();
    }
    const period = { from: '2026-04-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z' };
    const refused = await api('/api/v1/exports', {
      method: 'POST',
      body: { kind: 'fhir_bulk', format: 'csv', ...period },
    });
    expect(refused.status).toBe(400);
    const job = await exportOf({ kind: 'fhir_bulk', format: 'ndjson', ...period });
    const resources = ndjson(await download(job)) as unknown as Resource[];
    expect(job.rowCount).toBe(3);
    expect(resources.map((r) => r.resourceType)).toEqual(['Patient', 'Encounter', 'Encounter']);
    // Only the patient with clinical data in the period, and no names or contact details.
    const patient = resources[0] as Resource & { name?: unknown; telecom?: unknown };
    expect(patient.id).toBe(patientId.replace('_', '-'));
    expect(patient.id).not.toBe(otherId.replace('_', '-'));
    expect(patient.name).toBeUndefined();
    expect(patient.telecom).toBeUndefined();
    expect(resources.slice(1).map((r) => r.id)).toEqual(
      [...encounterIds].sort().map((id) => id.replace('_', '-')),
    );
    for (const resource of resources) expect(fhirIssues(resource)).toEqual([]);
  });
});

function rupees(minor: number): string {
  const whole = String(Math.floor(minor / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
  return `₹${whole}.${String(minor % 100).padStart(2, '0')}`;
}

async function pdfText(bytes: Uint8Array): Promise<string> {
  const file = join(dir, `${createHash('sha256').update(bytes).digest('hex')}.pdf`);
  await writeFile(file, bytes);
  const { stdout } = await promisify(execFile)('pdftotext', [file, '-'], {
    timeout: 30_000,
  });
  return stdout;
}
