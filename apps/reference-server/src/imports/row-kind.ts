/**
 * The shapes every import kind shares: a column (canonical name, header
 * aliases, whether it is required or personal), a reject with its
 * severity, and where a row is in its file.
 */

/**
 * One column of a kind.
 *
 * @example
 * const column: Column = { name: 'email', aliases: ['e_mail'], personal: true };
 */
export interface Column {
  /** Canonical name (camelCase, as in NDJSON keys and rejects). */
  name: string;
  aliases: readonly string[];
  required?: boolean;
  /** Masked in rejects: only the first character is shown. */
  personal?: boolean;
  boolean?: boolean;
}

/**
 * One reject: the row, the column (canonical name), the cell (masked where
 * personal), why, a stable code, and its severity: an `error` keeps the row
 * out, a `warning` reports a row that was kept.
 *
 * @example
 * const reject: RowReject = { row: 3, column: 'email', value: 'n***', message: 'Invalid email address', code: 'invalid_format', severity: 'error' };
 */
export interface RowReject {
  row: number;
  column: string | null;
  value: string | null;
  message: string;
  code: string;
  severity?: 'error' | 'warning';
}

/**
 * Where a row is, and what the run has seen so far (keys by purpose, for de-duplication within a file).
 *
 * @example
 * const at: RowPosition = { row: 2, seen: new Map() };
 */
export interface RowPosition {
  row: number;
  seen: Map<string, Map<string, number>>;
}

/**
 * True when a reject keeps its row out (errors, and rejects without a severity).
 *
 * @example
 * rejects.some(isError); // the row failed
 */
export function isError(reject: RowReject): boolean {
  return reject.severity !== 'warning';
}

/**
 * The first row of the file that had `key` for `purpose`, or records `row` as the first.
 *
 * @example
 * const earlier = firstSeen(at, 'phone', '+905321234567'); // undefined the first time
 */
export function firstSeen(at: RowPosition, purpose: string, key: string): number | undefined {
  let keys = at.seen.get(purpose);
  if (!keys) {
    keys = new Map();
    at.seen.set(purpose, keys);
  }
  const earlier = keys.get(key);
  if (earlier === undefined) keys.set(key, at.row);
  return earlier;
}
