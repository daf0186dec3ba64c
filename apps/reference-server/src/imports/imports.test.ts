/**
 * Imports over the API: golden files per kind (good, mixed, all-bad) with
 * their exact reject lists, dry run against apply (and a property over
 * generated files), idempotent re-apply, the audit row, and the hostile
 * inputs, each a 4xx problem that leaves nothing applied.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { loadConfig } from '../config/index.ts';
import { openPatientIn } from '../patients/pii.ts';
import { importsConfig } from './config.ts';
import { importsFeature } from './feature.ts';

interface Job {
  id: string;
  status: string;
  dryRun: boolean;
  sha256: string;
  totalRows: number;
  importedRows: number;
  failedRows: number;
  errors: {
    row: number;
    column?: string | null;
    value?: string | null;
    message: string;
    code?: string;
  }[];
}

let t: TestApp;
let token: string;
let patientId: string;

const limits = {
  IMPORT_MAX_BYTES: '4096',
  IMPORT_MAX_ROWS: '50',
  IMPORT_MAX_COLUMNS: '12',
  IMPORT_MAX_CELL_CHARS: '100',
};

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imports-'));
  t = await startTestApp({
    tenantCount: 2,
    deps: {
      config: loadConfig({ LOG_LEVEL: 'silent', STORAGE_DIR: dir, ...limits }, [importsConfig]),
      features: [importsFeature],
    },
  });
  token = t.tenants[0]?.apiKey ?? '';
  const res = await call(t.app, 'POST', '/api/v1/patients', {
    token,
    body: { givenName: 'Ayşe', familyName: 'Ak' },
  });
  patientId = (await json<{ id: string }>(res)).id;
}, 60_000);
afterAll(() => t?.close());

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8').replaceAll(
    '{{patientId}}',
    patientId,
  );

async function importContent(body: Record<string, unknown>, key?: string): Promise<Response> {
  return call(t.app, 'POST', '/api/v1/imports', {
    token,
    body,
    ...(key ? { idempotencyKey: key } : {}),
  });
}

async function run(kind: string, content: string, dryRun: boolean, format = 'csv'): Promise<Job> {
  const res = await importContent({ kind, format, content, dryRun });
  expect(res.status, await res.clone().text()).toBe(202);
  return json<Job>(res);
}

async function count(table: 'patients' | 'appointments' | 'import_jobs'): Promise<number> {
  const row = await t.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const strip = (job: Job) =>
  job.errors.map(({ row, column, value, code }) => ({ row, column, value, code }));

describe('golden files', () => {
  test('patients, good: every row kept, header aliases mapped', async () => {
    const job = await run('patients', fixture('patients-good.csv'), false);
    expect(job).toMatchObject({
      status: 'completed',
      totalRows: 3,
      importedRows: 3,
      failedRows: 0,
      errors: [],
    });
    const stored = await t.database.db
      .selectFrom('patients')
      .selectAll()
      .where('external_ref', 'like', 'GOLD-%')
      .orderBy('external_ref')
      .execute();
    const rows = stored
      .map((row) => openPatientIn(t.database.db, row))
      .map(({ given_name, family_name, phone, consent_messaging }) => ({
        given_name,
        family_name,
        phone,
        consent_messaging,
      }));
    expect(rows).toEqual([
      { given_name: 'Ada', family_name: 'Yılmaz', phone: '+905321234567', consent_messaging: true },
      { given_name: 'Can', family_name: 'Demir', phone: '+905329876543', consent_messaging: false },
      { given_name: 'Şule, Nur', family_name: 'Kaya', phone: null, consent_messaging: false },
    ]);
  });

  test('patients, mixed: exact rejects, personal values masked', async () => {
    const job = await run('patients', fixture('patients-mixed.csv'), false);
    expect(job).toMatchObject({ totalRows: 6, importedRows: 2, failedRows: 4 });
    expect(strip(job)).toEqual(EXPECTED.patientsMixed);
  });

  test('patients, all bad: nothing kept, every row rejected', async () => {
    const before = await count('patients');
    const job = await run('patients', fixture('patients-all-bad.csv'), false);
    expect(job).toMatchObject({ totalRows: 3, importedRows: 0, failedRows: 3 });
    expect(strip(job)).toEqual(EXPECTED.patientsAllBad);
    expect(await count('patients')).toBe(before);
  });

  test('appointments, good, mixed and all bad', async () => {
    const good = await run('appointments', fixture('appointments-good.csv'), false);
    expect(good).toMatchObject({ totalRows: 2, importedRows: 2, failedRows: 0 });
    const mixed = await run('appointments', fixture('appointments-mixed.csv'), false);
    expect(mixed).toMatchObject({ totalRows: 4, importedRows: 1, failedRows: 3 });
    expect(strip(mixed)).toEqual(EXPECTED.appointmentsMixed);
    const bad = await run('appointments', fixture('appointments-all-bad.csv'), false);
    expect(bad).toMatchObject({ totalRows: 2, importedRows: 0, failedRows: 2 });
    expect(strip(bad)).toEqual(EXPECTED.appointmentsAllBad(patientId));
  });

  test('NDJSON goes through the same pipeline', async () => {
    const content = [
      JSON.stringify({ givenName: 'Nil', familyName: 'Su', externalRef: 'ND-1' }),
      JSON.stringify({ givenName: 'Oya', familyName: 'Su', email: 'bad' }),
      'not json',
    ].join('\n');
    const job = await run('patients', content, false, 'ndjson');
    expect(job).toMatchObject({ totalRows: 3, importedRows: 1, failedRows: 2 });
    expect(strip(job)).toEqual([
      { row: 2, column: 'email', value: 'b***', code: 'invalid_format' },
      { row: 3, column: null, value: null, code: 'malformed_row' },
    ]);
  });
});

describe('dry run and apply', () => {
  test('a dry run reports what the apply does, and keeps nothing but its job', async () => {
    const content = fixture('patients-mixed.csv').replaceAll('MIX-', 'DRY-');
    const before = await count('patients');
    const preview = await run('patients', content, true);
    expect(await count('patients')).toBe(before);
    const applied = await run('patients', content, false);
    expect(preview.dryRun).toBe(true);
    expect(applied.dryRun).toBe(false);
    expect(preview.errors).toEqual(applied.errors);
    expect([preview.totalRows, preview.importedRows, preview.failedRows]).toEqual([
      applied.totalRows,
      applied.importedRows,
      applied.failedRows,
    ]);
    expect(await count('patients')).toBe(before + applied.importedRows);
  });

  test('property: dry run and apply give the same rejects on generated files', async () => {
    const cell = fc.oneof(
      fc.constantFrom(
        '',
        'Ada',
        'Er',
        '1980-02-29',
        '1980-02-30',
        'x@example.com',
        'x@',
        'yes',
        'maybe',
      ),
      fc.string({ maxLength: 8 }),
    );
    const file = fc.array(fc.tuple(cell, cell, cell, cell, cell), { minLength: 1, maxLength: 8 });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(file, async (rows) => {
        n += 1;
        const lines = rows.map((cells) =>
          [...cells, `P-${n}`].map((c) => `"${c.replaceAll('"', '""')}"`).join(','),
        );
        const content = [
          'givenName,familyName,birthDate,email,consentMarketing,externalRef',
          ...lines,
        ].join('\n');
        const preview = await run('patients', content, true);
        const applied = await run('patients', content, false);
        expect(preview.errors).toEqual(applied.errors);
        expect(preview.importedRows).toBe(applied.importedRows);
        expect(preview.failedRows).toBe(applied.failedRows);
      }),
      { numRuns: 25 },
    );
  });

  test('applying the same content twice applies it once; the audit rows have counts only', async () => {
    const content = 'givenName,familyName,externalRef\nTwice,Once,TWICE-1\n';
    const first = await run('patients', content, false);
    const second = await run('patients', content, false);
    expect(second.id).toBe(first.id);
    const kept = await t.database.db
      .selectFrom('patients')
      .select('id')
      .where('external_ref', '=', 'TWICE-1')
      .execute();
    expect(kept).toHaveLength(1);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', first.id)
      .orderBy('chain_seq')
      .execute();
    // One row for the batch (its range and counts), one for the job.
    expect(audit.map((a) => a.action)).toEqual(['import.batch_applied', 'import.created']);
    expect(audit[0]?.metadata).toEqual({
      batch: 1,
      firstRow: 2,
      lastRow: 2,
      rows: 1,
      acceptedRows: 1,
      rejectedRows: 0,
    });
    expect(audit[1]).toMatchObject({ action: 'import.created', entity_type: 'import' });
    expect(audit[1]?.metadata).toMatchObject({
      totalRows: 1,
      importedRows: 1,
      failedRows: 0,
      dryRun: false,
    });
    expect(JSON.stringify(audit)).not.toContain('Twice');
  });

  test('the same Idempotency-Key replays the stored job', async () => {
    const body = { kind: 'patients', format: 'csv', content: 'givenName,familyName\nKey,Replay\n' };
    const first = await json<Job>(await importContent(body, 'import-key-1'));
    const replay = await importContent(body, 'import-key-1');
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    expect((await json<Job>(replay)).id).toBe(first.id);
  });

  test('jobs are read back, listed, and private to their tenant', async () => {
    const job = await run('patients', 'givenName,familyName\nGet,Me\n', true);
    const got = await json<Job>(await call(t.app, 'GET', `/api/v1/imports/${job.id}`, { token }));
    expect(got).toEqual(job);
    const list = await json<{ data: Job[] }>(
      await call(t.app, 'GET', '/api/v1/imports?limit=100', { token }),
    );
    expect(list.data.map((j) => j.id)).toContain(job.id);
    const other = await call(t.app, 'GET', `/api/v1/imports/${job.id}`, {
      token: t.tenants[1]?.apiKey,
    });
    expect(other.status).toBe(404);
  });
});

describe('hostile inputs: a 4xx problem, nothing applied', () => {
  const wide = Array.from({ length: 13 }, (_, i) => `c${i}`).join(',');
  const cases: [string, () => Record<string, unknown>, number, string][] = [
    [
      'over the byte limit',
      () => ({
        kind: 'patients',
        format: 'csv',
        content: `givenName,familyName\n${`${'a'.repeat(90)},${'b'.repeat(90)}\n`.repeat(30)}`,
      }),
      413,
      'import_too_large',
    ],
    [
      'too many rows',
      () => ({
        kind: 'patients',
        format: 'csv',
        content: `givenName,familyName\n${'Ada,Er\n'.repeat(51)}`,
      }),
      413,
      'import_too_many_rows',
    ],
    [
      'too many columns',
      () => ({ kind: 'patients', format: 'csv', content: `${wide}\n` }),
      422,
      'import_too_many_columns',
    ],
    [
      'an overlong cell',
      () => ({
        kind: 'patients',
        format: 'csv',
        content: `givenName,familyName\nAda,${'x'.repeat(101)}\n`,
      }),
      422,
      'import_cell_too_long',
    ],
    [
      'an unterminated quote',
      () => ({
        kind: 'patients',
        format: 'csv',
        content: `givenName,familyName\nAda,"Er\n${'Can,Er\n'.repeat(40)}`,
      }),
      422,
      'import_unreadable',
    ],
    [
      // The zip magic alone: with the NUL bytes a real header has, request validation refuses it first (400 nul_character).
      'an XLSX sent as CSV',
      () => ({
        kind: 'patients',
        format: 'csv',
        content: 'PK\u0003\u0004\u0014\u0006',
      }),
      422,
      'import_unreadable',
    ],
    [
      'an unknown column',
      () => ({
        kind: 'patients',
        format: 'csv',
        content: 'givenName,familyName,ssn\nAda,Er,123\n',
      }),
      422,
      'import_unreadable',
    ],
    [
      'a missing required column',
      () => ({ kind: 'patients', format: 'csv', content: 'givenName\nAda\n' }),
      422,
      'import_unreadable',
    ],
  ];
  test.each(cases)('%s', async (_name, body, status, code) => {
    const before = [await count('patients'), await count('import_jobs')];
    const res = await importContent(body());
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await json(res)).toMatchObject({ code, status });
    expect([await count('patients'), await count('import_jobs')]).toEqual(before);
  });

  test('a limit hit after valid rows rolls those rows back too', async () => {
    const content = `givenName,familyName,externalRef\n${'Ada,Er,LATE\n'.repeat(10)}Can,${'x'.repeat(101)},LATE\n`;
    const res = await importContent({ kind: 'patients', format: 'csv', content });
    expect(res.status).toBe(422);
    const kept = await t.database.db
      .selectFrom('patients')
      .select('id')
      .where('external_ref', '=', 'LATE')
      .execute();
    expect(kept).toEqual([]);
  });

  test('wrong content type: CSV sent raw is refused with 415', async () => {
    const before = await count('patients');
    const res = await call(t.app, 'POST', '/api/v1/imports', {
      token,
      rawBody: 'givenName,familyName\nAda,Er\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(415);
    expect(await json(res)).toMatchObject({ code: 'unsupported_media_type' });
    expect(await count('patients')).toBe(before);
  });

  test('over-limit bytes streamed without Content-Length stop at the body limit', async () => {
    const before = await count('import_jobs');
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 64) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await t.app.request('/api/v1/imports', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': 'stream-1',
      },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await json(res)).toMatchObject({ code: 'body_too_large' });
    expect(sent).toBeLessThan(64);
    expect(await count('import_jobs')).toBe(before);
  });

  test('the time limit is checked while reading (injected clock)', async () => {
    const { readRecords } = await import('./read.ts');
    let now = 0;
    const clock = () => (now += 400);
    const read = async () => {
      for await (const _ of readRecords(
        'csv',
        'a,b\n1,2\n3,4\n5,6\n',
        importsConfig.parse({ IMPORT_MAX_MILLISECONDS: '1000' }),
        clock,
      ));
    };
    await expect(read()).rejects.toMatchObject({ code: 'import_too_slow', status: 422 });
  });
});

/** The exact rejects of the golden files (rows count the header as row 1). */
const EXPECTED = {
  patientsMixed: [
    { row: 3, column: 'birthDate', value: '1***', code: 'invalid_format' },
    { row: 4, column: 'consentMarketing', value: 'maybe', code: 'invalid_type' },
    { row: 4, column: 'email', value: 'n***', code: 'invalid_format' },
    { row: 5, column: 'givenName', value: '', code: 'required' },
    { row: 6, column: null, value: null, code: 'malformed_row' },
  ],
  patientsAllBad: [
    { row: 2, column: 'givenName', value: '', code: 'required' },
    { row: 2, column: 'familyName', value: '', code: 'required' },
    { row: 3, column: 'familyName', value: '', code: 'required' },
    { row: 3, column: 'email', value: 'b***', code: 'invalid_format' },
    { row: 4, column: 'birthDate', value: '3***', code: 'invalid_format' },
  ],
  appointmentsMixed: [
    { row: 3, column: 'patientId', value: 'pat_doesnotexist00000000000', code: 'not_found' },
    { row: 4, column: 'service', value: '', code: 'required' },
    // One reject for the malformed start: no second one comparing the end with it.
    { row: 5, column: 'startsAt', value: 'tomorrow', code: 'invalid_format' },
  ],
  appointmentsAllBad: (patientId: string) =>
    [
      { row: 2, column: 'patientId', value: 'not-an-id', code: 'invalid_format' },
      { row: 3, column: 'startsAt', value: '', code: 'required' },
      { row: 3, column: 'endsAt', value: '', code: 'required' },
    ].map((r) => ({ ...r, value: r.value.replace('{{patientId}}', patientId) })),
};
