/**
 * Imports and exports in the fake API, completed at once, as the reference
 * server completes them within the request. An import validates every row
 * against the same schema as the single-record create, keeps the rows that
 * pass and reports the first 100 failures by row number; a dry run reports
 * the same and keeps nothing; applying content already applied returns the
 * first job. An export's file is served at its `downloadUrl` with the same
 * credentials; a closed period (one that ended before it was asked for) is
 * exported once and returned again unchanged. The fake exports records
 * (appointments, invoices, payments, audit events) as CSV or NDJSON; the
 * reports, the FHIR bundle and XLSX / PDF files are the server's, and the
 * fake answers them with 422 `unprocessable`, as it does an import by
 * `objectKey` (uploads are the server's too).
 */
import * as z from 'zod/mini';
import {
  appointmentOperations,
  exportOperations,
  type ImportJob,
  importOperations,
  newId,
  patientOperations,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler, type OperationContext } from '../context.ts';
import { parseCsv, toCsv } from '../csv.ts';
import { findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { sha256Hex } from '../sha256.ts';
import type { StoredExportJob, TenantState } from '../tenant-state.ts';
import { createAppointment } from './appointments.ts';
import { createPatient } from './patients.ts';

const MAX_REPORTED_ERRORS = 100;

function rowsOf(format: 'csv' | 'ndjson', content: string): { row: number; value: unknown }[] {
  if (format === 'ndjson') {
    return content
      .split(/\r?\n/)
      .map((line, i) => ({ line, row: i + 1 }))
      .filter(({ line }) => line.trim() !== '')
      .map(({ line, row }) => {
        try {
          return { row, value: JSON.parse(line) as unknown };
        } catch {
          return { row, value: Symbol.for('invalid json') };
        }
      });
  }
  let table: string[][];
  try {
    table = parseCsv(content);
  } catch {
    throw new ApiProblem('validation_failed', 'the CSV content has an unterminated quoted field', {
      errors: [
        { path: 'body.content', message: 'unterminated quoted field', code: 'invalid_format' },
      ],
    });
  }
  const [header, ...body] = table;
  if (!header) return [];
  return body.map((cells, i) => ({
    // Row numbers count the header, as a spreadsheet shows them.
    row: i + 2,
    value: Object.fromEntries(
      header
        .map((name, c) => [name.trim(), cells[c]])
        .filter(([, v]) => v !== undefined && v !== ''),
    ),
  }));
}

const encoder = new TextEncoder();

function importRows(ctx: OperationContext<typeof importOperations.create>): ImportJob {
  const { kind, format, content } = ctx.body;
  if (content === undefined) {
    throw new ApiProblem(
      'unprocessable',
      'the fake API takes import files inline as `content`; uploads by `objectKey` need the reference server',
    );
  }
  const dryRun = ctx.body.dryRun === true;
  const sha256 = sha256Hex(encoder.encode(content));
  if (!dryRun) {
    const applied = ctx.tenant.imports
      .values()
      .find((j) => !j.dryRun && j.kind === kind && j.format === format && j.sha256 === sha256);
    if (applied) return applied;
  }
  if ((kind !== 'patients' && kind !== 'appointments') || format === 'xlsx') {
    // The fake keeps no leads or settlement lines and reads no XLSX; its catalogue is seeded directly.
    throw new ApiProblem(
      'not_implemented',
      `The fake API imports patients and appointments from CSV or NDJSON only, not ${kind} from ${format}; seed the catalogue with api.state.catalogue(tenantId).`,
    );
  }
  if (content.startsWith('PK\u0003\u0004') || content.includes('\u0000')) {
    throw new ApiProblem(
      'import_unreadable',
      'The content is binary (an XLSX or archive?); send the rows as CSV or NDJSON text.',
    );
  }
  const rows = rowsOf(format, content);
  const errors: ImportJob['errors'] = [];
  let imported = 0;
  for (const { row, value } of rows) {
    const schema =
      kind === 'patients' ? patientOperations.create.body : appointmentOperations.create.body;
    const parsed = typeof value === 'symbol' ? null : z.safeParse(schema, value);
    try {
      if (!parsed) throw new Error('the line is not valid JSON');
      if (!parsed.success) {
        throw new Error(
          parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; '),
        );
      }
      if (dryRun) {
        // Validate only; the one check that reads state is the patient's existence.
        if (kind === 'appointments') {
          const { patientId } = parsed.data as { patientId: string };
          findOr404(ctx.tenant.patients, patientId, 'patient');
        }
      } else if (kind === 'patients')
        createPatient(ctx, parsed.data as Parameters<typeof createPatient>[1]);
      else createAppointment(ctx, parsed.data as Parameters<typeof createAppointment>[1]);
      imported += 1;
    } catch (error) {
      if (errors.length < MAX_REPORTED_ERRORS) {
        errors.push({ row, message: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return {
    id: newId('imp'),
    kind,
    format,
    status: 'completed',
    totalRows: rows.length,
    importedRows: imported,
    failedRows: rows.length - imported,
    errors,
    dryRun,
    sha256,
    createdAt: ctx.now,
    completedAt: ctx.now,
  };
}

const RECORD_KINDS = ['appointments', 'invoices', 'payments', 'audit_events'] as const;
type RecordKind = (typeof RECORD_KINDS)[number];

function exportRecords(
  tenant: TenantState,
  kind: RecordKind,
  from: string | undefined,
  to: string | undefined,
): Record<string, unknown>[] {
  const inRange = (at: string) =>
    (from === undefined || Date.parse(at) >= Date.parse(from)) &&
    (to === undefined || Date.parse(at) < Date.parse(to));
  switch (kind) {
    case 'appointments':
      return tenant.appointments.values().filter((r) => inRange(r.createdAt));
    case 'invoices':
      return tenant.invoices.values().filter((r) => inRange(r.createdAt));
    case 'payments':
      return tenant.payments.values().filter((r) => inRange(r.createdAt));
    case 'audit_events':
      return tenant.auditEvents.values().filter((r) => inRange(r.occurredAt));
  }
}

function present(job: StoredExportJob) {
  const { content: _content, ...visible } = job;
  return visible;
}

/**
 * Handlers of the import and export operations.
 *
 * @example
 * const byId = new Map(importExportHandlers.map((h) => [h.op.id, h]));
 */
export const importExportHandlers: BoundHandler[] = [
  defineHandler(importOperations.create, (ctx) => {
    const job = importRows(ctx);
    // An apply of content already applied answers with the first job.
    return { body: ctx.tenant.imports.get(job.id) ?? ctx.tenant.imports.insert(job) };
  }),
  defineHandler(importOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.imports, ctx.params.importId, 'import'),
  })),
  defineHandler(importOperations.list, (ctx) => ({
    body: paginate(ctx.op.id, ctx.tenant.imports.rows(), ctx.query, 'asc'),
  })),
  defineHandler(exportOperations.create, (ctx) => {
    const { kind, format, from, to } = ctx.body;
    if (!RECORD_KINDS.includes(kind as RecordKind) || (format !== 'csv' && format !== 'ndjson')) {
      throw new ApiProblem(
        'unprocessable',
        `the fake API exports records as CSV or NDJSON only; ${kind} as ${format} needs the reference server`,
      );
    }
    const closed = to !== undefined && Date.parse(to) <= Date.parse(ctx.now);
    const period = (at: string | null | undefined) => (at ? new Date(at).toISOString() : null);
    if (closed) {
      const taken = ctx.tenant.exports
        .values()
        .find(
          (j) =>
            j.kind === kind &&
            j.format === format &&
            j.from === period(from) &&
            j.to === period(to),
        );
      if (taken) return { body: present(taken) };
    }
    const records = exportRecords(ctx.tenant, kind as RecordKind, from, to);
    const content =
      format === 'csv' ? toCsv(records) : records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const id = newId('exp');
    const job: StoredExportJob = {
      id,
      kind,
      format,
      status: 'completed',
      rowCount: records.length,
      downloadUrl: `${ctx.world.baseUrl}${exportDownloadPath(id)}`,
      sha256: sha256Hex(encoder.encode(content)),
      from: period(from),
      to: period(to),
      createdAt: ctx.now,
      completedAt: ctx.now,
      content,
    };
    return { body: present(ctx.tenant.exports.insert(job)) };
  }),
  defineHandler(exportOperations.get, (ctx) => ({
    body: present(findOr404(ctx.tenant.exports, ctx.params.exportId, 'export')),
  })),
  defineHandler(exportOperations.list, (ctx) => {
    const page = paginate(ctx.op.id, ctx.tenant.exports.rows(), ctx.query, 'asc');
    return { body: { ...page, data: page.data.map(present) } };
  }),
];

/**
 * Path of an export's file, under the API root.
 *
 * @example
 * exportDownloadPath('exp_…'); // '/api/v1/exports/exp_…/download'
 */
export function exportDownloadPath(exportId: string): string {
  return `/api/v1/exports/${exportId}/download`;
}
