/**
 * Provider calls in the audit log. Adapters are shared by every tenant of
 * the process, so the tenant a call is made for travels with the call in an
 * `AsyncLocalStorage`: a feature wraps its provider calls in
 * `callForTenant(tenantId, …)`, and the adapters' audit hook appends one
 * `provider.call` row for that tenant (provider, operation, outcome,
 * attempts, duration, correlation id; never request or response content).
 * A call made outside any tenant (a health probe) is not audited.
 *
 * A call made inside a transaction (a subscriber's handler) passes it along:
 * the hook, the consent check and the manual-task sink then write in that
 * transaction, so they commit with it, and on PGlite — one connection — they
 * do not wait for a connection the transaction itself holds.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditEvent, AuditHook } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recordAudit } from '../kernel/change.ts';

const callScope = new AsyncLocalStorage<{ tenantId: string; db: Kysely<DB> | undefined }>();

/**
 * Runs `call` with provider calls attributed to `tenantId`, writing their
 * bookkeeping in `trx` when one is given.
 *
 * @example
 * const result = await callForTenant(event.tenantId, () => providers.messaging.send(message), trx);
 */
export function callForTenant<T>(
  tenantId: string,
  call: () => Promise<T>,
  trx?: Kysely<DB>,
): Promise<T> {
  return callScope.run({ tenantId, db: trx }, call);
}

/**
 * The database a provider hook writes to: the calling transaction, else `db`.
 *
 * @example
 * await new DatabaseManualTaskSink(callDatabase(db)).record(task);
 */
export function callDatabase(db: Kysely<DB>): Kysely<DB> {
  return callScope.getStore()?.db ?? db;
}

/**
 * The adapters' audit hook: one audit row per provider call made for a tenant.
 *
 * @example
 * createWhatsAppChannel({ ...options, audit: providerAuditHook(db) });
 */
export function providerAuditHook(db: Kysely<DB>): AuditHook {
  return async (event: AuditEvent) => {
    const scope = callScope.getStore();
    if (!scope) return;
    const { tenantId } = scope;
    await recordAudit(scope.db ?? db, {
      tenantId,
      actor: { type: 'system', id: event.provider },
      action: 'provider.call',
      entityType: 'provider',
      entityId: event.provider,
      metadata: {
        operation: event.operation,
        outcome: event.outcome,
        attempts: event.attempts,
        durationMs: event.durationMs,
        correlationId: event.correlationId,
        replayed: event.replayed,
      },
      occurredAt: new Date(event.at),
    });
  };
}
