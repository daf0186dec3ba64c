/**
 * The shape of a kind's batched write: `prepare` normalises one validated
 * row and checks it against earlier rows of the file (no database, so a
 * resumed job replays it over the rows already committed and reaches the
 * same state), and `write` stores a batch of prepared rows with multi-row
 * statements, returning the rejects of the rows the database refused.
 * Dry runs and applies call both, so their rejects are the same. A kind
 * may also `seal` a batch (CPU only: ids, encryption) before it is written.
 */
import type { Kysely } from 'kysely';
import type { KeyRing } from '../../crypto/field-encryption.ts';
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
 * A kind's batched writer. `S` is what `write` stores: the prepared value
 * itself, or what the kind's `seal` step makes of it.
 *
 * @example
 * const kind: BatchKind<Input> = { prepare: (input) => ({ ok: true, value: input }), write: async () => [] };
 */
export interface BatchKind<T = unknown, S = T> {
  prepare(input: Record<string, unknown>, at: RowPosition): Prepared<T>;
  /**
   * Optional CPU-only work on a whole batch (ids, timestamps, encryption),
   * with no database and no rejects, so a caller can run it before the
   * batch's transaction opens (the background runner: while the previous
   * batch is being written). A kind without it has `S` = `T`.
   */
  seal?(ring: KeyRing, change: ChangeContext, rows: readonly PreparedRow<T>[]): PreparedRow<S>[];
  /**
   * Writes `rows` (in file order, sealed when the kind seals) in the caller's
   * transaction. It must leave the transaction usable: read-only checks and
   * `ON CONFLICT` writes only.
   */
  /**
   * True when a batch may write its rows while the batch before it is still
   * committing (see ../runner.ts): only for a `write` that takes no lock a
   * later batch's `write` could take first (plain inserts of fresh rows: no
   * `ON CONFLICT` on keys another batch may hold, no audit chain, no
   * events). Otherwise the earlier batch could wait in the database on the
   * later one, which waits for it to commit.
   */
  overlapWrites?: boolean;
  write(
    db: Kysely<DB>,
    change: ChangeContext,
    rows: readonly PreparedRow<S>[],
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
