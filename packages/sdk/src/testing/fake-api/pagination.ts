/**
 * Cursor pagination of the fake API. A cursor is opaque to callers: base64url
 * of the list it belongs to and the sequence of the last row returned. A
 * cursor that does not decode, or that belongs to another list, is rejected
 * with `invalid_cursor` rather than silently restarting from the top.
 */
import { DEFAULT_PAGE_SIZE, type Page } from '../../contract/index.ts';
import type { Row } from './collection.ts';
import { ApiProblem } from './problem.ts';

/**
 * Direction of a list: oldest first, or newest first (events, audit).
 *
 * @example
 * paginate('events.list', tenant.events.rows(), query, 'desc' satisfies ListOrder);
 */
export type ListOrder = 'asc' | 'desc';

/**
 * The `limit`/`cursor` of a parsed list query.
 *
 * @example
 * const request: PageRequest = { limit: 10, cursor: page.nextCursor ?? undefined };
 */
export interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
}

const PREFIX = 'cb1';

// btoa/atob rather than Buffer: the handlers also run in browsers. The
// content is ASCII (operation ids and digits), so no UTF-8 step is needed.
function encodeCursor(list: string, seq: number): string {
  return btoa(`${PREFIX}:${list}:${seq}`)
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

function decodeBase64Url(value: string): string | null {
  try {
    return atob(value.replaceAll('-', '+').replaceAll('_', '/'));
  } catch {
    return null;
  }
}

function decodeCursor(list: string, cursor: string): number {
  const invalid = new ApiProblem(
    'invalid_cursor',
    'the cursor is not one this list returned; pass nextCursor from the previous page unchanged',
  );
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
  const decoded = decodeBase64Url(cursor);
  if (decoded === null) throw invalid;
  const [prefix, owner, seq, ...rest] = decoded.split(':');
  if (prefix !== PREFIX || owner !== list || rest.length > 0 || !seq || !/^\d{1,15}$/.test(seq)) {
    throw invalid;
  }
  return Number(seq);
}

/**
 * One page of already filtered rows.
 *
 * @example
 * paginate('appointments.list', tenant.appointments.rows(), { limit: 10 }, 'asc');
 */
export function paginate<T>(
  list: string,
  rows: readonly Row<T>[],
  request: PageRequest,
  order: ListOrder,
): Page<T> {
  const limit = request.limit ?? DEFAULT_PAGE_SIZE;
  const sorted = [...rows].sort((a, b) => (order === 'asc' ? a.seq - b.seq : b.seq - a.seq));
  let remaining = sorted;
  if (request.cursor !== undefined) {
    const after = decodeCursor(list, request.cursor);
    remaining = sorted.filter((r) => (order === 'asc' ? r.seq > after : r.seq < after));
  }
  const pageRows = remaining.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    data: pageRows.map((r) => r.value),
    nextCursor: remaining.length > limit && last ? encodeCursor(list, last.seq) : null,
  };
}
