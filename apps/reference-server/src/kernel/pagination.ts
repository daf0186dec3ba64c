/**
 * Keyset pagination. Lists are ordered by `(created_at, id)` — resources
 * oldest first, events and audit records newest first
 * (or another time column); the cursor is that pair for the last row of a
 * page plus the name of its list, base64url-encoded JSON. It is opaque to
 * callers: a cursor that does not decode, or comes from another list, is a
 * 400 `invalid_cursor`.
 */
import { DEFAULT_PAGE_SIZE, type Page } from '@clinicbridge/sdk/contract';
import { ApiError } from './problem.ts';

/**
 * Position after which the next page starts.
 *
 * @example
 * const cursor: Cursor = { time: row.created_at, id: row.id };
 */
export interface Cursor {
  time: Date;
  id: string;
}

/**
 * Encodes a cursor.
 *
 * @example
 * encodeCursor({ time: new Date(0), id: 'apt_…' }, 'appointments'); // 'WyJhcHBv…'
 */
export function encodeCursor(cursor: Cursor, list: string): string {
  return Buffer.from(JSON.stringify([list, cursor.time.toISOString(), cursor.id])).toString(
    'base64url',
  );
}

/**
 * Decodes a cursor from a query, or throws `invalid_cursor`.
 *
 * @example
 * const after = decodeCursor(query.cursor, 'appointments'); // undefined on the first page
 */
export function decodeCursor(value: string | undefined, list: string): Cursor | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      parsed[0] === list &&
      typeof parsed[1] === 'string' &&
      typeof parsed[2] === 'string' &&
      parsed[2].length <= 100
    ) {
      const time = new Date(parsed[1]);
      if (!Number.isNaN(time.getTime())) return { time, id: parsed[2] };
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError(
    'invalid_cursor',
    'The cursor is not one this server issued; start from the first page.',
  );
}

/**
 * Page size of a list query.
 *
 * @example
 * pageSize(query.limit); // 25 when not given
 */
export function pageSize(limit: number | undefined): number {
  return limit ?? DEFAULT_PAGE_SIZE;
}

/**
 * Turns `limit + 1` fetched rows into a page and its next cursor.
 *
 * @example
 * return toPage(rows, limit, 'appointments', (r) => ({ time: r.created_at, id: r.id }), toAppointment);
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  list: string,
  key: (row: R) => Cursor,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(map),
    nextCursor: more && last !== undefined ? encodeCursor(key(last), list) : null,
  };
}
