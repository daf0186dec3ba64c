/**
 * Benchmark: a patients import on PostgreSQL — a generated 200,000-row CSV
 * and a 50,000-row XLSX — in rows per second, CPU time per row and peak RSS
 * growth of this (the importing) process, against a bare csv-parse stream
 * into batched multi-row INSERTs of the same columns into a plain table
 * (no keys, no encryption, no audit) in the same database, same run. The
 * XLSX case is compared with the bare load of the same rows as CSV.
 *
 * The import runs through the service (`importFile`, in one transaction as
 * the handler runs it): the configured limits cap an import over the API at
 * 100,000 rows and 5 MiB of content, so 200,000 rows cannot go over HTTP;
 * the bench passes its own limits to the service instead.
 * Peak RSS growth is sampled every 20 ms while each case runs, over the RSS
 * just before it (the generated file is already in memory).
 * Goal: ≥ 0.5 of the bare rate, peak RSS growth < 100 MB.
 * Run: `pnpm --filter @clinicbridge/reference-server bench:imports`
 * (BENCH_IMPORT_CSV_ROWS, BENCH_IMPORT_XLSX_ROWS to change the sizes).
 */
import { Readable } from 'node:stream';
import { newId } from '@clinicbridge/sdk/contract';
import { parse } from 'csv-parse';
import { type Kysely, sql } from 'kysely';
import { withKeyRing } from '../src/crypto/keys.ts';
import type { ImportsConfig } from '../src/imports/config.ts';
import { importFile } from '../src/imports/service.ts';
import { createTenant } from '../src/tenants/service.ts';
import { testKeyRing } from '../test/helpers/pii-keys.ts';
import { base64, writeXlsx } from '../test/helpers/xlsx.ts';
import { fmt, openBenchDatabase, postgresAnswers } from './delivery-lib.ts';

const CSV_ROWS = Number(process.env.BENCH_IMPORT_CSV_ROWS ?? 200_000);
const XLSX_ROWS = Number(process.env.BENCH_IMPORT_XLSX_ROWS ?? 50_000);
const RATIO_GOAL = 0.5;
const RSS_GOAL_MB = 100;
const BATCH = 1_000;

// Limits wide enough for the bench's files; the service checks them as it reads.
const limits: ImportsConfig = {
  IMPORT_MAX_BYTES: 200_000_000,
  IMPORT_MAX_ROWS: Math.max(CSV_ROWS, XLSX_ROWS),
  IMPORT_MAX_COLUMNS: 32,
  IMPORT_MAX_CELL_CHARS: 1_000,
  IMPORT_MAX_MILLISECONDS: 3_600_000,
  IMPORT_XLSX_MAX_ENTRIES: 256,
  IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES: 500_000_000,
};

const HEADER = ['givenName', 'familyName', 'birthDate', 'email', 'phone', 'externalRef'];

function patientRows(count: number, prefix: string): string[][] {
  return Array.from({ length: count }, (_, i) => [
    `Given${i}`,
    `Family${i % 997}`,
    `19${String(50 + (i % 50))}-0${1 + (i % 9)}-1${i % 10}`,
    `${prefix}${i}@example.test`,
    `+90532${String(i).padStart(7, '0')}`,
    `${prefix}-${i}`,
  ]);
}

const toCsv = (rows: readonly (readonly string[])[]) =>
  `${[HEADER, ...rows].map((cells) => cells.join(',')).join('\n')}\n`;

interface Result {
  rows: number;
  perSecond: number;
  cpuMicrosPerRow: number;
  peakRssGrowthMb: number;
}

/** Runs `work` (which returns its row count), timing it and sampling this process's RSS. */
async function measure(work: () => Promise<number>): Promise<Result> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const rows = await work();
  const seconds = (performance.now() - started) / 1_000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    rows,
    perSecond: rows / seconds,
    cpuMicrosPerRow: (used.user + used.system) / rows,
    peakRssGrowthMb: (peak - before) / 1_048_576,
  };
}

if (!(await postgresAnswers())) {
  console.log('Imports benchmark: PostgreSQL does not answer; set BENCH_DATABASE_URL. Skipped.');
  process.exit(0);
}

