/**
 * How an import request arrives, over real HTTP against a started server on
 * 127.0.0.1: as a multipart/form-data upload (streamed, 413 past the byte
 * limit while reading, 415 for a body or part of the wrong type), read
 * with a saved or inline column mapping (saved, listed, replaced, deleted
 * per tenant; aliases still apply), and XLSX date cells read as ISO dates
 * where the kind wants one (capacity slot starts, lead dates).
 */
import type {
  ImportJob,
  ImportMapping,
  Lead,
  Page,
  Problem,
  Slot,
} from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { base64, writeStyledXlsx } from '../../test/helpers/xlsx.ts';
import { importsFeature } from './feature.ts';

const MAX_BYTES = 4_096;
let running: TestServer;
const first = tenantClient(() => running, 0);
const second = tenantClient(() => running, 1);

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 2,
    env: { IMPORT_MAX_BYTES: String(MAX_BYTES) },
    features: [importsFeature],
  });
}, 120_000);
afterAll(() => running?.server.close());

/** POSTs a form to /api/v1/imports as the first tenant. */
async function postForm(
  form: FormData | { body: BodyInit; type: string },
): Promise<{ status: number; type: string; body: ImportJob & Omit<Problem, 'status'> }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${running.tenants[0]?.apiKey}`,
  };
  if (!(form instanceof FormData)) headers['content-type'] = form.type;
  const res = await fetch(`${running.server.url}/api/v1/imports`, {
    method: 'POST',
    headers,
    body: form instanceof FormData ? form : form.body,
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: (await res.json()) as ImportJob & Omit<Problem, 'status'>,
  };
}

function leadForm(csv: string, fields: Record<string, string>, type = 'text/csv'): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set('file', new Blob([csv], { type }), 'leads.csv');
  return form;
}

const leadCount = async () => {
  const db = running.server.database.db;
  const found = await db
    .selectFrom('leads')
    .select(db.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(found.n);
};

describe('multipart/form-data', () => {
  test('a CSV file part is dry-run, then applied, with the form fields', async () => {
    const csv =
      'Phone,Source,Campaign\n+90 532 000 00 01,agent,form\n+90 532 000 00 02,agent,form\nnot-a-phone,agent,form\n';
    const dry = await postForm(leadForm(csv, { kind: 'leads', format: 'csv', dryRun: 'true' }));
    expect(dry.status).toBe(202);
    expect(dry.body).toMatchObject({ dryRun: true, totalRows: 3, importedRows: 2, failedRows: 1 });
    expect(dry.body.errors).toEqual([
      expect.objectContaining({ row: 4, column: 'phone', value: 'n***', code: 'invalid_format' }),
    ]);
    const before = await leadCount();
    const applied = await postForm(leadForm(csv, { kind: 'leads', format: 'csv' }));
    expect(applied.status).toBe(202);
    expect(applied.body).toMatchObject({ dryRun: false, importedRows: 2 });
    expect(applied.body.errors).toEqual(dry.body.errors);
    expect(await leadCount()).toBe(before + 2);
    const job = await first.api<ImportJob>('GET', `/api/v1/imports/${applied.body.id}`);
    expect(job.sha256).toBe(applied.body.sha256);
  });

  test('an Idempotency-Key replays the first answer; reused for another file it is 422', async () => {
    const key = crypto.randomUUID();
    const send = (csv: string) =>
      fetch(`${running.server.url}/api/v1/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${running.tenants[0]?.apiKey}`, 'idempotency-key': key },
        body: leadForm(csv, { kind: 'leads', format: 'csv', dryRun: 'true' }),
      });
    const csv = 'Phone,Source\n+90 532 000 00 09,agent\n';
    const first = await send(csv);
    expect(first.status).toBe(202);
    const job = (await first.json()) as ImportJob;
    const again = await send(csv);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(((await again.json()) as ImportJob).id).toBe(job.id);
    const other = await send('Phone,Source\n+90 532 000 00 08,agent\n');
    expect(other.status).toBe(422);
    expect(((await other.json()) as Problem).code).toBe('idempotency_key_reused');
  });

  test('an XLSX part travels as bytes', async () => {
    const bytes = writeStyledXlsx(
      [
        ['Email', 'Source', 'Created'],
        ['xlsx-form@example.com', 'web', { number: 46_026, style: 1 }],
      ],
      { formats: [0, 14] },
    );
    const form = new FormData();
    form.set('kind', 'leads');
    form.set('format', 'xlsx');
    form.set(
      'file',
      new Blob([new Uint8Array(bytes)], {
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      }),
      'leads.xlsx',
    );
    const answer = await postForm(form);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ format: 'xlsx', importedRows: 1, failedRows: 0 });
  });

  test('a file over the byte limit is 413 while reading, declared or streamed', async () => {
    const before = await leadCount();
    const big = `Phone,Source\n${'+905320000003,agent\n'.repeat(400)}`;
    expect(big.length).toBeGreaterThan(MAX_BYTES);
    const declared = await postForm(leadForm(big, { kind: 'leads', format: 'csv' }));
    expect(declared.status).toBe(413);
    expect(declared.type).toContain('application/problem+json');
    expect(declared.body.code).toBe('import_too_large');

    // Streamed without a length: refused at the first chunk past the limit.
    const boundary = 'cb-boundary-1';
    const encoder = new TextEncoder();
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(
          encoder.encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nleads\r\n--${boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\ncsv\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\nContent-Type: text/csv\r\n\r\nPhone,Source\n`,
          ),
        );
      },
      pull(controller) {
        // An endless file: only the server's limit ends it.
        sent += 1024;
        if (sent > 10_000_000) controller.close();
        else controller.enqueue(encoder.encode(`${'+905320000004,agent\n'.repeat(51)}`));
      },
    });
    const res = await fetch(`${running.server.url}/api/v1/imports`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${running.tenants[0]?.apiKey}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    // Answered before the client finished sending: the server did not read the body to its end.
    const sentWhenAnswered = sent;
    expect(res.status).toBe(413);
    expect(((await res.json()) as Problem).code).toBe('import_too_large');
    expect(sentWhenAnswered).toBeLessThan(10_000_000);
    expect(await leadCount()).toBe(before);
  });

  test('wrong types: 415 for the body and for the file part', async () => {
    const text = await postForm({ body: 'Phone,Source\n', type: 'text/csv' });
    expect(text.status).toBe(415);
    expect(text.body.code).toBe('unsupported_media_type');
    const mixed = await postForm({ body: '--x--\r\n', type: 'multipart/mixed; boundary=x' });
    expect(mixed.status).toBe(415);
    const part = await postForm(
      leadForm(
        'Phone,Source\n+905320000005,agent\n',
        { kind: 'leads', format: 'csv' },
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ),
    );
    expect(part.status).toBe(415);
    expect(part.body.code).toBe('import_wrong_type');
    const form = new FormData();
    form.set('kind', 'leads');
    form.set('format', 'csv');
    const missing = await postForm(form);
    expect(missing.status).toBe(400);
    const unknownKind = await postForm(leadForm('a\n1\n', { kind: 'nope', format: 'csv' }));
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body.code).toBe('validation_failed');
  });

  test('the served OpenAPI document describes the form beside the JSON body', async () => {
    const doc = (await (await fetch(`${running.server.url}/openapi.json`)).json()) as {
      paths: Record<string, { post?: { requestBody?: { content?: Record<string, unknown> } } }>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    const content = doc.paths['/api/v1/imports']?.post?.requestBody?.content ?? {};
    expect(Object.keys(content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(doc.components.schemas.ImportsCreateForm?.required).toEqual(['kind', 'format', 'file']);
  });
});

describe('saved column mappings', () => {
  const csv = 'Téléphone,Canal,Nom complet,utm_campaign\n+33 6 12 34 56 78,agent,Ada,autumn\n';

  test('saved, listed, replaced by name and deleted, per tenant', async () => {
    const saved = await first.api<ImportMapping>('POST', '/api/v1/import-mappings', {
      name: 'agence-a',
      kind: 'leads',
      columns: { Téléphone: 'phone', Canal: 'source', 'Nom complet': 'full_name' },
    });
    expect(saved).toMatchObject({
      name: 'agence-a',
      kind: 'leads',
      // Targets are stored under their canonical names.
      columns: { Téléphone: 'phone', Canal: 'source', 'Nom complet': 'name' },
    });
    const again = await first.api<ImportMapping>('POST', '/api/v1/import-mappings', {
      name: 'agence-a',
      kind: 'leads',
      columns: { Téléphone: 'phone', Canal: 'source' },
    });
    expect(again.id).toBe(saved.id);
    expect(again.columns).toEqual({ Téléphone: 'phone', Canal: 'source' });
    const listed = await first.api<Page<ImportMapping>>(
      'GET',
      '/api/v1/import-mappings?kind=leads',
    );
    expect(listed.data.map((m) => m.id)).toContain(saved.id);
    expect(
      (await first.api<Page<ImportMapping>>('GET', '/api/v1/import-mappings?kind=pricing')).data,
    ).toEqual([]);
    expect((await second.call('GET', `/api/v1/import-mappings/${saved.id}`)).status).toBe(404);
    expect((await second.call('DELETE', `/api/v1/import-mappings/${saved.id}`)).status).toBe(404);

    const bad = await first.call('POST', '/api/v1/import-mappings', {
      name: 'bad',
      kind: 'leads',
      columns: { A: 'phone', B: 'mobile', C: 'givenName' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    expect(String(bad.body.detail)).toContain('"C" maps to "givenName"');
    expect(String(bad.body.detail)).toContain('both map to phone');

    const res = await fetch(`${running.server.url}/api/v1/import-mappings/${saved.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${running.tenants[0]?.apiKey}` },
    });
    expect(res.status).toBe(204);
    expect((await first.call('GET', `/api/v1/import-mappings/${saved.id}`)).status).toBe(404);
  });

  test('an import names a saved mapping or gives one inline; aliases still apply', async () => {
    const unmapped = await first.call('POST', '/api/v1/imports', {
      kind: 'leads',
      format: 'csv',
      content: csv,
      dryRun: true,
    });
    expect(unmapped.status).toBe(422);
    expect(String(unmapped.body.detail)).toContain('unknown column "Téléphone"');

    const saved = await first.api<ImportMapping>('POST', '/api/v1/import-mappings', {
      name: 'agence-b',
      kind: 'leads',
      columns: { Téléphone: 'phone', Canal: 'source' },
    });
    const byId = await first.api<ImportJob>('POST', '/api/v1/imports', {
      kind: 'leads',
      format: 'csv',
      content: csv,
      dryRun: true,
      // "Nom complet" is not saved: given inline over the saved mapping.
      mappingId: saved.id,
      mapping: { 'Nom complet': 'name' },
    });
    // utm_campaign is a built-in alias: still read.
    expect(byId).toMatchObject({ totalRows: 1, importedRows: 1, failedRows: 0 });

    const inline = await first.api<ImportJob>('POST', '/api/v1/imports', {
      kind: 'leads',
      format: 'csv',
      content: csv,
      mapping: { Téléphone: 'phone', Canal: 'source', 'Nom complet': 'name' },
    });
    expect(inline).toMatchObject({ dryRun: false, importedRows: 1 });
    const stored = await first.api<Page<Lead>>('GET', '/api/v1/leads?campaign=autumn');
    expect(stored.data).toEqual([
      expect.objectContaining({
        source: 'agent',
        campaign: 'autumn',
        name: 'Ada',
        phone: '+33612345678',
      }),
    ]);

    const wrongKind = await first.call('POST', '/api/v1/imports', {
      kind: 'pricing',
      format: 'csv',
      content: 'code\nX\n',
      mappingId: saved.id,
    });
    expect(wrongKind.status).toBe(400);
    expect(String(wrongKind.body.detail)).toContain('is for leads imports');
    const otherTenant = await second.call('POST', '/api/v1/imports', {
      kind: 'leads',
      format: 'csv',
      content: csv,
      mappingId: saved.id,
    });
    expect(otherTenant.status).toBe(404);
    const badInline = await first.call('POST', '/api/v1/imports', {
      kind: 'leads',
      format: 'csv',
      content: csv,
      mapping: { Téléphone: 'telefon' },
    });
    expect(badInline.status).toBe(400);

    // A form names a mapping too.
    const form = leadForm('Téléphone,Canal\n+33 6 12 34 56 79,agent\n', {
      kind: 'leads',
      format: 'csv',
      mappingId: saved.id,
      dryRun: 'true',
    });
    const viaForm = await postForm(form);
    expect(viaForm.status).toBe(202);
    expect(viaForm.body).toMatchObject({ importedRows: 1, failedRows: 0 });
  });
});

describe('XLSX date cells', () => {
  test('capacity slot starts and lead dates read from date-formatted cells', async () => {
    await first.api('POST', '/api/v1/imports', {
      kind: 'pricing',
      format: 'csv',
      content: 'code,name,clinic,currency,price\nDATE-1,Check-up,IST,EUR,45\n',
    });
    // Styles: 0 General, 1 built-in 22 (m/d/yy h:mm), 2 custom date-time.
    const capacity = writeStyledXlsx(
      [
        ['Doctor Ref', 'Doctor', 'Code', 'Clinic', 'Start', 'End', 'Places'],
        [
          'DR-X1',
          'Dr Ada',
          'DATE-1',
          'IST',
          { number: 46_391.375, style: 1 },
          { number: 46_391.395_833_333, style: 2 },
          '2',
        ],
        [
          'DR-X1',
          'Dr Ada',
          'DATE-1',
          'IST',
          { number: 60, style: 1 },
          { number: 61, style: 2 },
          '1',
        ],
      ],
      { formats: [0, 22, 'yyyy-mm-dd hh:mm'] },
    );
    const job = await first.api<ImportJob>('POST', '/api/v1/imports', {
      kind: 'capacity',
      format: 'xlsx',
      content: base64(capacity),
    });
    expect(job).toMatchObject({ totalRows: 2, importedRows: 1, failedRows: 1 });
    // 29 February 1900 never was: the cell stays a number and is refused.
    expect(job.errors.filter((e) => e.row === 2)).toEqual([]);
    const refused = job.errors.filter((e) => e.row === 3 && e.column === 'startsAt');
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) expect(e.value).toBe('60');
    // Serial 61, the day after, is 1 March 1900 (in the past, so noted).
    expect(job.errors.find((e) => e.row === 3 && e.column === 'endsAt')?.value).toBe(
      '1900-03-01T00:00:00Z',
    );
    const services = await first.api<Page<{ id: string; code: string }>>(
      'GET',
      '/api/v1/services?code=DATE-1',
    );
    const slots = await first.api<Page<Slot>>(
      'GET',
      `/api/v1/availability?serviceId=${services.data[0]?.id}&from=2027-01-04T00:00:00Z&to=2027-01-05T00:00:00Z`,
    );
    expect(slots.data).toEqual([
      expect.objectContaining({
        startsAt: '2027-01-04T09:00:00.000Z',
        endsAt: '2027-01-04T09:30:00.000Z',
        capacity: 2,
      }),
    ]);

    // A 1904 workbook's lead dates.
    const leads = writeStyledXlsx(
      [
        ['Email', 'Source', 'Campaign', 'Lead Date'],
        ['dated@example.com', 'web', 'dated-1904', { number: 44_564, style: 1 }],
      ],
      { formats: [0, 'dd/mm/yyyy'], date1904: true },
    );
    const leadJob = await first.api<ImportJob>('POST', '/api/v1/imports', {
      kind: 'leads',
      format: 'xlsx',
      content: base64(leads),
    });
    expect(leadJob).toMatchObject({ importedRows: 1, failedRows: 0 });
    const dated = await first.api<Page<Lead>>('GET', '/api/v1/leads?campaign=dated-1904');
    expect(dated.data.map((l) => l.createdAt)).toEqual(['2026-01-04T00:00:00.000Z']);
  });
});
