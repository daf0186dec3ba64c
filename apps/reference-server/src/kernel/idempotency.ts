/**
 * Stored idempotency keys. A write looks its key up inside its own
 * transaction (taking a transaction-scoped advisory lock on the key in the
 * same statement, so a concurrent duplicate is told at once), runs, and
 * stores the response in that transaction: a stored response exists exactly
 * when the change committed, a failed or crashed request leaves nothing
 * behind, and the whole write is one commit. Keys live 24 hours. The unique
 * `(tenant_id, key)` row is what guarantees one effect; the lock only saves
 * a duplicate from doing the work before finding that out.
 *
 * A stored response belongs to the credential (API key or OAuth client)
 * that made it: it may carry what only that credential's scopes show, so
 * another credential of the tenant sending the same key is refused
 * (`other_credential`) before its request is even compared, and learns
 * nothing of the stored request or response.
 */

import { createHash } from 'node:crypto';
import { canonicalJson } from '@clinicbridge/webhooks/idempotency';
import { CompiledQuery, type Kysely } from 'kysely';
import { API_KEY_VERSION_SQL } from '../auth/credentials-queries.ts';
import type { DB } from '../db/schema.ts';
import { NOTIFY_AFTER_COMMIT_SETTING } from './event-hint.ts';
import { changeStatementParts, takeHeldChange } from './held-change.ts';

/**
 * How long a stored response is replayed.
 *
 * @example
 * const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim left `in_flight` by an earlier server version blocks
 * duplicates before it counts as abandoned (this version never stores one).
 *
 * @example
 * const lockedUntil = new Date(now.getTime() + IDEMPOTENCY_LOCK_MS);
 */
export const IDEMPOTENCY_LOCK_MS = 60 * 1000;

/**
 * What a key says before the write runs.
 *
 * @example
 * const found: KeyLookup = await lookUpIdempotencyKey(trx, request, now); if (found.kind === 'mismatch') throw new ApiError('idempotency_key_reused');
 */
export type KeyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'in_flight' }
  | { kind: 'mismatch' }
  | { kind: 'other_credential' };

/**
 * Identifies one idempotent request.
 *
 * @example
 * const request: IdempotentRequest = { tenantId, credentialId: 'tok_…', key: 'k-1', operationId: 'appointments.create', fingerprint };
 */
export interface IdempotentRequest {
  tenantId: string;
  /** The API key's or OAuth client's id: the only credential its stored response is replayed to. */
  credentialId: string;
  key: string;
  operationId: string;
  fingerprint: string;
}

/**
 * A stable fingerprint of a request: operation, path parameters and the body
 * with object keys sorted (so key order and whitespace do not matter).
 *
 * @example
 * requestFingerprint('appointments.cancel', { appointmentId: 'apt_…' }, { reason: 'ill' });
 */
export function requestFingerprint(operationId: string, params: unknown, body: unknown): string {
  return createHash('sha256')
    .update(`${operationId}\n${canonicalJson(params)}\n${canonicalJson(body)}`)
    .digest('hex');
}

/**
 * What the key's lookup reads: whether this transaction got the key's lock,
 * and the stored row, if any (all null when there is none).
 *
 * @example
 * const row: KeyLookupRow = { locked: true, credential_id: null, fingerprint: null, state: null, response_status: null, response_body: null, locked_until: null };
 */
export interface KeyLookupRow {
  locked: boolean;
  credential_id: string | null;
  fingerprint: string | null;
  state: 'in_flight' | 'completed' | null;
  response_status: number | null;
  response_body: unknown;
  locked_until: Date | null;
}

const lookup = (extra: string) => `
    select l.locked, k.credential_id, k.fingerprint, k.state, k.response_status, k.response_body, k.locked_until${extra}
    from (select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as locked) l
    left join idempotency_keys k on k.tenant_id = $2 and k.key = $3 and k.expires_at > $4::timestamptz`;