const database = withKeyRing(await openBenchDatabase('postgres'), testKeyRing);
const db = database.db;
const { tenantId } = await createTenant(db, { name: 'Bench clinic' });
await sql`create table bare_patients (
  id text not null, tenant_id text not null, given_name text not null, family_name text not null,
  birth_date text, email text, phone text, external_ref text, created_at timestamptz not null
)`.execute(db);
interface BareRow {
  id: string;
  tenant_id: string;
  given_name: string;
  family_name: string;
  birth_date: string | null;
  email: string | null;
  phone: string | null;
  external_ref: string | null;
  created_at: Date;
}
const bare = db as unknown as Kysely<{ bare_patients: BareRow }>;

/** The baseline: csv-parse streaming the content, 1,000-row INSERTs, one transaction. */
function bareLoad(content: string): Promise<number> {
  return bare.transaction().execute(async (trx) => {
    const chunks = function* () {
      for (let at = 0; at < content.length; at += 65_536) yield content.slice(at, at + 65_536);
    };
    const parser = Readable.from(chunks()).pipe(parse({ from_line: 2 }));
    const now = new Date();
    let batch: BareRow[] = [];
    let count = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await trx.insertInto('bare_patients').values(batch).execute();
      count += batch.length;
      batch = [];
    };
    for await (const cells of parser as AsyncIterable<string[]>) {
      const [given, family, birth, email, phone, ref] = cells;
      batch.push({
        id: newId('pat'),
        tenant_id: tenantId,
        given_name: given ?? '',
        family_name: family ?? '',
        birth_date: birth || null,
        email: email || null,
        phone: phone || null,
        external_ref: ref || null,
        created_at: now,
      });
      if (batch.length === BATCH) await flush();
    }
    await flush();
    return count;
  });
}

/** The real import: the service the API calls, in one transaction. */
function serviceImport(format: 'csv' | 'xlsx', content: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const job = await importFile(
      trx,
      { tenantId, actor: { type: 'system', id: 'bench' }, requestId: null, now: new Date() },
      { kind: 'patients', format, content },
      limits,
    );
    if (job.importedRows !== job.totalRows) {
      throw new Error(`import rejected ${job.failedRows} rows: ${JSON.stringify(job.errors[0])}`);
    }
    return job.importedRows;
  });
}

function line(name: string, r: Result, base?: Result) {
  const ratio = base ? r.perSecond / base.perSecond : undefined;
  const ratioCell =
    ratio === undefined
      ? 'baseline'
      : `${fmt(ratio * 100)}% (goal ≥ ${RATIO_GOAL * 100}%)${ratio >= RATIO_GOAL ? ' ok' : ' MISS'}`;
  const rssCell = `${fmt(r.peakRssGrowthMb)} MB${
    base ? (r.peakRssGrowthMb < RSS_GOAL_MB ? ' ok' : ' MISS') : ''
  }`;
  console.log(
    `| ${name} | ${fmt(r.rows)} | ${fmt(r.perSecond)} | ${fmt(r.cpuMicrosPerRow)} µs | ${rssCell} | ${ratioCell} |`,
  );
}

const csvContent = toCsv(patientRows(CSV_ROWS, 'c'));
const xlsxRows = patientRows(XLSX_ROWS, 'x');
const xlsxAsCsv = toCsv(xlsxRows);
const xlsxContent = base64(writeXlsx([HEADER, ...xlsxRows]));

// Warm-up: JIT, plans, the pool's connection.
await serviceImport('csv', toCsv(patientRows(500, 'w')));
await bareLoad(toCsv(patientRows(500, 'v')));

const bareCsv = await measure(() => bareLoad(csvContent));
const importCsv = await measure(() => serviceImport('csv', csvContent));
const bareXlsx = await measure(() => bareLoad(xlsxAsCsv));
const importXlsx = await measure(() => serviceImport('xlsx', xlsxContent));

console.log(
  `Patients import on PostgreSQL (CSV ${fmt(csvContent.length / 1_048_576, 1)} MB, XLSX ${fmt(xlsxContent.length / 1_048_576, 1)} MB base64):`,
);
console.log('| case | rows | rows/s | CPU/row | peak RSS growth | vs bare |');
console.log('|---|---|---|---|---|---|');
line('bare csv-parse → INSERT ×1000 (CSV rows)', bareCsv);
line('import CSV (service)', importCsv, bareCsv);
line('bare csv-parse → INSERT ×1000 (XLSX rows as CSV)', bareXlsx);
line('import XLSX (service)', importXlsx, bareXlsx);

await database.close();
