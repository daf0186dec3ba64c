/**
 * The background import runner, a scheduler job: it leases one due job
 * (`FOR UPDATE SKIP LOCKED`, see ../scheduler/lease-due.ts), reads its
 * stored content through the same pipeline as a request would, and commits
 * each batch in its own transaction together with the job's progress
 * (counts, first rejects, the file row it has committed through) and, for
 * an apply, one `import.batch_applied` audit row. A dry run writes each
 * batch inside a savepoint rolled back before the progress is committed.
 * A batch is read and sealed (ids, encryption) outside its transaction,
 * while the batch before it is being written.
 *
 * Crashes: a process that dies mid-batch loses that batch's transaction
 * whole; once the lease runs out another runner takes the job and resumes
 * after `committed_through_row`, replaying the earlier rows' preparation
 * (not their writes) so the file's de-duplication state is the same. Each
 * batch re-reads the job row `FOR UPDATE` and stops if another runner has
 * moved it on, so no batch is committed twice. A limit or an unreadable
 * file fails the job cleanly: what was committed stays, counted, and the
 * job is `failed` with the reason. Other errors (the database went away)
 * leave the job to be leased again, at most `MAX_ATTEMPTS` times.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { isApiError } from '../kernel/problem.ts';
import type { BusJob } from '../scheduler/dispatcher.ts';
import { leaseDue } from '../scheduler/lease-due.ts';
import { batchKinds } from './batch/kinds.ts';
import { type Batch, readBatches, sealBatch, writeBatch } from './batch/pipeline.ts';
import type { ImportsConfig } from './config.ts';
import type { RowReject } from './row-kind.ts';
import { addBatch, auditBatch, type ImportOutcome, MAX_REPORTED_REJECTS } from './service.ts';

/** Leases after which a job that keeps failing unexpectedly is failed. */
export const MAX_ATTEMPTS = 5;

class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/**
 * The runner as a scheduler job; resolves to the number of jobs it worked on.
 *
 * @example
 * const jobs: BusJob[] = [importJobRunner(db, limits)];
 */
export function importJobRunner(
  db: Kysely<DB>,
  limits: ImportsConfig,
  options: { onError?: (error: unknown, jobId: string) => void } = {},
): BusJob {
  return async (now: Date) => {
    const leaseMs = limits.IMPORT_JOB_LEASE_MILLISECONDS;
    const due = await leaseDue(db, 'import_jobs', now, { batch: 1, leaseMs });
    for (const job of due) {
      try {
        await runImportJob(db, job, limits);
      } catch (error) {
        options.onError?.(error, job.id);
      }
    }
    return due.length;
  };
}

/**
 * Works one leased job to its end (or until its lease is lost).
 *
 * @example
 * await runImportJob(db, leasedRow, limits);
 */
export async function runImportJob(
  db: Kysely<DB>,
  leased: Row<'import_jobs'>,
  limits: ImportsConfig,
): Promise<void> {
  const change: ChangeContext = {
    tenantId: leased.tenant_id,
    actor: { type: leased.actor_type, id: leased.actor_id } as ChangeContext['actor'],
    requestId: null,
    now: new Date(),
  };
  if (leased.status === 'completed' || leased.status === 'failed') {
    await db
      .updateTable('import_jobs')
      .set({ next_check_at: null })
      .where('id', '=', leased.id)
      .execute();
    return;
  }
  const attempts = leased.attempts + 1;
  await db
    .updateTable('import_jobs')
    .set({ status: 'processing', attempts, updated_at: new Date() })
    .where('id', '=', leased.id)
    .execute();
  const file = await db
    .selectFrom('import_job_files')
    .select(['job_id', 'mapping', 'pieces'])
    .where('job_id', '=', leased.id)
    .executeTakeFirst();
  if (!file) {
    await finish(db, change, leased.id, 'failed', {
      code: 'import_content_missing',
      message: 'The content of this import is no longer stored; send the file again.',
    });
    return;
  }
  try {
    const batches = readBatches(
      {
        kind: leased.kind,
        format: leased.format,
        content: storedContent(db, leased.id, file.pieces),
        mapping: file.mapping ? (JSON.parse(file.mapping) as Record<string, string>) : undefined,
      },
      limits,
      { batchRows: limits.IMPORT_BATCH_ROWS, skipThroughRow: leased.committed_through_row },
    );
    await commitEach(db, change, leased, batches, limits);
    await finish(db, change, leased.id, 'completed', null);
  } catch (error) {
    if (error instanceof LeaseLost) return;
    if (isApiError(error) && error.status < 500) {
      await finish(db, change, leased.id, 'failed', {
        code: error.code,
        message: error.detail ?? error.message,
      });
      return;
    }
    if (attempts >= MAX_ATTEMPTS) {
      await finish(db, change, leased.id, 'failed', {
        code: 'import_failed',
        message: `The import stopped on an internal error ${attempts} times; what was committed is counted. Contact support.`,
      });
    }
    throw error;
  }
}

/**
 * Commits batch after batch, reading and sealing the next one while the
 * current one is being written: the file's parsing and encryption (this
 * process's CPU) overlap the database's work instead of waiting for it.
 * Only one batch is read ahead, so memory stays bounded; if a commit
 * fails, the batch read ahead is dropped and the reading stops.
 *
 * For a kind that allows it (`overlapWrites`), a batch's transaction
 * writes its rows while the batch before it is still committing, on a
 * second connection, so the database works on two batches at once; its
 * bookkeeping (the job row, the audit row) and its commit wait for the
 * batch before it, so batches still commit in file order and the resume
 * point moves row by row. At most two batch transactions are open.
 */
