/**
 * The one pipeline of dry runs and applies: records are read (limits
 * checked as they are), the header resolved, each row validated by its
 * kind's schema and prepared (normalised, checked against earlier rows of
 * the file), and handed out in batches of `batchRows` rows. The caller
 * writes each batch (`writeBatch`) and decides what a batch's transaction
 * is: the request's (small imports) or its own (background jobs).
 * A resumed job passes `skipThroughRow`: the rows up to it are read and
 * prepared again (so the file's de-duplication state is the same) but not
 * handed out, as they were committed before.
 */
import { setImmediate } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { keyRingOf } from '../../crypto/keys.ts';
import type { DB } from '../../db/schema.ts';
import type { ChangeContext } from '../../kernel/change.ts';
import { ApiError } from '../../kernel/problem.ts';
import type { ImportsConfig } from '../config.ts';
import { type ImportFormat, type ImportKind, resolveHeader, rowToInput } from '../kinds.ts';
import { type ImportContent, type ImportRecord, readRecords } from '../read.ts';
import { isError, type RowPosition, type RowReject } from '../row-kind.ts';
import { type PreparedRow, slices } from './batch-kind.ts';
import { batchKinds } from './kinds.ts';

/** Rows read, or sealed, between two turns of the event loop. */
const TURN_ROWS = 50;

/**
 * What is read: kind, format and content.
 *
 * @example
 * const source: ImportSource = { kind: 'leads', format: 'csv', content };
 */
export interface ImportSource {
  kind: ImportKind;
  format: ImportFormat;
  content: ImportContent;
  /** Source header → canonical field (a saved or inline mapping, checked); read before the aliases. */
  mapping?: Readonly<Record<string, string>> | undefined;
}

/**
 * One batch of rows, read and validated, not yet written.
 *
 * @example
 * for await (const batch of readBatches(source, limits, { batchRows: 1_000 })) console.log(batch.lastRow);
 */
export interface Batch {
  /** File row of the last record in the batch: the resume point once it is committed. */
  lastRow: number;
  firstRow: number;
  /** Records in the batch. */
  rows: number;
  prepared: PreparedRow<never>[];
  /** Rejects found before writing (validation, earlier rows of the file). */
  rejects: RowReject[];
  /** True once the kind's `seal` step has run on `prepared` (see {@link sealBatch}). */
  sealed?: boolean;
}

/**
 * Options of {@link readBatches}.
 *
 * @example
 * const options: BatchOptions = { batchRows: 1_000, skipThroughRow: 5_001 };
 */
export interface BatchOptions {
  batchRows: number;
  skipThroughRow?: number;
  clock?: () => number;
}

/**
 * The batches of `source`; a limit or an unreadable file throws.
 *
 * @example
 * for await (const batch of readBatches(source, limits, { batchRows: 1_000 })) await writeBatch(trx, change, 'leads', batch);
 */
export async function* readBatches(
  source: ImportSource,
  limits: ImportsConfig,
  options: BatchOptions,
): AsyncGenerator<Batch> {
  const kind = batchKinds[source.kind];
  const skip = options.skipThroughRow ?? 0;
  const seen: RowPosition['seen'] = new Map();
  let header: ReturnType<typeof resolveHeader> | undefined;
  let batch: Batch | undefined;
  const records = readRecords(source.format, source.content, limits, options.clock, {
    chunkRows: options.batchRows,
  });
  let read = 0;
  for await (const record of records) {
    // Content in memory reads without a turn of the event loop; a turn now
    // and then lets a batch being written meanwhile hear from the database.
    if (++read % TURN_ROWS === 0) await setImmediate();
    if (!header || source.format === 'ndjson') {
      header = checkHeader(source, Object.keys(record.cells), record);
    }
    const found: RowReject[] = [];
    let prepared: PreparedRow<never> | undefined;
    if (record.malformed) {
      found.push({
        row: record.row,
        column: null,
        value: null,
        message: record.malformed,
        code: 'malformed_row',
      });
    } else {
      const parsed = rowToInput(source.kind, header.map, record.row, record.cells);
      if (!parsed.ok) found.push(...parsed.rejects);
      else {
        const out = kind.prepare(parsed.input, { row: record.row, seen });
        if (out.ok) prepared = { row: record.row, value: out.value };
        else found.push(...out.rejects);
      }
    }
    if (record.row <= skip) continue;
    batch ??= { firstRow: record.row, lastRow: record.row, rows: 0, prepared: [], rejects: [] };
    batch.rows += 1;
    batch.lastRow = record.row;
    if (prepared) batch.prepared.push(prepared);
    batch.rejects.push(...found);
    if (batch.rows >= options.batchRows) {
      yield batch;
      batch = undefined;
    }
  }
  if (batch) yield batch;
}

