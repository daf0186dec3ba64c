/**
 * Background imports against a started server: a file over
 * IMPORT_BACKGROUND_BYTES is answered at once with a `pending` job that the
 * runner works batch by batch; progress is read through `imports.get` and
 * on `/ops`. A background dry run reports exactly what the apply does
 * (patients, and leads de-duplicated across batches); each applied batch
 * has one audit row; a queued leads import keeps the column mapping it was
 * sent with and seals every lead, refusing the ones stored before (encrypted
 * or in clear) alike in its dry run; a file over a limit is refused with its 4xx before it
 * is queued. The runner on its own: a limit hit mid-file (limits lowered
 * after queueing) fails the job with the committed batches counted, and
 * applying the same file again applies nothing; content stored in pieces is
 * read in order, and a job queued before pieces (its content in one column)
 * still runs.
 */
import { type ImportJob, newId } from '@clinicbridge/sdk/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { testKeyRing } from '../../test/helpers/pii-keys.ts';
import { consoleFeature } from '../console/feature.ts';
import { withKeyRing } from '../crypto/keys.ts';
import { createTenant } from '../tenants/service.ts';
import { importsConfig } from './config.ts';
import { importsFeature } from './feature.ts';
import { runImportJob } from './runner.ts';
import { getImportJob, importFile } from './service.ts';

let running: TestServer;
const OPS_PASSWORD = 'import-progress-password-1';

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    features: [importsFeature, consoleFeature()],
    env: {
      IMPORT_BACKGROUND_BYTES: '2048',
      IMPORT_BATCH_ROWS: '40',
      IMPORT_MAX_ROWS: '1000',
      WEBHOOK_POLL_INTERVAL: '50ms',
      OPS_USER: 'ops',
      OPS_PASSWORD,
    },
  });
}, 120_000);
afterAll(() => running?.server.close());

async function post(body: Record<string, unknown>): Promise<{ status: number; job: ImportJob }> {
  const res = await fetch(`${running.server.url}/api/v1/imports`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.tenants[0]?.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, job: (await res.json()) as ImportJob };
}

