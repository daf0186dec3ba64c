/**
 * Keyset paging newest first on `(column, id)`: the rows strictly after the
 * cursor, ordered by the column then id descending, one more than the page
 * so the caller knows whether another page follows. Stable under concurrent
 * inserts, unlike OFFSET.
 */
import { type SelectQueryBuilder, sql } from 'kysely';
import type { Cursor } from './pagination.ts';

/**
 * Applies the cursor condition, the newest-first order and `limit + 1` to a single-table query.
 *
 * @example
 * const rows = await newestFirst(db.selectFrom('deliveries').selectAll(), 'created_at', after, 25).execute();
 */
export function newestFirst<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: 'created_at' | 'updated_at',
  after: Cursor | undefined,
  limit: number,
): SelectQueryBuilder<DB, TB, O> {
  const time = sql.ref(column);
  const id = sql.ref('id');
  const paged = after
    ? query.where(
        sql<boolean>`(${time} < ${after.time} or (${time} = ${after.time} and ${id} < ${after.id}))`,
      )
    : query;
  return paged
    .orderBy(time, 'desc')
    .orderBy(id, 'desc')
    .limit(limit + 1);
}
