/**
 * Stored idempotency keys. A write first claims its key (one INSERT that
 * either wins or finds the earlier request), runs, and completes the key in
 * the same transaction as its state change, so a stored response exists
 * exactly when the change committed. Keys live 24 hours. A claim whose
 * request died (crash, timeout) is released when its lock lapses, so a
 * retry with the same body can proceed.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * How long a stored response is replayed.
 *
 * @example
 * const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim blocks duplicates before it counts as abandoned.
 *
 * @example
 * const lockedUntil = new Date(now.getTime() + IDEMPOTENCY_LOCK_MS);
 */
export const IDEMPOTENCY_LOCK_MS = 60 * 1000;

/**
 * Result of claiming a key.
 *
 * @example
 * const claim: ClaimResult = await claimIdempotencyKey(db, request, now); if (claim.kind === 'mismatch') throw new ApiError('idempotency_key_reused');
 */
export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'in_flight' }
  | { kind: 'mismatch' };

/**
 * Identifies one idempotent request.
 *
 * @example
 * const request: IdempotentRequest = { tenantId, key: 'k-1', operationId: 'appointments.create', fingerprint };
 */
export interface IdempotentRequest {
  tenantId: string;
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

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Claims `key` for this request, or reports what an earlier request with it did.
 *
 * @example
 * const claim = await claimIdempotencyKey(db, request, new Date());
 * if (claim.kind === 'replay') return claim.body;
 */
export async function claimIdempotencyKey(
  db: Kysely<DB>,
  request: IdempotentRequest,
  now: Date,
): Promise<ClaimResult> {
  const lockedUntil = new Date(now.getTime() + IDEMPOTENCY_LOCK_MS);
  const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
  // Take over a key when its stored response expired, or when an identical
  // request's claim lapsed without completing (its process died).
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({
      tenant_id: request.tenantId,
      key: request.key,
      fingerprint: request.fingerprint,
      operation_id: request.operationId,
      state: 'in_flight',
      response_status: null,
      response_body: null,
      created_at: now,
      locked_until: lockedUntil,
      expires_at: expiresAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'key'])
        .doUpdateSet({
          fingerprint: request.fingerprint,
          operation_id: request.operationId,
          state: 'in_flight',
          response_status: null,
          response_body: null,
          created_at: now,
          locked_until: lockedUntil,
          expires_at: expiresAt,
        })
        .where((eb) =>
          eb.or([
            eb('idempotency_keys.expires_at', '<=', now),
            eb.and([
              eb('idempotency_keys.state', '=', 'in_flight'),
              eb('idempotency_keys.locked_until', '<=', now),
              eb('idempotency_keys.fingerprint', '=', request.fingerprint),
            ]),
          ]),
        ),
    )
    .returning('key')
    .executeTakeFirst();
  if (claimed) return { kind: 'claimed' };

  const existing = await db
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'state', 'response_status', 'response_body'])
    .where('tenant_id', '=', request.tenantId)
    .where('key', '=', request.key)
    .executeTakeFirst();
  if (!existing) return { kind: 'in_flight' };
  if (existing.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
  if (existing.state !== 'completed' || existing.response_status === null) {
    return { kind: 'in_flight' };
  }
  return { kind: 'replay', status: existing.response_status, body: existing.response_body };
}

/**
 * Stores the response of a claimed key; call inside the write's transaction.
 *
 * @example
 * await completeIdempotencyKey(trx, request, 201, body);
 */
export async function completeIdempotencyKey(
  trx: Kysely<DB>,
  request: IdempotentRequest,
  status: number,
  body: unknown,
): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({
      state: 'completed',
      response_status: status,
      response_body: JSON.stringify(body ?? null),
    })
    .where('tenant_id', '=', request.tenantId)
    .where('key', '=', request.key)
    .execute();
}

/**
 * Releases a claim whose request failed, so the caller may retry with the same key.
 *
 * @example
 * await releaseIdempotencyKey(db, request);
 */
export async function releaseIdempotencyKey(
  db: Kysely<DB>,
  request: IdempotentRequest,
): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', request.tenantId)
    .where('key', '=', request.key)
    .where('state', '=', 'in_flight')
    .where('fingerprint', '=', request.fingerprint)
    .execute();
}

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
