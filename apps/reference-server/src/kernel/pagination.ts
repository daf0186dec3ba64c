/**
 * Keyset pagination. Lists are ordered by `(created_at, id)` — resources
 * oldest first, events and audit records newest first
 * (or another time column); the cursor is that pair for the last row of a
 * page plus the name of its list, base64url-encoded JSON. It is opaque to
 * callers: a cursor that does not decode, comes from another list, or holds
 * anything this server would not have written (a time not in the ISO form
 * `toISOString` gives or outside the contract's years, an id that is not a
 * public id or an event sequence) is a 400 `invalid_cursor`, so nothing forged reaches a query.
 */
import { DEFAULT_PAGE_SIZE, MAX_YEAR, MIN_YEAR, type Page } from '@clinicbridge/sdk/contract';
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

// What encodeCursor writes: toISOString's form, and a prefixed public id
// (or, for the events list, the event's sequence number).
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ROW_ID = /^(?:[a-z0-9]{2,5}_[0-9A-Za-z]{16,64}|\d{1,15})$/;

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
      ISO_TIME.test(parsed[1]) &&
      typeof parsed[2] === 'string' &&
      ROW_ID.test(parsed[2])
    ) {
      const time = new Date(parsed[1]);
      const year = time.getUTCFullYear();
      // Round-tripping rejects impossible dates (2026-02-30) that Date would roll over.
      if (time.toISOString() === parsed[1] && year >= MIN_YEAR && year <= MAX_YEAR) {
        return { time, id: parsed[2] };
      }
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
