/**
 * The import pipeline, one for dry runs and applies: read the records
 * (limits checked while reading), resolve the header, validate each row
 * with the contract's create schema and create it through the same service
 * as the single-record API. A dry run runs exactly this, inside a
 * savepoint that is then rolled back, so its rejects and counts are the
 * apply's by construction; only the job row and its audit row stay.
 */
import { createHash } from 'node:crypto';
import { type ImportJob, newId } from '@clinicbridge/sdk/contract';
import { type Kysely, sql } from 'kysely';
import { createAppointment } from '../appointments/service.ts';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { ApiError, isApiError } from '../kernel/problem.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { createPatient } from '../patients/service.ts';
import { applyCapacityRow, applyPricingRow } from './catalogue-rows.ts';
import type { ImportsConfig } from './config.ts';
import { type ImportFormat, type ImportKind, resolveHeader, rowToInput } from './kinds.ts';
import { applyLeadRow, applySettlementLineRow } from './lead-rows.ts';
import { type ImportRecord, readRecords } from './read.ts';
import { isError, type RowApplier, type RowPosition, type RowReject } from './row-kind.ts';

// Kinds without a single-record create in the API: applied by their own module.
const rowAppliers: Partial<Record<ImportKind, RowApplier>> = {
  pricing: applyPricingRow,
  capacity: applyCapacityRow,
  leads: applyLeadRow,
  settlement_lines: applySettlementLineRow,
};

/** Rejects kept on the job (the contract reports the first 100). */
export const MAX_REPORTED_REJECTS = 100;

/**
 * What to import.
 *
 * @example
 * const request: ImportRequest = { kind: 'patients', format: 'csv', content, dryRun: true };
 */
export interface ImportRequest {
  kind: ImportKind;
  format: ImportFormat;
  content: string;
  dryRun?: boolean | undefined;
  fileName?: string | undefined;
  /** Source header → canonical field (a saved or inline mapping, checked); read before the aliases. */
  mapping?: Readonly<Record<string, string>> | undefined;
}

const extensions: Record<ImportFormat, readonly string[]> = {
  csv: ['csv', 'txt'],
  ndjson: ['ndjson', 'jsonl', 'json'],
  xlsx: ['xlsx'],
};

/** A file named `x.xlsx` sent as `csv` (or the reverse) is refused before it is read. */
function refuseWrongType(request: ImportRequest): void {
  if (request.fileName === undefined) return;
  const extension = /\.([A-Za-z0-9]{1,10})$/.exec(request.fileName)?.[1]?.toLowerCase();
  if (extension === undefined || !extensions[request.format].includes(extension)) {
    throw new ApiError(
      'import_wrong_type',
      `The file name's extension does not match format ${request.format} (expected .${extensions[request.format].join(', .')}); send it with its own format.`,
    );
  }
}

/**
 * Counts and rejects of one run of the pipeline.
 *
 * @example
 * const { importedRows, rejects } = await runImport(trx, change, request, limits);
 */
export interface ImportOutcome {
  totalRows: number;
  importedRows: number;
  failedRows: number;
  rejects: RowReject[];
}

/**
 * The public view of a job row.
 *
 * @example
 * const job = toImportJob(row);
 */
