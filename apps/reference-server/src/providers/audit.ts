/**
 * Provider calls in the audit log. Adapters are shared by every tenant of
 * the process, so the tenant a call is made for travels with the call in an
 * `AsyncLocalStorage`: a feature wraps its provider calls in
 * `callForTenant(tenantId, …)`, and the adapters' audit hook appends one
 * `provider.call` row for that tenant (provider, operation, outcome,
 * attempts, duration, correlation id; never request or response content).
 * A call made outside any tenant (a health probe) is not audited.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditEvent, AuditHook } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recordAudit } from '../kernel/change.ts';

const tenantOfCall = new AsyncLocalStorage<string>();

/**
 * Runs `call` with provider calls attributed to `tenantId`.
 *
 * @example
 * const result = await callForTenant(event.tenantId, () => providers.messaging.send(message));
 */
export function callForTenant<T>(tenantId: string, call: () => Promise<T>): Promise<T> {
  return tenantOfCall.run(tenantId, call);
}

/**
 * The adapters' audit hook: one audit row per provider call made for a tenant.
 *
 * @example
 * createWhatsAppChannel({ ...options, audit: providerAuditHook(db) });
 */
export function providerAuditHook(db: Kysely<DB>): AuditHook {
  return async (event: AuditEvent) => {
    const tenantId = tenantOfCall.getStore();
    if (!tenantId) return;
    await recordAudit(db, {
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
