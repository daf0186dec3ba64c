/**
 * An idempotent write as one statement (issue 16). On PostgreSQL, a write
 * whose handler can describe its work as one data-modifying statement (a
 * {@link PlannedWrite}) runs as ONE named prepared statement in autocommit:
 * the key's lookup under its lock (with the cached API key's
 * confirmation), the service's statement, the audit row appended to the
 * tenant's chain, the outbox event and the stored response, where the
 * transaction path (http/operations.ts) sends BEGIN, three statements and
 * COMMIT. One statement is one transaction: all of it commits or none.
 *
 * The transaction path's guarantees hold:
 * - The key's advisory lock is tried first. The write goes ahead only when
 *   the lock was taken, the key has no live stored row and a cached API
 *   key is unchanged; otherwise nothing is written and the row read says
 *   what to answer, as the transaction path's lookup would.
 * - A duplicate that committed after this statement's snapshot was taken
 *   but before it took the lock is not seen by its lookup. Storing the
 *   response then violates the key's primary key, the whole statement
 *   rolls back, and the caller runs the transaction path, which sees the
 *   duplicate and replays it. An expired row of the key (taken over only
 *   by the transaction path) goes the same way.
 * - The audit row is appended through `audit_chain_next`, under the
 *   tenant's chain lock, like every other append; the chain lock is taken
 *   only when the service's statement wrote its row.
 * - With `deferEventHint` the event's `NOTIFY` is deferred (the lookup sets
 *   the outbox trigger's setting) and the caller sends the hint after
 *   commit; without it the trigger NOTIFYs in this statement's commit
 *   (kernel/event-hint.ts says when).
 *
 * What does not fit (those conflicts, a lapsed claim of an earlier server
 * version) answers `fallback` with nothing written.
 */
import { preparedName, type RunPrepared } from '../db/prepared.ts';
import { type ChangeRows, changeCtes, changeParameters } from './held-change.ts';
import {
  classifyStoredKey,
  IDEMPOTENCY_TTL_MS,
  type IdempotentRequest,
  type KeyLookup,
  type KeyLookupRow,
  keyLookupParameters,
  keyLookupSql,
  StaleCachedKey,
} from './idempotency.ts';

/**
 * A write described instead of run: the service's one data-modifying
 * statement, the change it records and the response it gives.
 *
 * @example
 * const plan: PlannedWrite = { statement: insertForPatient, values, change: changeRowsOf(change, entry), result: toAppointment(row), notWritten: () => new ApiError('not_found', '…') };
 */
export interface PlannedWrite {
  /**
   * The statement's text with its parameters from `$first`, writing only
   * when the SQL condition `gate` holds and returning a row when it wrote
   * (none when its own check failed). The same `first` and `gate` must give
   * the same text: it is prepared once.
   */
  statement: (first: number, gate: string) => string;
  /** The statement's parameters, as many for every call. */
  values: unknown[];
  /** The audit row and event of the change (kernel/record-change.ts `changeRowsOf`). */
  change: ChangeRows;
  /** The response body of the write. */
  result: unknown;
  /** The error when the statement wrote no row (its own check failed). */
  notWritten: () => Error;
}

/**
 * What became of a write run as one statement: `done` (committed),
 * `fallback` (nothing written; run the transaction path), or what an
 * earlier request with the key says.
 *
 * @example
 * if (outcome.kind === 'fallback') return runInTransaction();
 */
export type OneStatementOutcome =
  | { kind: 'done' }
  | { kind: 'fallback' }
  | Exclude<KeyLookup, { kind: 'new' }>;

/**
 * Runs `plan` under `request`'s key as one prepared statement; throws
 * {@link StaleCachedKey} when `cachedKey` changed (nothing written) and the
 * plan's `notWritten()` when its statement wrote nothing for a new key.
 *
 * @example
 * const outcome = await writeInOneStatement(run, request, plan, { status: 201, body }, now, { deferEventHint: true, cachedKey: auth.cachedKey });
 * if (outcome.kind === 'done') hint.leave(true);
 */