export function toImportJob(row: Row<'import_jobs'>): ImportJob {
  return {
    id: row.id as `imp_${string}`,
    kind: row.kind,
    format: row.format,
    status: row.status,
    totalRows: row.total_rows,
    importedRows: row.imported_rows,
    failedRows: row.failed_rows,
    errors: row.errors as ImportJob['errors'],
    dryRun: row.dry_run,
    sha256: row.sha256,
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}

/**
 * Imports (or, with `dryRun`, previews) a file inside the caller's transaction.
 * A limit or an unreadable file throws, and the transaction keeps nothing.
 * Applying content already applied (same tenant, kind, format and SHA-256)
 * returns the first job and applies nothing.
 *
 * @example
 * const job = await importFile(trx, change, { kind: 'patients', format: 'csv', content }, limits);
 */
export async function importFile(
  db: Kysely<DB>,
  change: ChangeContext,
  request: ImportRequest,
  limits: ImportsConfig,
  clock: () => number = Date.now,
): Promise<ImportJob> {
  refuseWrongType(request);
  const dryRun = request.dryRun === true;
  const sha256 = createHash('sha256').update(request.content, 'utf8').digest('hex');
  if (!dryRun) {
    const applied = await db
      .selectFrom('import_jobs')
      .selectAll()
      .where('tenant_id', '=', change.tenantId)
      .where('kind', '=', request.kind)
      .where('format', '=', request.format)
      .where('sha256', '=', sha256)
      .where('dry_run', '=', false)
      .executeTakeFirst();
    if (applied) return toImportJob(applied);
  }
  await sql`savepoint import_rows`.execute(db);
  let outcome: ImportOutcome;
  try {
    outcome = await runPipeline(db, change, request, limits, clock);
  } catch (error) {
    await sql`rollback to savepoint import_rows`.execute(db);
    throw error;
  }
  if (dryRun) await sql`rollback to savepoint import_rows`.execute(db);
  else await sql`release savepoint import_rows`.execute(db);

  const row: Row<'import_jobs'> = {
    id: newId('imp'),
    tenant_id: change.tenantId,
    kind: request.kind,
    format: request.format,
    dry_run: dryRun,
    sha256,
    status: 'completed',
    total_rows: outcome.totalRows,
    imported_rows: outcome.importedRows,
    failed_rows: outcome.failedRows,
    errors: outcome.rejects.slice(0, MAX_REPORTED_REJECTS),
    actor_type: change.actor.type,
    actor_id: change.actor.id,
    created_at: change.now,
    completed_at: change.now,
  };
  await db
    .insertInto('import_jobs')
    .values({ ...row, errors: JSON.stringify(row.errors) })
    .execute();
  // Counts only: rejects hold (masked) cell values and stay on the job.
  await auditChange(db, change, 'import.created', 'import', row.id, {
    kind: row.kind,
    format: row.format,
    dryRun,
    sha256,
    totalRows: row.total_rows,
    importedRows: row.imported_rows,
    failedRows: row.failed_rows,
  });
  return toImportJob(row);
}

/**
 * The pipeline itself: records → header → per-row validation → create.
 * Exported for the property test that compares dry runs with applies.
 *
 * @example
 * const outcome = await runPipeline(trx, change, request, limits);
 */
export async function runPipeline(
  db: Kysely<DB>,
  change: ChangeContext,
  request: ImportRequest,
  limits: ImportsConfig,
  clock: () => number = Date.now,
): Promise<ImportOutcome> {
  const rejects: RowReject[] = [];
  let totalRows = 0;
  let importedRows = 0;
  let header: ReturnType<typeof resolveHeader> | undefined;
  const seen: RowPosition['seen'] = new Map();
  for await (const record of readRecords(request.format, request.content, limits, clock)) {
    if (!header || request.format === 'ndjson') {
      header = checkHeader(request, Object.keys(record.cells), record);
    }
    totalRows += 1;
    const found = await importRow(db, change, request.kind, header, record, seen);
    if (!found.some(isError)) importedRows += 1;
    rejects.push(...found);
  }
  return { totalRows, importedRows, failedRows: totalRows - importedRows, rejects };
}

function checkHeader(
  { kind, format, mapping }: ImportRequest,
  names: string[],
  record: ImportRecord,
): ReturnType<typeof resolveHeader> {
  const tabular = format !== 'ndjson';
  const header = resolveHeader(kind, names, mapping);
  // In NDJSON each line names its own fields; a missing one is that row's reject.
  const problems = [
    ...header.unknown.map((n) => `unknown column "${n.slice(0, 64)}"`),
    ...header.duplicate.map((n) => `column "${n.slice(0, 64)}" repeats another`),
    ...(tabular ? header.missing.map((n) => `required column "${n}" is missing`) : []),
  ];
  if (problems.length > 0) {
    throw new ApiError(
      'import_unreadable',
      `The ${tabular ? 'header' : `line ${record.row}`} does not fit a ${kind} import: ${problems.slice(0, 10).join('; ')}. See docs/imports-exports.md for the columns and their aliases.`,
    );
  }
  return header;
}

async function importRow(
  db: Kysely<DB>,
  change: ChangeContext,
  kind: ImportKind,
  header: ReturnType<typeof resolveHeader>,
  record: ImportRecord,
  seen: RowPosition['seen'],
): Promise<RowReject[]> {
  if (record.malformed) {
    return [
      {
        row: record.row,
        column: null,
        value: null,
        message: record.malformed,
        code: 'malformed_row',
      },
    ];
  }
  const parsed = rowToInput(kind, header.map, record.row, record.cells);
  if (!parsed.ok) return parsed.rejects;
  try {
    const apply = rowAppliers[kind];
    if (apply) return await apply(db, change, parsed.input, { row: record.row, seen });
    // Same services as the single-record API: same audit rows and events.
    if (kind === 'patients') await createPatient(db, change, parsed.input as never);
    else await createAppointment(db, change, parsed.input as never);
    return [];
  } catch (error) {
    // Only checks that read (the patient must exist) end here; they leave the transaction usable.
    if (isApiError(error) && error.status < 500) {
      const column = kind === 'appointments' && error.code === 'not_found' ? 'patientId' : null;
      return [
        {
          row: record.row,
          column,
          value: column ? String(parsed.input[column] ?? '') : null,
          message: error.detail ?? error.message,
          code: error.code,
        },
      ];
    }
    throw error;
  }
}

/**
 * An import job of the tenant, or 404.
 *
 * @example
 * const job = await getImportJob(db, tenantId, 'imp_…');
 */
export async function getImportJob(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<ImportJob> {
  return toImportJob(await requireOwned(db, 'import_jobs', tenantId, id));
}

/**
 * The tenant's import jobs, oldest first.
 *
 * @example
 * await listImportJobs(db, tenantId, { limit: 20 });
 */
export function listImportJobs(
  db: Kysely<DB>,
  tenantId: string,
  query: { limit?: number | undefined; cursor?: string | undefined },
) {
  return listPage(db, 'import_jobs', tenantId, query, [], toImportJob);
}