async function commitEach(
  db: Kysely<DB>,
  change: ChangeContext,
  leased: Row<'import_jobs'>,
  batches: AsyncGenerator<Batch>,
  limits: ImportsConfig,
): Promise<void> {
  const overlap = batchKinds[leased.kind].overlapWrites === true;
  const readNext = () =>
    batches
      .next()
      .then((step) =>
        step.done ? null : sealBatch(db, { ...change, now: new Date() }, leased.kind, step.value),
      );
  let next = readNext();
  // The commit of the batch before the current one: the current one's bookkeeping waits for it.
  let previous: Promise<void> = Promise.resolve();
  let current = previous;
  let through = leased.committed_through_row;
  try {
    for (let batch = await next; batch !== null; batch = await next) {
      next = readNext();
      // Settled later (awaited here or below): never an unhandled rejection meanwhile.
      next.catch(() => {});
      current = commitBatch(db, change, leased, batch, through, limits, previous);
      current.catch(() => {});
      through = batch.lastRow;
      // Overlapping, only the batch before must be done: this one writes its rows meanwhile.
      await (overlap ? previous : current);
      previous = current;
    }
    await current;
  } catch (error) {
    await Promise.allSettled([next, previous, current]);
    await batches.return(undefined);
    throw error;
  }
}

/** Characters read per query from content stored whole (a job queued before pieces). */
const PIECE_CHARS = 1_048_576;

/** The stored content piece by piece, so the runner never holds a large file whole. */
function storedContent(db: Kysely<DB>, jobId: string, pieces: number): () => AsyncIterable<string> {
  if (pieces === 0) return storedWhole(db, jobId);
  return async function* () {
    for (let seq = 0; seq < pieces; seq++) {
      const row = await db
        .selectFrom('import_job_file_pieces')
        .select('piece')
        .where('job_id', '=', jobId)
        .where('seq', '=', seq)
        .executeTakeFirst();
      // Dropped by the runner that finished the job after taking it over.
      if (!row) throw new LeaseLost();
      yield row.piece;
    }
  };
}

/** Content stored in one column, read in `substr` pieces. */
function storedWhole(db: Kysely<DB>, jobId: string): () => AsyncIterable<string> {
  return async function* () {
    for (let from = 1; ; from += PIECE_CHARS) {
      const row = await db
        .selectFrom('import_job_files')
        .select(sql<string>`substr(content, ${from}, ${PIECE_CHARS})`.as('piece'))
        .where('job_id', '=', jobId)
        .executeTakeFirst();
      // Dropped by the runner that finished the job after taking it over.
      if (!row) throw new LeaseLost();
      if (row.piece !== '') yield row.piece;
      if (row.piece.length < PIECE_CHARS) return;
    }
  };
}

/**
 * One batch and the job's progress, in one transaction: the rows first (a
 * dry run's rolled back to a savepoint), then, once `after` (the commit of
 * the batch before) has settled, the job row checked and moved on, and the
 * audit row. If the batch before failed, this one rolls back too.
 */
async function commitBatch(
  db: Kysely<DB>,
  base: ChangeContext,
  leased: Row<'import_jobs'>,
  batch: Batch,
  through: number,
  limits: ImportsConfig,
  after: Promise<void>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const change = { ...base, now: new Date() };
    if (leased.dry_run) await sql`savepoint import_batch`.execute(trx);
    const result = await writeBatch(trx, change, leased.kind, batch);
    if (leased.dry_run) await sql`rollback to savepoint import_batch`.execute(trx);
    await after;
    const job = await trx
      .selectFrom('import_jobs')
      .selectAll()
      .where('id', '=', leased.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // Another runner took the job over (this one's lease ran out): it owns the rest.
    if (job.committed_through_row !== through || job.status !== 'processing') throw new LeaseLost();
    const now = new Date();
    const outcome: ImportOutcome = {
      totalRows: job.total_rows,
      importedRows: job.imported_rows,
      failedRows: job.failed_rows,
      rejects: (job.errors as RowReject[]).slice(0, MAX_REPORTED_REJECTS),
      batches: job.batches,
    };
    addBatch(outcome, result);
    await trx
      .updateTable('import_jobs')
      .set({
        total_rows: outcome.totalRows,
        imported_rows: outcome.importedRows,
        failed_rows: outcome.failedRows,
        errors: JSON.stringify(outcome.rejects),
        rows_read: job.rows_read + batch.rows,
        batches: outcome.batches,
        committed_through_row: batch.lastRow,
        next_check_at: new Date(now.getTime() + limits.IMPORT_JOB_LEASE_MILLISECONDS),
        updated_at: now,
      })
      .where('id', '=', job.id)
      .execute();
    if (!job.dry_run) {
      await auditBatch(trx, { ...change, now }, job.id, outcome.batches, batch, result);
    }
  });
}

/** Ends the job: its status, the reason of a failure, the content dropped, one audit row with the totals. */
async function finish(
  db: Kysely<DB>,
  base: ChangeContext,
  id: string,
  status: 'completed' | 'failed',
  failure: { code: string; message: string } | null,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const now = new Date();
    const job = await trx
      .updateTable('import_jobs')
      .set({
        status,
        completed_at: now,
        updated_at: now,
        next_check_at: null,
        failure_code: failure?.code ?? null,
        failure_detail: failure?.message.slice(0, 500) ?? null,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('import_job_files').where('job_id', '=', id).execute();
    await auditChange(trx, { ...base, now }, `import.${status}`, 'import', id, {
      dryRun: job.dry_run,
      totalRows: job.total_rows,
      importedRows: job.imported_rows,
      failedRows: job.failed_rows,
      batches: job.batches,
      ...(failure ? { failureCode: failure.code } : {}),
    });
  });
}
