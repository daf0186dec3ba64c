/**
 * The shape of a kind's batched write: `prepare` normalises one validated
 * row and checks it against earlier rows of the file (no database, so a
 * resumed job replays it over the rows already committed and reaches the
 * same state), and `write` stores a batch of prepared rows with multi-row
 * statements, returning the rejects of the rows the database refused.
 * Dry runs and applies call both, so their rejects are the same.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { ChangeContext } from '../../kernel/change.ts';
import type { RowPosition, RowReject } from '../row-kind.ts';

/**
 * One prepared row: its file row and the value `write` stores.
 *
 * @example
 * const prepared: PreparedRow<{ phone: string }> = { row: 2, value: { phone: '+905321234567' } };
 */
export interface PreparedRow<T = unknown> {
  row: number;
  value: T;
}

/**
 * What `prepare` answers: the value to write, or the row's rejects.
 *
 * @example
 * const out: Prepared<string> = { ok: true, value: 'x' };
 */
export type Prepared<T> = { ok: true; value: T } | { ok: false; rejects: RowReject[] };

/**
 * A kind's batched writer.
 *
 * @example
 * const kind: BatchKind<Input> = { prepare: (input) => ({ ok: true, value: input }), write: async () => [] };
 */
export interface BatchKind<T = unknown> {
  prepare(input: Record<string, unknown>, at: RowPosition): Prepared<T>;
  /**
   * Writes `rows` (in file order) in the caller's transaction. It must leave
   * the transaction usable: read-only checks and `ON CONFLICT` writes only.
   */
  write(
    db: Kysely<DB>,
    change: ChangeContext,
    rows: readonly PreparedRow<T>[],
  ): Promise<RowReject[]>;
}

/**
 * `rows` cut into slices of at most `size`, for statements that stay under
 * the database's bind-parameter limit.
 *
 * @example
 * for (const slice of slices(rows, 500)) await db.insertInto('leads').values(slice).execute();
 */
export function* slices<T>(rows: readonly T[], size: number): Generator<T[]> {
  for (let at = 0; at < rows.length; at += size) yield rows.slice(at, at + size);
}

/**
 * A kind whose rows need no preparing.
 *
 * @example
 * const prepare = passThrough<PatientInput>();
 */
export function passThrough<T>(): BatchKind<T>['prepare'] {
  return (input) => ({ ok: true, value: input as T });
}
