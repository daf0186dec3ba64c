/**
 * Import jobs: one pipeline for dry runs and applies (./batch/pipeline.ts:
 * read, validate and prepare each row, then write batch by batch with
 * multi-row statements). A small file runs within the request: every batch
 * in the request's transaction, inside a savepoint rolled back for a dry
 * run, so its rejects and counts are the apply's by construction. A large
 * one (over `IMPORT_BACKGROUND_BYTES`) is read once through (every limit
 * and the header checked, so a file to refuse is refused with its 4xx at
 * once), then stored with a `pending` job and run by the background runner
 * (./runner.ts), one transaction per batch.
 * Each applied batch writes one `import.batch_applied` audit row (counts
 * and row range, never cell values); the job writes `import.created`.
 */
import { createHash } from 'node:crypto';
import { type ImportJob, newId } from '@clinicbridge/sdk/contract';
import { type Kysely, sql } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { ApiError } from '../kernel/problem.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { type BatchResult, readBatches, scanFile, writeBatch } from './batch/pipeline.ts';
import type { ImportsConfig } from './config.ts';
import type { ImportFormat, ImportKind } from './kinds.ts';
import type { RowReject } from './row-kind.ts';

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
 * const { importedRows, rejects } = await runPipeline(trx, change, request, limits);
 */
export interface ImportOutcome {
  totalRows: number;
  importedRows: number;
  failedRows: number;
  rejects: RowReject[];
  batches: number;
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
    progress: {
      rowsRead: row.rows_read,
      rowsAccepted: row.imported_rows,
      rowsRejected: row.failed_rows,
      batches: row.batches,
      // A job that ran within its request never had a lease.
      background: row.updated_at !== null,
      updatedAt: (row.updated_at ?? row.completed_at)?.toISOString() ?? null,
    },
    failure:
      row.failure_code === null
        ? null
        : { code: row.failure_code, message: row.failure_detail ?? '' },
  };
}

/** The apply of the same content (tenant, kind, format, SHA-256) that holds it, if any. */
async function findApplied(
  db: Kysely<DB>,
  tenantId: string,
  request: ImportRequest,
  sha256: string,
): Promise<Row<'import_jobs'> | undefined> {
  // The predicate of import_jobs_applied_idx: a failed apply that committed nothing does not hold it.
  return db
    .selectFrom('import_jobs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', request.kind)
    .where('format', '=', request.format)
    .where('sha256', '=', sha256)
    .where('dry_run', '=', false)
    .where((eb) => eb.or([eb('status', '<>', 'failed'), eb('committed_through_row', '>', 0)]))
    .executeTakeFirst();
}

/**
 * Imports (or, with `dryRun`, previews) a file. Content longer than
 * `IMPORT_BACKGROUND_BYTES` is queued: the job comes back `pending` and the
 * runner works it. Otherwise it runs inside the caller's transaction: a
 * limit or an unreadable file throws, and the transaction keeps nothing.
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
    const applied = await findApplied(db, change.tenantId, request, sha256);
    if (applied) return toImportJob(applied);
  }
  if (Buffer.byteLength(request.content, 'utf8') > limits.IMPORT_BACKGROUND_BYTES) {
    // Refused now rather than half-way through the background run.
    await scanFile(request, limits);
    return queueImport(db, change, request, sha256);
  }
  const id = newId('imp');
  await sql`savepoint import_rows`.execute(db);
  let outcome: ImportOutcome;
  try {
    outcome = await runPipeline(db, change, request, limits, clock, dryRun ? undefined : id);
  } catch (error) {
    await sql`rollback to savepoint import_rows`.execute(db);
    throw error;
  }
  if (dryRun) await sql`rollback to savepoint import_rows`.execute(db);
  else await sql`release savepoint import_rows`.execute(db);

  const row: Row<'import_jobs'> = {
    ...newJobRow(id, change, request, sha256),
    status: 'completed',
    total_rows: outcome.totalRows,
    imported_rows: outcome.importedRows,
    failed_rows: outcome.failedRows,
    errors: outcome.rejects.slice(0, MAX_REPORTED_REJECTS),
    completed_at: change.now,
    rows_read: outcome.totalRows,
    batches: outcome.batches,
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

function newJobRow(
  id: string,
  change: ChangeContext,
  request: ImportRequest,
  sha256: string,
): Row<'import_jobs'> {
  return {
    id,
    tenant_id: change.tenantId,
    kind: request.kind,
    format: request.format,
    dry_run: request.dryRun === true,
    sha256,
    status: 'pending',
    total_rows: 0,
    imported_rows: 0,
    failed_rows: 0,
    errors: [],
    actor_type: change.actor.type,
    actor_id: change.actor.id,
    created_at: change.now,
    completed_at: null,
    rows_read: 0,
    committed_through_row: 0,
    batches: 0,
    next_check_at: null,
    attempts: 0,
    failure_code: null,
    failure_detail: null,
    updated_at: null,
  };
}

/** Stores the content with a `pending` job the runner leases (`next_check_at` now). */
async function queueImport(
  db: Kysely<DB>,
  change: ChangeContext,
  request: ImportRequest,
  sha256: string,
): Promise<ImportJob> {
  const row: Row<'import_jobs'> = {
    ...newJobRow(newId('imp'), change, request, sha256),
    next_check_at: change.now,
    updated_at: change.now,
  };
  const inserted = await db
    .insertInto('import_jobs')
    .values({ ...row, errors: JSON.stringify(row.errors) })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    // The same content was queued by a concurrent request meanwhile.
    const applied = await findApplied(db, change.tenantId, request, sha256);
    if (applied) return toImportJob(applied);
    throw new ApiError('conflict', 'The same import is being queued; try again.');
  }
  const pieces = [...contentPieces(request.content)];
  await db
    .insertInto('import_job_files')
    .values({
      job_id: row.id,
      content: '',
      mapping: request.mapping ? JSON.stringify(request.mapping) : null,
      pieces: pieces.length,
    })
    .execute();
  // One statement per piece: a large file is never one parameter (the driver would copy it whole, twice).
  for (const [seq, piece] of pieces.entries()) {
    await db.insertInto('import_job_file_pieces').values({ job_id: row.id, seq, piece }).execute();
  }
  await auditChange(db, change, 'import.created', 'import', row.id, {
    kind: row.kind,
    format: row.format,
    dryRun: row.dry_run,
    sha256,
    background: true,
  });
  return toImportJob(row);
}