const DEFER = `, set_config('${NOTIFY_AFTER_COMMIT_SETTING}', 'on', true) as deferred`;
const CONFIRM = `, (select ${API_KEY_VERSION_SQL} from api_keys k left join integrations i on i.id = k.integration_id
      where k.id = $5) as key_version`;
const LOOKUPS = [lookup(''), lookup(DEFER), lookup(CONFIRM), lookup(`${DEFER}${CONFIRM}`)] as const;

/**
 * The text of the key's lookup, for a statement that does more
 * (./one-statement-write.ts): it takes the key's transaction-scoped lock
 * and reads a {@link KeyLookupRow}, with `deferred` when it defers the
 * event hint and `key_version` when it confirms a cached API key. Its
 * parameters are {@link keyLookupParameters}: `$1`–`$4`, and `$5` (the
 * key's id) when confirming.
 *
 * @example
 * const text = keyLookupSql({ deferEventHint: true, confirm: false });
 */
export function keyLookupSql(options: { deferEventHint: boolean; confirm: boolean }): string {
  return LOOKUPS[(options.deferEventHint ? 1 : 0) + (options.confirm ? 2 : 0)] as string;
}

/**
 * The parameters of {@link keyLookupSql}.
 *
 * @example
 * const values = keyLookupParameters(request, now, auth.cachedKey?.id);
 */
export function keyLookupParameters(
  request: IdempotentRequest,
  now: Date,
  cachedKeyId?: string,
): unknown[] {
  const values: unknown[] = [
    `${request.tenantId}\n${request.key}`,
    request.tenantId,
    request.key,
    now,
  ];
  if (cachedKeyId !== undefined) values.push(cachedKeyId);
  return values;
}

/**
 * Thrown by {@link lookUpIdempotencyKey} when the cached API key a request
 * was authenticated with has changed since it was cached (revoked,
 * expired, its scopes or its integration changed): the transaction rolls
 * back before anything changed, and the caller authenticates afresh.
 *
 * @example
 * if (error instanceof StaleCachedKey) cache.delete(error.keyHash);
 */
export class StaleCachedKey extends Error {
  override readonly name = 'StaleCachedKey';
  readonly keyHash: string;

  constructor(keyHash: string) {
    super('the cached API key changed');
    this.keyHash = keyHash;
  }
}

/**
 * Locks `key` for this transaction and reads what an earlier request with it
 * did, in one statement; call first inside the write's transaction.
 * `in_flight` means another transaction holds the key right now.
 *
 * @example
 * const found = await lookUpIdempotencyKey(trx, request, new Date());
 * if (found.kind === 'replay') return found.body;
 */
export async function lookUpIdempotencyKey(
  trx: Kysely<DB>,
  request: IdempotentRequest,
  now: Date,
  options: {
    deferEventHint?: boolean;
    /** A cached API key to confirm unchanged in the same statement (throws {@link StaleCachedKey}). */
    cachedKey?: { keyHash: string; id: string; version: string } | undefined;
  } = {},
): Promise<KeyLookup> {
  // With `deferEventHint` the same statement does what `deferEventHint()` of
  // ./event-hint.ts does, saving the write a round trip.
  const confirm = options.cachedKey;
  const { rows } = await trx.executeQuery<KeyLookupRow & { key_version?: string | null }>(
    CompiledQuery.raw(
      keyLookupSql({ deferEventHint: options.deferEventHint ?? false, confirm: !!confirm }),
      keyLookupParameters(request, now, confirm?.id),
    ),
  );
  if (confirm && rows[0]?.key_version !== confirm.version)
    throw new StaleCachedKey(confirm.keyHash);
  const row = rows[0];
  if (!row?.locked) return { kind: 'in_flight' };
  return classifyStoredKey(row, request, now);
}

/**
 * Reads a key without locking it: what a request that lost a race for the
 * key reports once the winner has committed.
 *
 * @example
 * const found = await readIdempotencyKey(db, request, new Date());
 */
