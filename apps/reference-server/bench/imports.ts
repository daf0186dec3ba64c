/**
 * Benchmark: a patients import on PostgreSQL — a generated 200,000-row CSV
 * and a 50,000-row XLSX — in rows per second, CPU time per row and peak RSS
 * growth of this (the importing) process, and CPU time per row of its
 * PostgreSQL backends (from /proc, by their application_name), against two
 * hand-written loads of the same rows in the same database, same run:
 *
 * - bare: a csv-parse stream into batched multi-row INSERTs of the same
 *   columns into a plain table (no keys, no encryption, no audit): the
 *   issue's baseline;
 * - same table: the same stream, each row's personal fields sealed by hand
 *   with node:crypto (AES-256-GCM under one random data key a batch, two
 *   HMAC-SHA256 blind indexes, as patient data must be at rest), into the
 *   `patients` table itself (its five indexes and its foreign key).
 *
 * The goal is against the bare load, as the issue sets it. Beside it, two
 * ratios to the same table's work: to the hand-written same-table load, and
 * to PostgreSQL alone inserting 200,000 generated rows of the same shape
 * server-side (one `INSERT … SELECT`, no client at all: the table's own
 * ceiling on one backend), which the parent measures after the cases, with
 * the same into a plain table for comparison. The XLSX import is compared
 * with the loads of its rows as CSV.
 *
 * The import runs through the service as the API runs a large file
 * (`importFile` queues it, the background runner writes it in 1,000-row
 * batches, one transaction, one audit row and one progress update each):
 * the configured limits cap an import over the API at 100,000 rows and
 * 5 MiB of content, so 200,000 rows cannot go over HTTP; the bench passes
 * its own limits to the service instead.
 * Each case runs in its own process (RSS a previous case grew would hide the
 * next one's growth); peak RSS growth is sampled every 20 ms while the case
 * runs, over the RSS just before it (its generated file already in memory).
 * Goal: ≥ 0.5 of the bare rate, peak RSS growth < 100 MB.
 * Run: `pnpm --filter @clinicbridge/reference-server bench:imports`
 * (BENCH_IMPORT_CSV_ROWS, BENCH_IMPORT_XLSX_ROWS to change the sizes).
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { newId } from '@clinicbridge/sdk/contract';
import { parse } from 'csv-parse';
import { type Insertable, type Kysely, sql } from 'kysely';
import { withKeyRing } from '../src/crypto/keys.ts';
import type { DB } from '../src/db/schema.ts';
import type { ImportsConfig } from '../src/imports/config.ts';
import { runImportJob } from '../src/imports/runner.ts';
import { getImportJob, importFile } from '../src/imports/service.ts';
import { createTenant } from '../src/tenants/service.ts';
import { testKeyRing } from '../test/helpers/pii-keys.ts';
import { base64, writeXlsx } from '../test/helpers/xlsx.ts';
import {
  backendCpuMicros,
  backendCpuSince,
  fmt,
  openBenchDatabase,
  postgresAnswers,
} from './delivery-lib.ts';

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
  IMPORT_BATCH_ROWS: BATCH,
  // Every file is queued and worked by the background runner, as the API does with large ones.
  IMPORT_BACKGROUND_BYTES: 0,
  IMPORT_JOB_LEASE_MILLISECONDS: 600_000,
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
  /** CPU of this case's PostgreSQL backends (from /proc), per row; 0 without /proc. */
  pgCpuMicrosPerRow: number;
  peakRssGrowthMb: number;
}

// This process's backends only: other benchmarks on the same server use other names.
const APPLICATION = `cb_bench_imports_${process.pid}`;

