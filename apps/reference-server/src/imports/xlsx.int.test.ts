/**
 * XLSX imports over real HTTP against a started server on 127.0.0.1: a
 * golden pricing workbook dry-run then applied, and the hostile battery —
 * a zip bomb, a billion-laughs sheet, a 1,048,577-row sheet and a file
 * with the wrong extension — each a 4xx problem with nothing applied, with
 * the process's peak RSS growth while importing sampled and kept under 100 MB.
 */
import type { ImportJob, Page, Service } from '@clinicbridge/sdk/contract';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { base64, writeXlsx } from '../../test/helpers/xlsx.ts';
import { importsFeature } from './feature.ts';

let running: TestServer;
let base: string;
let key: string;

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    // Room for the 1,048,577-row sheet (2.4 MB zipped) to reach the row limit.
    env: { BODY_LIMIT_BYTES: '8000000', IMPORT_MAX_BYTES: '5000000' },
    features: [importsFeature],
  });
  base = running.server.url;
  key = running.tenants[0]?.apiKey ?? '';
}, 90_000);
afterAll(() => running?.server.close());

async function post(
  body: Record<string, unknown>,
): Promise<{ status: number; type: string; body: ImportJob & { code?: string; detail?: string } }> {
  const res = await fetch(`${base}/api/v1/imports`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: (await res.json()) as ImportJob & { code?: string },
  };
}

/** Peak RSS growth (bytes) over a baseline while `work` runs, sampled every 5 ms. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - baseline };
  } finally {
    clearInterval(sampler);
  }
}

async function catalogueRows(): Promise<number> {
  const db = running.server.database.db;
  const services = await db
    .selectFrom('services')
    .select(db.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const appliedJobs = await db
    .selectFrom('import_jobs')
    .select(db.fn.countAll<string>().as('n'))
    .where('dry_run', '=', false)
    .executeTakeFirstOrThrow();
  return Number(services.n) + Number(appliedJobs.n);
}

test('a pricing workbook: dry run, then apply, read back as services with prices', async () => {
  const content = base64(
    writeXlsx([
      ['Service Code', 'Service Name', 'Clinic', 'Currency', 'Price', 'Duration'],
      ['XCONS', 'Consultation', 'IST', 'TRY', '1500.5', '30'],
      ['XMRI', 'MRI scan', 'IST', 'EUR', '12.345'],
    ]),
  );
  const body = { kind: 'pricing', format: 'xlsx', content, fileName: 'prices.xlsx' };
  const dry = await post({ ...body, dryRun: true });
  expect(dry.status).toBe(202);
  expect(dry.body).toMatchObject({ format: 'xlsx', totalRows: 2, importedRows: 1, failedRows: 1 });
  expect(dry.body.errors).toEqual([
    expect.objectContaining({ row: 3, column: 'price', value: '12.345', code: 'invalid_format' }),
  ]);
  const applied = await post(body);
  expect(applied.body.errors).toEqual(dry.body.errors);
  const res = await fetch(`${base}/api/v1/services?code=XCONS`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const page = (await res.json()) as Page<Service>;
  expect(page.data[0]).toMatchObject({
    durationMinutes: 30,
    prices: [{ clinicRef: 'IST', price: { amount: 150050, currency: 'TRY' } }],
  });
});

const hostile: [string, () => Record<string, unknown>, number, string][] = [
  [
    'a zip bomb (40 MB of zeros in 40 KB)',
    () => ({
      kind: 'pricing',
      format: 'xlsx',
      content: base64(zipSync({ 'xl/worksheets/sheet1.xml': new Uint8Array(40_000_000) })),
    }),
    422,
    'import_unreadable',
  ],
  [
    'a billion-laughs sheet',
    () => {
      const entities = [
        '<!ENTITY l0 "lol">',
        ...Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`),
      ];
      const xml = `<?xml version="1.0"?><!DOCTYPE w [${entities.join('')}]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>`;
      return {
        kind: 'pricing',
        format: 'xlsx',
        content: base64(zipSync({ 'xl/worksheets/sheet1.xml': strToU8(xml) })),
      };
    },
    422,
    'import_unreadable',
  ],
  [
    'a 1,048,577-row sheet',
    () => {
      const rows: string[] = [];
      for (let i = 1; i <= 1_048_577; i++) rows.push(`<row><c><v>${i}</v></c></row>`);
      const xml = `<worksheet><sheetData><row>${['serviceCode', 'serviceName', 'clinicRef', 'currency', 'price'].map((h) => `<c t="inlineStr"><is><t>${h}</t></is></c>`).join('')}</row>${rows.join('')}</sheetData></worksheet>`;
      return {
        kind: 'pricing',
        format: 'xlsx',
        content: base64(zipSync({ 'xl/worksheets/sheet1.xml': [strToU8(xml), { level: 6 }] })),
      };
    },
    413,
    'import_too_many_rows',
  ],
  [
    'a file with the wrong extension',
    () => ({
      kind: 'pricing',
      format: 'csv',
      fileName: 'prices.xlsx',
      content: 'serviceCode,serviceName,clinicRef,currency,price\nA,B,C,EUR,1\n',
    }),
    415,
    'import_wrong_type',
  ],
  [
    'CSV text sent as xlsx',
    () => ({
      kind: 'pricing',
      format: 'xlsx',
      content: 'serviceCode,serviceName,clinicRef,currency,price\nA,B,C,EUR,1\n',
    }),
    415,
    'import_wrong_type',
  ],
];

for (const [name, build, status, code] of hostile) {
  test(`${name}: ${status} ${code}, nothing applied, peak RSS growth under 100 MB`, async () => {
    const body = build();
    const before = await catalogueRows();
    const { result, growth } = await peakRssGrowth(() => post(body));
    expect(result.status).toBe(status);
    expect(result.type).toContain('application/problem+json');
    expect(result.body.code).toBe(code);
    expect(await catalogueRows()).toBe(before);
    expect(growth).toBeLessThan(100 * 1024 * 1024);
    console.info(
      `xlsx hostile "${name}": ${status} ${code}, peak RSS growth ${(growth / 1024 / 1024).toFixed(1)} MB`,
    );
  }, 120_000);
}