export async function readIdempotencyKey(
  db: Kysely<DB>,
  request: IdempotentRequest,
  now: Date,
): Promise<Exclude<KeyLookup, { kind: 'new' }>> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select([
      'credential_id',
      'fingerprint',
      'state',
      'response_status',
      'response_body',
      'locked_until',
    ])
    .where('tenant_id', '=', request.tenantId)
    .where('key', '=', request.key)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  // No row: the winner rolled back after all, so the caller may simply retry.
  if (!row) return { kind: 'in_flight' };
  const found = classifyStoredKey({ locked: true, ...row }, request, now);
  return found.kind === 'new' ? { kind: 'in_flight' } : found;
}

/**
 * What a key's looked-up row means for `request` (the lock aside).
 *
 * @example
 * const found = classifyStoredKey(row, request, now); // { kind: 'replay', status: 201, body }
 */
export function classifyStoredKey(
  row: KeyLookupRow,
  request: IdempotentRequest,
  now: Date,
): KeyLookup {
  if (row.fingerprint === null) return { kind: 'new' };
  // Before anything else: another credential learns nothing about the key's
  // request. Rows stored before keys were bound (no credential) belong to no one.
  if (row.credential_id !== request.credentialId) return { kind: 'other_credential' };
  if (row.state !== 'completed' || row.response_status === null) {
    // Only an earlier server version left claims in flight; a lapsed one from
    // an identical request is abandoned and may be taken over.
    const lapsed = row.locked_until !== null && row.locked_until.getTime() <= now.getTime();
    if (lapsed && row.fingerprint === request.fingerprint) return { kind: 'new' };
    return row.fingerprint === request.fingerprint ? { kind: 'in_flight' } : { kind: 'mismatch' };
  }
  if (row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
  return { kind: 'replay', status: row.response_status, body: row.response_body };
}

/**
 * Stores the response of a write under its key, inside the write's
 * transaction, in one statement with the change the transaction holds. Returns false when another transaction stored the key first
 * (it committed while this one ran): the caller must roll back.
 *
 * @example
 * if (!(await storeIdempotentResponse(trx, request, 201, body, now))) throw new LostKeyRace();
 */
export async function storeIdempotentResponse(
  trx: Kysely<DB>,
  request: IdempotentRequest,
  status: number,
  body: unknown,
  now: Date,
): Promise<boolean> {
  // The change the transaction holds (./held-change.ts) is written by the same statement.
  const { ctes, values } = changeStatementParts(takeHeldChange(trx), STORE_PARAMETERS + 1);
  const { rows } = await trx.executeQuery(
    CompiledQuery.raw(`${ctes ? ctes.replace(/,$/, '') : ''} ${STORE}`, [
      request.tenantId,
      request.key,
      request.credentialId,
      request.fingerprint,
      request.operationId,
      status,
      JSON.stringify(body ?? null),
      now,
      new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      ...values,
    ]),
  );
  return rows.length > 0;
}

const STORE_PARAMETERS = 9;
// On conflict, take over a key whose stored response expired, or an
// abandoned claim of an identical request (left by an earlier server version).
const STORE = `insert into idempotency_keys
    (tenant_id, key, credential_id, fingerprint, operation_id, state, response_status, response_body, created_at, locked_until, expires_at)
  values ($1, $2, $3, $4, $5, 'completed', $6, $7::jsonb, $8::timestamptz, $8::timestamptz, $9::timestamptz)
  on conflict (tenant_id, key) do update set
    credential_id = excluded.credential_id, fingerprint = excluded.fingerprint,
    operation_id = excluded.operation_id, state = excluded.state,
    response_status = excluded.response_status, response_body = excluded.response_body,
    created_at = excluded.created_at, locked_until = excluded.locked_until, expires_at = excluded.expires_at
  where idempotency_keys.expires_at <= $8::timestamptz
    or (idempotency_keys.state = 'in_flight' and idempotency_keys.locked_until <= $8::timestamptz
      and idempotency_keys.fingerprint = $4)
  returning key`;

/**
 * Deletes expired keys; returns how many. Run periodically.
 *
 * @example
 * await purgeExpiredIdempotencyKeys(db, new Date());
 */
export async function purgeExpiredIdempotencyKeys(db: Kysely<DB>, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