/** Runs `work` (which returns its row count), timing it and sampling this process's RSS. */
async function measure(work: () => Promise<number>): Promise<Result> {
  (globalThis as { gc?: () => void }).gc?.();
  const pgBefore = await backendCpuMicros(APPLICATION);
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
  const pgUsed = backendCpuSince(pgBefore, await backendCpuMicros(APPLICATION));
  return {
    rows,
    perSecond: rows / seconds,
    cpuMicrosPerRow: (used.user + used.system) / rows,
    pgCpuMicrosPerRow: pgUsed / rows,
    peakRssGrowthMb: (peak - before) / 1_048_576,
  };
}

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
type BareDb = Kysely<{ bare_patients: BareRow }>;

/** A fresh schema with the keys attached, one tenant and the bare table. */
async function openCase() {
  const database = withKeyRing(await openBenchDatabase('postgres', APPLICATION), testKeyRing);
  const { tenantId } = await createTenant(database.db, { name: 'Bench clinic' });
  await sql`create table bare_patients (
    id text not null, tenant_id text not null, given_name text not null, family_name text not null,
    birth_date text, email text, phone text, external_ref text, created_at timestamptz not null
  )`.execute(database.db);
  return { database, db: database.db, bare: database.db as unknown as BareDb, tenantId };
}