/**
 * The batch with its kind's `seal` step done (ids, encryption): CPU only,
 * no database, so the caller may run it before the batch's transaction
 * opens. It seals {@link TURN_ROWS} rows at a time and lets the event
 * loop turn in between, so the database's answers to a batch being written
 * meanwhile are read at once instead of after the whole batch (the runner
 * seals the next batch while the database inserts this one). Once only: a
 * sealed batch comes back as it is.
 *
 * @example
 * const ready = await sealBatch(db, { ...change, now: new Date() }, 'patients', batch);
 */
export async function sealBatch(
  db: Kysely<DB>,
  change: ChangeContext,
  kind: ImportKind,
  batch: Batch,
): Promise<Batch> {
  const writer = batchKinds[kind];
  if (batch.sealed || !writer.seal || batch.prepared.length === 0) {
    return { ...batch, sealed: true };
  }
  const prepared: PreparedRow<never>[] = [];
  for (const slice of slices(batch.prepared, TURN_ROWS)) {
    if (prepared.length > 0) await setImmediate();
    for (const row of writer.seal(keyRingOf(db), change, slice)) prepared.push(row as never);
  }
  return { ...batch, prepared, sealed: true };
}

/**
 * Counts and rejects of one written batch.
 *
 * @example
 * const { accepted, rejected } = await writeBatch(trx, change, 'patients', batch);
 */
export interface BatchResult {
  rows: number;
  accepted: number;
  rejected: number;
  /** In file order. */
  rejects: RowReject[];
}

/**
 * Writes a batch in the caller's transaction (sealing it first unless it
 * was) and counts it: a row is accepted unless one of its rejects is an
 * error (warnings keep it).
 *
 * @example
 * const result = await writeBatch(trx, change, 'patients', batch);
 */
export async function writeBatch(
  db: Kysely<DB>,
  change: ChangeContext,
  kind: ImportKind,
  batch: Batch,
): Promise<BatchResult> {
  const { prepared } = await sealBatch(db, change, kind, batch);
  const written = prepared.length > 0 ? await batchKinds[kind].write(db, change, prepared) : [];
  const rejects = [...batch.rejects, ...written].sort((a, b) => a.row - b.row);
  const failed = new Set(rejects.filter(isError).map((r) => r.row));
  return {
    rows: batch.rows,
    accepted: batch.rows - failed.size,
    rejected: failed.size,
    rejects,
  };
}

/**
 * Reads the whole file without validating or writing a row: every limit and
 * the header are checked, so a file that would be refused is refused before
 * it is queued (a hostile file gets its 4xx at once, and a queued job does
 * not stop half-way on a limit).
 *
 * @example
 * await scanFile({ kind: 'patients', format: 'csv', content }, limits);
 */
export async function scanFile(source: ImportSource, limits: ImportsConfig): Promise<number> {
  let rows = 0;
  let header = false;
  for await (const record of readRecords(source.format, source.content, limits, undefined, {
    chunkRows: limits.IMPORT_BATCH_ROWS,
  })) {
    if (!header || source.format === 'ndjson') {
      checkHeader(source, Object.keys(record.cells), record);
      header = true;
    }
    rows += 1;
  }
  return rows;
}

function checkHeader(
  { kind, format, mapping }: ImportSource,
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