/** Polls the job until it ends, keeping the progress seen on the way. */
async function finished(id: string): Promise<{ job: ImportJob; seen: ImportJob[] }> {
  const seen: ImportJob[] = [];
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await fetch(`${running.server.url}/api/v1/imports/${id}`, {
      headers: { authorization: `Bearer ${running.tenants[0]?.apiKey}` },
    });
    const job = (await res.json()) as ImportJob;
    seen.push(job);
    if (job.status === 'completed' || job.status === 'failed') return { job, seen };
    if (Date.now() > deadline) throw new Error(`import ${id} still ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const patients = (prefix: string, rows: number) =>
  [
    'givenName,familyName,birthDate,externalRef',
    ...Array.from(
      { length: rows },
      (_, i) => `Bg${i},Fam${i % 7},${i % 11 === 3 ? '1980-02-30' : '1981-03-04'},${prefix}-${i}`,
    ),
  ].join('\n');

async function audits(id: string) {
  return running.server.database.db
    .selectFrom('audit_events')
    .select(['action', 'metadata'])
    .where('entity_id', '=', id)
    .orderBy('chain_seq')
    .execute();
}

describe('background imports', () => {
  test('a large apply is queued, runs batch by batch, and matches its dry run', async () => {
    const content = patients('BG', 300);
    const dry = await post({ kind: 'patients', format: 'csv', content, dryRun: true });
    expect(dry.status).toBe(202);
    expect(dry.job).toMatchObject({ status: 'pending', progress: { background: true } });
    const preview = (await finished(dry.job.id)).job;

    const queued = await post({ kind: 'patients', format: 'csv', content });
    expect(queued.job.status).toBe('pending');
    const { job: applied } = await finished(queued.job.id);
    expect(applied).toMatchObject({
      status: 'completed',
      totalRows: 300,
      progress: { rowsRead: 300, batches: 8, background: true },
      failure: null,
    });
    expect(applied.failedRows).toBe(
      Array.from({ length: 300 }).filter((_, i) => i % 11 === 3).length,
    );
    expect(preview.errors).toEqual(applied.errors);
    expect([preview.importedRows, preview.failedRows]).toEqual([
      applied.importedRows,
      applied.failedRows,
    ]);
    const stored = await running.server.database.db
      .selectFrom('patients')
      .select('id')
      .where('external_ref', 'like', 'BG-%')
      .execute();
    expect(stored).toHaveLength(applied.importedRows);

    // One audit row per batch (counts and row range, no cell values), one for the end.
    const trail = await audits(applied.id);
    const batches = trail.filter((a) => a.action === 'import.batch_applied');
    expect(batches).toHaveLength(8);
    expect(batches[0]?.metadata).toMatchObject({ batch: 1, firstRow: 2, lastRow: 41, rows: 40 });
    expect(JSON.stringify(trail)).not.toContain('Bg1');
    expect(trail.filter((a) => a.action === 'import.completed')).toHaveLength(1);
    // The dry run committed progress, never rows nor batch audits.
    expect((await audits(preview.id)).map((a) => a.action)).toEqual([
      'import.created',
      'import.completed',
    ]);

    const again = await post({ kind: 'patients', format: 'csv', content });
    expect(again.job.id).toBe(applied.id);

    const ops = await fetch(`${running.server.url}/ops`, {
      headers: { authorization: `Basic ${btoa(`ops:${OPS_PASSWORD}`)}` },
    });
    const page = await ops.text();
    expect(ops.status).toBe(200);
    expect(page).toContain(applied.id);
    expect(page).toContain('<h2>Imports');
  }, 240_000);

  test('leads repeated across batches are rejected alike in the dry run and the apply', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => {
      // Rows 120+ repeat the phone of a row two batches earlier.
      const n = i >= 120 && i % 2 === 0 ? i - 100 : i;
      return `Lead ${i},+90532${String(7_000_000 + n)},web,spring`;
    });
    const content = ['name,phone,source,campaign', ...rows].join('\n');
    const preview = (
      await finished((await post({ kind: 'leads', format: 'csv', content, dryRun: true })).job.id)
    ).job;
    const applied = (await finished((await post({ kind: 'leads', format: 'csv', content })).job.id))
      .job;
    expect(applied.status).toBe('completed');
    expect(applied.failedRows).toBe(40);
    expect(preview.errors).toEqual(applied.errors);
    expect(applied.errors[0]).toMatchObject({ row: 122, column: 'phone', code: 'duplicate' });
    const stored = await running.server.database.db
      .selectFrom('leads')
      .select('id')
      .where('campaign', '=', 'spring')
      .execute();
    expect(stored).toHaveLength(160);
  }, 240_000);

  test('a queued leads import reads its header with the mapping it was sent with, seals every lead, and matches its dry run on stored leads (encrypted and in clear)', async () => {
    const db = running.server.database.db;
    const tenantId = running.tenants[0]?.tenantId as string;
    // One lead stored in clear before encryption (no blind index): matched on its columns.
    await db
      .insertInto('leads')
      .values({
        id: newId('lea'),
        tenant_id: tenantId,
        name: 'Clear Lead',
        phone: '+905328000005',
        email: null,
        source: 'agent',
        campaign: 'autumn-old',
        agent_ref: null,
        country_code: null,
        notes: null,
        created_at: new Date('2026-01-02T00:00:00Z'),
        pii: null,
        pii_kid: null,
        phone_index: null,
        email_index: null,
      })
      .execute();
    // One lead stored encrypted by an earlier (small) import: matched on its blind index.
    const first = await post({
      kind: 'leads',
      format: 'csv',
      content: 'Nom complet,Portable,Canal\nSealed Lead,+905328000077,web\n',
      mapping: { 'Nom complet': 'name', Portable: 'phone', Canal: 'source' },
    });
    expect(first.job).toMatchObject({ status: 'completed', importedRows: 1 });

    const rows = Array.from(
      { length: 120 },
      (_, i) => `Autumn Lead ${i},+90532${String(8_000_000 + i)},web,autumn-queued`,
    );
    const content = ['Nom complet,Portable,Canal,campaign', ...rows].join('\n');
    const mapping = { 'Nom complet': 'name', Portable: 'phone', Canal: 'source' };
    const dry = await post({ kind: 'leads', format: 'csv', content, mapping, dryRun: true });
    expect(dry.job.status).toBe('pending');
    const preview = (await finished(dry.job.id)).job;
    const queued = await post({ kind: 'leads', format: 'csv', content, mapping });
    expect(queued.job.status).toBe('pending');
    const { job: applied } = await finished(queued.job.id);
    expect(applied).toMatchObject({ status: 'completed', totalRows: 120, failedRows: 2 });
    expect(applied.errors).toEqual([
      expect.objectContaining({ row: 7, column: 'phone', code: 'duplicate' }),
      expect.objectContaining({ row: 79, column: 'phone', code: 'duplicate' }),
    ]);
    expect(preview.errors).toEqual(applied.errors);
    expect([preview.importedRows, preview.failedRows]).toEqual([
      applied.importedRows,
      applied.failedRows,
    ]);

    const stored = await db
      .selectFrom('leads')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('campaign', '=', 'autumn-queued')
      .execute();
    expect(stored).toHaveLength(118);
    for (const row of stored) {
      expect(row).toMatchObject({ name: null, phone: null, email: null, pii_kid: 'test-1' });
      expect(row.phone_index).toEqual(expect.any(String));
      expect(JSON.stringify(row)).not.toContain('Autumn');
    }
  }, 240_000);

  test('a file over a limit is refused at once (4xx), before anything is queued', async () => {
    const before = await running.server.database.db
      .selectFrom('import_jobs')
      .select('id')
      .execute();
    const refused = await post({
      kind: 'patients',
      format: 'csv',
      content: patients('OVER', 1_050),
    });
    expect(refused.status).toBe(413);
    expect(refused.job).toMatchObject({ code: 'import_too_many_rows' });
    const after = await running.server.database.db.selectFrom('import_jobs').select('id').execute();
    expect(after).toHaveLength(before.length);
  }, 240_000);
});

/**
 * The runner's fixture: a database of its own with the keys, a tenant, a
 * system actor's change, limits for batches of 40 rows, and a job row as
 * the runner leases it.
 */
async function runnerFixture(clinic: string) {
  const database = withKeyRing(await openTestDatabase(), testKeyRing);
  const { db } = database;
  const { tenantId } = await createTenant(db, { name: clinic });
  const change = {
    tenantId,
    actor: { type: 'system' as const, id: 'test' },
    requestId: null,
    now: new Date(),
  };
  const limits = importsConfig.parse({ IMPORT_BACKGROUND_BYTES: '0', IMPORT_BATCH_ROWS: '40' });
  const lease = (id: string) =>
    db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { database, db, tenantId, change, limits, lease };
}

describe('the runner on its own', () => {
  test('patients batches overlap but commit in file order: a failed batch takes the one writing after it down too, and the retry resumes after the last commit', async () => {
    const { database, db, tenantId, change, limits, lease } = await runnerFixture('Overlap clinic');
    try {
      // The database refuses one row of the fourth batch (rows 122–161 of the file).
      await sql`
        create function refuse_boom() returns trigger language plpgsql as $$
        begin
          if new.external_ref = 'OVER-130' then raise exception 'refused for the test'; end if;
          return new;
        end $$`.execute(db);
      await sql`create trigger refuse_boom before insert on patients for each row execute function refuse_boom()`.execute(
        db,
      );
      const request = {
        kind: 'patients' as const,
        format: 'csv' as const,
        content: patients('OVER', 200),
      };
      const queued = await db
        .transaction()
        .execute((trx) => importFile(trx, change, request, limits));
      await expect(runImportJob(db, await lease(queued.id), limits)).rejects.toThrow(
        /refused for the test/,
      );
      const stored = async () =>
        (
          await db
            .selectFrom('patients')
            .select('external_ref')
            .where('external_ref', 'like', 'OVER-%')
            .execute()
        )
          .map((p) => Number(p.external_ref?.slice('OVER-'.length)))
          .sort((a, b) => a - b);
      // Three batches committed (file rows 2–121, data rows 0–119, less the refused birth dates); nothing after.
      const failedOf = (rows: number) =>
        Array.from({ length: rows }).filter((_, i) => i % 11 === 3).length;
      expect(await stored()).toHaveLength(120 - failedOf(120));
      expect(Math.max(...(await stored()))).toBe(119);
      expect(await lease(queued.id)).toMatchObject({
        status: 'processing',
        committed_through_row: 121,
        batches: 3,
      });

      await sql`drop trigger refuse_boom on patients`.execute(db);
      await runImportJob(db, await lease(queued.id), limits);
      expect(await getImportJob(db, tenantId, queued.id)).toMatchObject({
        status: 'completed',
        totalRows: 200,
        importedRows: 200 - failedOf(200),
        progress: { batches: 5 },
      });
      const all = await stored();
      expect(all).toHaveLength(200 - failedOf(200));
      expect(new Set(all).size).toBe(all.length);
      const ranges = (
        await db
          .selectFrom('audit_events')
          .select('metadata')
          .where('entity_id', '=', queued.id)
          .where('action', '=', 'import.batch_applied')
          .orderBy('chain_seq')
          .execute()
      ).map((a) => a.metadata as { firstRow: number; lastRow: number });
      expect(ranges.map((r) => [r.firstRow, r.lastRow])).toEqual([
        [2, 41],
        [42, 81],
        [82, 121],
        [122, 161],
        [162, 201],
      ]);
    } finally {
      await database.close();
    }
  }, 240_000);

  test('a limit hit mid-file (limits lowered after queueing) fails the job cleanly; committed rows stay counted, once', async () => {
    const { database, db, tenantId, change, limits, lease } = await runnerFixture('Runner clinic');
    try {
      const content = patients('LIMIT', 120);
      const request = { kind: 'patients' as const, format: 'csv' as const, content };
      const queued = await db
        .transaction()
        .execute((trx) => importFile(trx, change, request, limits));
      expect(queued.status).toBe('pending');
      await runImportJob(db, await lease(queued.id), { ...limits, IMPORT_MAX_ROWS: 100 });
      const job = await getImportJob(db, tenantId, queued.id);
      expect(job).toMatchObject({
        status: 'failed',
        totalRows: 80,
        progress: { rowsRead: 80, batches: 2 },
        failure: { code: 'import_too_many_rows' },
      });
      const count = async () =>
        (
          await db
            .selectFrom('patients')
            .select('id')
            .where('external_ref', 'like', 'LIMIT-%')
            .execute()
        ).length;
      expect(await count()).toBe(job.importedRows);
      // The failed job that committed rows holds the content: applying it again applies nothing.
      const again = await db
        .transaction()
        .execute((trx) => importFile(trx, change, request, limits));
      expect(again.id).toBe(job.id);
      expect(await count()).toBe(job.importedRows);
      const trail = await db
        .selectFrom('audit_events')
        .select('action')
        .where('entity_id', '=', job.id)
        .orderBy('chain_seq')
        .execute();
      expect(trail.map((a) => a.action)).toEqual([
        'import.created',
        'import.batch_applied',
        'import.batch_applied',
        'import.failed',
      ]);
      const stored = await db
        .selectFrom('import_job_files')
        .select('job_id')
        .where('job_id', '=', job.id)
        .execute();
      expect(stored).toEqual([]);
    } finally {
      await database.close();
    }
  }, 240_000);

  test('content stored in pieces is read in order, and a job queued before pieces (content in one column) still runs', async () => {
    const { database, db, tenantId, change, limits, lease } = await runnerFixture('Pieces clinic');
    try {
      const queue = async (content: string) => {
        const request = { kind: 'patients' as const, format: 'csv' as const, content };
        const job = await db
          .transaction()
          .execute((trx) => importFile(trx, change, request, limits));
        const stored = await db
          .selectFrom('import_job_file_pieces')
          .select(['seq', 'piece'])
          .where('job_id', '=', job.id)
          .execute();
        expect(stored).toEqual([{ seq: 0, piece: content }]);
        return job.id;
      };
      // Cut by hand mid-row and mid-cell, stored out of order.
      const cut = patients('PIECE', 90);
      const inPieces = await queue(cut);
      await db.deleteFrom('import_job_file_pieces').where('job_id', '=', inPieces).execute();
      const bounds = [0, 37, 1_203, cut.length];
      for (const seq of [2, 0, 1]) {
        await db
          .insertInto('import_job_file_pieces')
          .values({ job_id: inPieces, seq, piece: cut.slice(bounds[seq], bounds[seq + 1]) })
          .execute();
      }
      await db
        .updateTable('import_job_files')
        .set({ pieces: 3 })
        .where('job_id', '=', inPieces)
        .execute();
      // As migration 0436 leaves a job queued before it: the content in its column, no pieces.
      const whole = patients('WHOLE', 70);
      const inColumn = await queue(whole);
      await db.deleteFrom('import_job_file_pieces').where('job_id', '=', inColumn).execute();
      await db
        .updateTable('import_job_files')
        .set({ content: whole, pieces: 0 })
        .where('job_id', '=', inColumn)
        .execute();

      const failedOf = (rows: number) =>
        Array.from({ length: rows }).filter((_, i) => i % 11 === 3).length;
      for (const [id, rows, prefix] of [
        [inPieces, 90, 'PIECE'],
        [inColumn, 70, 'WHOLE'],
      ] as const) {
        await runImportJob(db, await lease(id), limits);
        expect(await getImportJob(db, tenantId, id)).toMatchObject({
          status: 'completed',
          totalRows: rows,
          failedRows: failedOf(rows),
          importedRows: rows - failedOf(rows),
        });
        const refs = await db
          .selectFrom('patients')
          .select('external_ref')
          .where('external_ref', 'like', `${prefix}-%`)
          .execute();
        expect(refs).toHaveLength(rows - failedOf(rows));
      }
      // The job's end drops its content, pieces included.
      expect(await db.selectFrom('import_job_file_pieces').select('job_id').execute()).toEqual([]);
      expect(await db.selectFrom('import_job_files').select('job_id').execute()).toEqual([]);
    } finally {
      await database.close();
    }
  }, 240_000);
});
