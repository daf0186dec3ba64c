/**
 * Generating an export's bytes: the rows of its kind (records, a report or
 * the FHIR bundle, without the patients the consent gate holds back) in
 * their fixed order, encoded in the asked format, with the limits checked
 * before encoding.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ConsentGate } from '../fhir/consent.ts';
import { ApiError } from '../kernel/problem.ts';
import { type FhirBulk, fhirBulkLines } from './fhir-bulk.ts';
import { type ExportFormat, type ExportTable, encodeTable } from './formats.ts';
import { type ExportScope, exportColumns, exportRows, type RecordKind } from './kinds.ts';
import { PDF_MAX_ROWS } from './pdf.ts';
import { isReportKind, type ReportKind, reportColumns, reportRows } from './reports.ts';

/**
 * An export kind of the contract.
 *
 * @example
 * const kind: ExportKind = 'revenue_daily';
 */
export type ExportKind = RecordKind | ReportKind | 'fhir_bulk';

const TITLES: Record<ExportKind, string> = {
  appointments: 'Appointments',
  invoices: 'Invoices',
  payments: 'Payments and refunds',
  audit_events: 'Audit events',
  revenue_daily: 'Daily collected revenue',
  profit_monthly: 'Monthly profit summary',
  receivables_aging: 'Receivables aging',
  fhir_bulk: 'FHIR bulk data',
};

/**
 * What to generate.
 *
 * @example
 * const what: Generation = { kind: 'payments', format: 'pdf', scope, now, maxRows: 100_000, version: 'clinicbridge-exports/2' };
 */
export interface Generation {
  kind: ExportKind;
  format: ExportFormat;
  scope: ExportScope;
  /** The time of the request: the end of an open receivables aging. */
  now: Date;
  maxRows: number;
  version: string;
  /** The FHIR exchange's consent gate, when the ABDM gateway is configured. */
  consentGate?: ConsentGate | undefined;
}

/**
 * What was generated: the bytes, the row count and, for a FHIR bulk
 * export, how many patients and encounters the consent gate left out.
 *
 * @example
 * const { bytes, rowCount, withheld } = await generateExport(db, what);
 */
export interface Generated {
  bytes: Uint8Array;
  rowCount: number;
  withheld?: FhirBulk['withheld'];
}

function checkRows(count: number, what: Generation): void {
  if (count > what.maxRows) {
    throw new ApiError(
      'unprocessable',
      `The period holds ${count} rows, more than the ${what.maxRows} an export takes; export a shorter period.`,
    );
  }
  if (what.format === 'pdf' && count > PDF_MAX_ROWS) {
    throw new ApiError(
      'unprocessable',
      `A PDF holds at most ${PDF_MAX_ROWS} rows and the period has ${count}; export it as CSV or XLSX, or a shorter period.`,
    );
  }
}

function periodText(what: Generation): string {
  const { from, to } = what.scope;
  if (what.kind === 'receivables_aging') return `As of ${(to ?? what.now).toISOString()}`;
  return `Period ${from?.toISOString() ?? 'from the beginning'} to ${to?.toISOString() ?? 'now (open)'} (end exclusive)`;
}

/**
 * The export's bytes and row count.
 *
 * @example
 * const { bytes, rowCount } = await generateExport(db, { kind: 'revenue_daily', format: 'xlsx', scope, now, maxRows, version });
 */
export async function generateExport(db: Kysely<DB>, what: Generation): Promise<Generated> {
  if (what.kind === 'fhir_bulk') {
    if (what.format !== 'ndjson') {
      throw new ApiError(
        'validation_failed',
        'A fhir_bulk export is NDJSON only (one FHIR resource per line); ask for format "ndjson".',
      );
    }
    const { lines, withheld } = await fhirBulkLines(
      db,
      what.scope,
      what.consentGate ? { gate: what.consentGate, at: what.now } : undefined,
    );
    checkRows(lines.length, what);
    return {
      bytes: Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'),
      rowCount: lines.length,
      withheld,
    };
  }
  const kind: RecordKind | ReportKind = what.kind;
  const [columns, rows] = isReportKind(kind)
    ? [reportColumns[kind], await reportRows(db, kind, what.scope, what.now)]
    : [exportColumns[kind], await exportRows(db, kind, what.scope)];
  checkRows(rows.length, what);
  const table: ExportTable = {
    name: kind,
    columns,
    rows,
    heading: {
      title: TITLES[what.kind],
      period: periodText(what),
      footer: `${what.version}; amounts in CSV, NDJSON and XLSX are in minor units.`,
    },
  };
  return { bytes: await encodeTable(what.format, table), rowCount: rows.length };
}