/** Characters of a stored content piece at most. */
export const CONTENT_PIECE_CHARS = 1_048_576;

/**
 * `content` cut into pieces of at most {@link CONTENT_PIECE_CHARS}, never
 * between the two halves of a surrogate pair (each piece is valid text).
 *
 * @example
 * [...contentPieces('a'.repeat(CONTENT_PIECE_CHARS + 1))].length; // 2
 */
export function* contentPieces(content: string): Generator<string> {
  for (let at = 0; at < content.length; ) {
    let end = Math.min(at + CONTENT_PIECE_CHARS, content.length);
    const last = content.charCodeAt(end - 1);
    if (end < content.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield content.slice(at, end);
    at = end;
  }
}

/**
 * Adds a batch's result to running totals, keeping the first rejects.
 *
 * @example
 * addBatch(outcome, result);
 */
export function addBatch(outcome: ImportOutcome, result: BatchResult): void {
  outcome.totalRows += result.rows;
  outcome.importedRows += result.accepted;
  outcome.failedRows += result.rejected;
  outcome.batches += 1;
  const room = MAX_REPORTED_REJECTS - outcome.rejects.length;
  if (room > 0) outcome.rejects.push(...result.rejects.slice(0, room));
}

/**
 * Audits one applied batch: counts and row range only.
 *
 * @example
 * await auditBatch(trx, change, jobId, 1, batch, result);
 */
export function auditBatch(
  db: Kysely<DB>,
  change: ChangeContext,
  jobId: string,
  batchNumber: number,
  range: { firstRow: number; lastRow: number },
  result: BatchResult,
): Promise<string> {
  return auditChange(db, change, 'import.batch_applied', 'import', jobId, {
    batch: batchNumber,
    firstRow: range.firstRow,
    lastRow: range.lastRow,
    rows: result.rows,
    acceptedRows: result.accepted,
    rejectedRows: result.rejected,
  });
}

/**
 * The pipeline in the caller's transaction, batch by batch; with `auditJobId`
 * (an apply) each batch writes its audit row. Exported for the property test
 * that compares dry runs with applies.
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
  auditJobId?: string,
): Promise<ImportOutcome> {
  const outcome: ImportOutcome = {
    totalRows: 0,
    importedRows: 0,
    failedRows: 0,
    rejects: [],
    batches: 0,
  };
  const batches = readBatches(request, limits, { batchRows: limits.IMPORT_BATCH_ROWS, clock });
  for await (const batch of batches) {
    const result = await writeBatch(db, change, request.kind, batch);
    addBatch(outcome, result);
    if (auditJobId) await auditBatch(db, change, auditJobId, outcome.batches, batch, result);
  }
  return outcome;
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