export async function writeInOneStatement(
  run: RunPrepared,
  request: IdempotentRequest,
  plan: PlannedWrite,
  response: { status: number; body: unknown },
  now: Date,
  options: {
    /** Leave the event's `NOTIFY` to the caller's hint after commit. */
    deferEventHint: boolean;
    cachedKey?: { keyHash: string; id: string; version: string } | undefined;
  },
): Promise<OneStatementOutcome> {
  const { cachedKey } = options;
  const statement = preparedStatement(plan, cachedKey !== undefined, options.deferEventHint);
  const values = [
    ...keyLookupParameters(request, now, cachedKey?.id),
    request.credentialId,
    request.fingerprint,
    request.operationId,
    response.status,
    JSON.stringify(response.body ?? null),
    new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
    ...(cachedKey ? [cachedKey.version] : []),
    ...plan.values,
    ...changeParameters(plan.change),
  ];
  let rows: Record<string, unknown>[];
  try {
    rows = await run(statement.name, statement.text, values);
  } catch (error) {
    // The key's row exists after all (see the module header): rolled back whole.
    if (isKeyConflict(error)) return { kind: 'fallback' };
    throw error;
  }
  const row = rows[0] as (WriteRow & { key_version?: string | null }) | undefined;
  if (!row) throw new Error('the one-statement write returned no row');
  if (cachedKey && row.key_version !== cachedKey.version) {
    throw new StaleCachedKey(cachedKey.keyHash);
  }
  if (!row.locked) return { kind: 'in_flight' };
  if (Number(row.written) > 0) {
    // A plain insert stores the response or fails the statement: this cannot be 0.
    if (Number(row.stored) !== 1) throw new Error('the one-statement write stored no response');
    return { kind: 'done' };
  }
  const found = classifyStoredKey(row, request, now);
  if (found.kind !== 'new') return found;
  // A lapsed claim is taken over by the transaction path only.
  if (row.fingerprint !== null) return { kind: 'fallback' };
  throw plan.notWritten();
}

interface WriteRow extends KeyLookupRow {
  written: number | string;
  stored: number | string;
}

function isKeyConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'idempotency_keys_pk';
}

interface Prepared {
  name: string;
  text: string;
}

// The texts by the plan's statement and shape: each is built, named and prepared once.
const prepared = new WeakMap<PlannedWrite['statement'], Map<string, Prepared>>();

function preparedStatement(plan: PlannedWrite, confirm: boolean, defer: boolean): Prepared {
  let shapes = prepared.get(plan.statement);
  if (!shapes) {
    shapes = new Map();
    prepared.set(plan.statement, shapes);
  }
  const shape = `${confirm}:${defer}:${plan.values.length}:${plan.change.event ? 'event' : 'audit'}`;
  let found = shapes.get(shape);
  if (!found) {
    const text = composeStatement(plan, confirm, defer);
    found = { name: preparedName('cb_write_', text), text };
    shapes.set(shape, found);
  }
  return found;
}

/**
 * The statement's parameters: `$1`–`$4` (and `$5`, the cached key's id)
 * the key's lookup; then the response's six; then the cached key's
 * version; then the plan's own; then the change's.
 */
function composeStatement(plan: PlannedWrite, confirm: boolean, defer: boolean): string {
  const r = confirm ? 6 : 5;
  const version = r + 6;
  const first = confirm ? version + 1 : version;
  const confirmed = confirm ? ` and found.key_version = $${version}` : '';
  const go = `exists (select 1 from found where found.locked and found.fingerprint is null${confirmed})`;
  const wrote = 'exists (select 1 from written)';
  return `with found as materialized (${keyLookupSql({ deferEventHint: defer, confirm })}),
  written as (${plan.statement(first, go)}),
  ${changeCtes(plan.change, first + plan.values.length, wrote)},
  stored as (insert into idempotency_keys
      (tenant_id, key, credential_id, fingerprint, operation_id, state, response_status, response_body, created_at, locked_until, expires_at)
    select $2, $3, $${r}, $${r + 1}, $${r + 2}, 'completed', $${r + 3}::int, $${r + 4}::jsonb,
      $4::timestamptz, $4::timestamptz, $${r + 5}::timestamptz
    where ${wrote}
    returning key)
select found.*, (select count(*) from written) as written, (select count(*) from stored) as stored
from found`;
}