/** The baseline: csv-parse streaming the content, 1,000-row INSERTs, one transaction. */
function bareLoad(bare: BareDb, tenantId: string, content: string): Promise<number> {
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

/**
 * The same-table baseline: the bare load's stream, each row sealed by hand
 * (its personal fields as JSON under AES-256-GCM with a fresh nonce, one
 * random data key a batch, and HMAC-SHA256 blind indexes of the email and
 * phone), then 500-row INSERTs into `patients`, one transaction.
 */
function sameTableLoad(db: Kysely<DB>, tenantId: string, content: string): Promise<number> {
  const indexKey = randomBytes(32);
  const blind = (value: string) => createHmac('sha256', indexKey).update(value).digest('hex');
  return db.transaction().execute(async (trx) => {
    const chunks = function* () {
      for (let at = 0; at < content.length; at += 65_536) yield content.slice(at, at + 65_536);
    };
    const parser = Readable.from(chunks()).pipe(parse({ from_line: 2 }));
    const now = new Date();
    let dek = randomBytes(32);
    let batch: Insertable<DB['patients']>[] = [];
    let count = 0;
    const flush = async () => {
      for (let at = 0; at < batch.length; at += 500) {
        await trx
          .insertInto('patients')
          .values(batch.slice(at, at + 500))
          .execute();
      }
      count += batch.length;
      batch = [];
      dek = randomBytes(32);
    };
    for await (const cells of parser as AsyncIterable<string[]>) {
      const [givenName, familyName, birthDate, email, phone, ref] = cells;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dek, iv);
      const pii = JSON.stringify({ givenName, familyName, birthDate, email, phone });
      const body = Buffer.concat([
        iv,
        cipher.update(pii, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      batch.push({
        id: newId('pat'),
        tenant_id: tenantId,
        external_ref: ref || null,
        preferred_language: 'en',
        consent_messaging: false,
        consent_marketing: false,
        created_at: now,
        updated_at: now,
        pii: body.toString('base64url'),
        pii_kid: 'bench',
        email_index: email ? blind(email) : null,
        phone_index: phone ? blind(phone) : null,
      });
      if (batch.length === BATCH) await flush();
    }
    await flush();
    return count;
  });
}

/**
 * The real import as the API runs a large file: `importFile` queues it (the
 * content stored with a pending job, in the request's transaction), then the
 * background runner works it, one transaction per 1,000-row batch, with its
 * audit row and progress.
 */
async function serviceImport(
  db: Kysely<DB>,
  tenantId: string,
  format: 'csv' | 'xlsx',
  content: string,
): Promise<number> {
  const change = {
    tenantId,
    actor: { type: 'system', id: 'bench' },
    requestId: null,
    now: new Date(),
  } as const;
  const queued = await db
    .transaction()
    .execute((trx) => importFile(trx, change, { kind: 'patients', format, content }, limits));
  const leased = await db
    .selectFrom('import_jobs')
    .selectAll()
    .where('id', '=', queued.id)
    .executeTakeFirstOrThrow();
  await runImportJob(db, leased, limits);
  const job = await getImportJob(db, tenantId, queued.id);
  if (job.status !== 'completed' || job.importedRows !== job.totalRows) {
    throw new Error(`import ${job.status}: ${JSON.stringify(job.failure ?? job.errors[0])}`);
  }
  return job.importedRows;
}

/** One table row; with `base`, the goal's ratio, and beside it the ratio to the same table's loads. */
function line(
  name: string,
  r: Result,
  base?: Result,
  same?: { byHand: Result; databaseAlonePerSecond: number },
) {
  const ratio = base ? r.perSecond / base.perSecond : undefined;
  const ratioCell =
    ratio === undefined
      ? 'baseline'
      : `${fmt(ratio * 100)}% (goal ≥ ${RATIO_GOAL * 100}%)${ratio >= RATIO_GOAL ? ' ok' : ' MISS'}`;
  const percent = (of: number) => `${fmt((r.perSecond / of) * 100)}%`;
  const sameCells = same
    ? `${percent(same.byHand.perSecond)} | ${percent(same.databaseAlonePerSecond)}`
    : ' | ';
  const rssCell = `${fmt(r.peakRssGrowthMb)} MB${
    base ? (r.peakRssGrowthMb < RSS_GOAL_MB ? ' ok' : ' MISS') : ''
  }`;
  console.log(
    `| ${name} | ${fmt(r.rows)} | ${fmt(r.perSecond)} | ${fmt(r.cpuMicrosPerRow)} µs | ${fmt(r.pgCpuMicrosPerRow)} µs | ${rssCell} | ${ratioCell} | ${sameCells} |`,
  );
}

/**
 * PostgreSQL's own CPU a row (wall time of one backend, no client) for
 * `INSERT … SELECT` of `rows` generated rows shaped like sealed patients,
 * into `patients` and into a plain table with the same columns.
 */
async function serverSideInsertMicros(rows: number): Promise<{ patients: number; plain: number }> {
  const database = await openBenchDatabase('postgres', APPLICATION);
  try {
    const { db } = database;
    const { tenantId } = await createTenant(db, { name: 'Bench clinic' });
    await sql`create table plain_patients (like patients including defaults)`.execute(db);
    const time = async (table: 'patients' | 'plain_patients') => {
      const started = performance.now();
      await sql`
        insert into ${sql.table(table)} (id, tenant_id, external_ref, preferred_language,
          consent_messaging, consent_marketing, created_at, updated_at, pii, pii_kid,
          email_index, phone_index)
        select 'pat_' || md5(i::text), ${tenantId}, 'ref-' || i, 'en', false, false, now(), now(),
          repeat(md5(i::text), 9), 'bench', md5('e' || i), md5('p' || i)
        from generate_series(1, ${rows}) as i`.execute(db);
      return ((performance.now() - started) * 1_000) / rows;
    };
    return { patients: await time('patients'), plain: await time('plain_patients') };
  } finally {
    await database.close();
  }
}

const CASES = {
  'bare-csv': { rows: CSV_ROWS, format: 'csv', load: 'bare' },
  'same-table-csv': { rows: CSV_ROWS, format: 'csv', load: 'same-table' },
  'import-csv': { rows: CSV_ROWS, format: 'csv', load: 'import' },
  'bare-xlsx': { rows: XLSX_ROWS, format: 'xlsx', load: 'bare' },
  'same-table-xlsx': { rows: XLSX_ROWS, format: 'xlsx', load: 'same-table' },
  'import-xlsx': { rows: XLSX_ROWS, format: 'xlsx', load: 'import' },
} as const;
type CaseName = keyof typeof CASES;

/** One case in this process: its file generated, a warm-up, then the measured run. */
async function runCase(name: CaseName): Promise<Result & { contentMb: number }> {
  const spec = CASES[name];
  const { database, db, bare, tenantId } = await openCase();
  const rows = [HEADER, ...patientRows(spec.rows, 'p')];
  // The baselines read the same rows as CSV; the XLSX import reads them as a workbook.
  const workbook = spec.format === 'xlsx' && spec.load === 'import';
  const content = workbook ? base64(writeXlsx(rows)) : toCsv(rows.slice(1));
  rows.length = 0;
  const run = (text: string) =>
    spec.load === 'bare'
      ? bareLoad(bare, tenantId, text)
      : spec.load === 'same-table'
        ? sameTableLoad(db, tenantId, text)
        : serviceImport(db, tenantId, spec.format, text);
  // Warm-up: JIT, plans, the pool's connection.
  const warm = [HEADER, ...patientRows(500, 'w')];
  await run(workbook ? base64(writeXlsx(warm)) : toCsv(warm.slice(1)));
  const result = await measure(() => run(content));
  await database.close();
  return { ...result, contentMb: content.length / 1_048_576 };
}

const only = process.argv[2] as CaseName | undefined;
if (only) {
  // A child: print the result for the parent.
  console.log(JSON.stringify(await runCase(only)));
  process.exit(0);
}

if (!(await postgresAnswers())) {
  console.log('Imports benchmark: PostgreSQL does not answer; set BENCH_DATABASE_URL. Skipped.');
  process.exit(0);
}

// Each case in its own process: RSS a previous case grew would hide the next one's growth.
const results = {} as Record<CaseName, Result & { contentMb: number }>;
for (const name of Object.keys(CASES) as CaseName[]) {
  // One retry: opening a fresh schema can fail while other schemas of the database change.
  for (let attempt = 1; !results[name]; attempt++) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), name],
      { encoding: 'utf8', maxBuffer: 1_048_576, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (child.status === 0) {
      const last = child.stdout.trim().split('\n').at(-1) ?? '';
      results[name] = JSON.parse(last) as Result & { contentMb: number };
      console.log(`${name}: ${last}`);
    } else if (attempt >= 2) {
      throw new Error(`case ${name} failed (exit ${child.status})`);
    }
  }
}

console.log(
  `Patients import on PostgreSQL (CSV ${fmt(results['import-csv'].contentMb, 1)} MB, XLSX ${fmt(results['import-xlsx'].contentMb, 1)} MB base64), one process per case:`,
);
const server = await serverSideInsertMicros(CSV_ROWS);
const databaseAlonePerSecond = 1_000_000 / server.patients;
console.log(
  '| case | rows | rows/s | CPU/row (this process) | PostgreSQL CPU/row | peak RSS growth | vs bare | vs same table by hand | vs PostgreSQL alone, same table |',
);
console.log('|---|---:|---:|---:|---:|---|---|---:|---:|');
line('bare csv-parse → INSERT ×1000, plain table (CSV rows)', results['bare-csv']);
line('same table, by hand: csv-parse → seal → INSERT into patients', results['same-table-csv']);
line('import CSV (service)', results['import-csv'], results['bare-csv'], {
  byHand: results['same-table-csv'],
  databaseAlonePerSecond,
});
line('bare csv-parse → INSERT ×1000, plain table (XLSX rows as CSV)', results['bare-xlsx']);
line('same table, by hand (XLSX rows as CSV)', results['same-table-xlsx']);
line('import XLSX (service)', results['import-xlsx'], results['bare-xlsx'], {
  byHand: results['same-table-xlsx'],
  databaseAlonePerSecond,
});
console.log(
  `PostgreSQL alone, one INSERT … SELECT of ${fmt(CSV_ROWS)} generated rows (no client): ${fmt(server.patients, 1)} µs a row into patients (5 indexes, a foreign key; ${fmt(databaseAlonePerSecond)} rows/s), ${fmt(server.plain, 1)} µs into a plain table.`,
);
