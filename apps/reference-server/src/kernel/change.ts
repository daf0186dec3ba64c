/**
 * Writes audit rows. Services call `recordAudit` inside the transaction of
 * the change they audit, so the log and the state never disagree. The table
 * is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and each
 * row extends its tenant's hash chain (./audit-chain.ts). Metadata holds
 * ids, statuses and amounts only: never PII or secrets.
 */
import { newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { type AuditChainContent, appendAuditRow, storedMetadata } from './audit-chain.ts';
import { writeHeldChange } from './held-change.ts';

/**
 * Who acted: an API key, an OAuth client, an operator (CLI) or the system itself.
 *
 * @example
 * const actor: Actor = { type: 'api_key', id: 'tok_…' };
 */
export interface Actor {
  type: 'api_key' | 'oauth_client' | 'operator' | 'system';
  id: string;
}

/**
 * Who is changing what, when, in which request: what every write service receives.
 *
 * @example
 * const change: ChangeContext = { tenantId, actor: { type: 'operator', id: 'cli' }, requestId: null, now: new Date() };
 */
export interface ChangeContext {
  tenantId: string;
  actor: Actor;
  requestId: string | null;
  now: Date;
}

/**
 * The audit log's tenant for actions on what belongs to no tenant (an
 * operator resolving a platform alert): a chain of its own, verified like
 * the others, and never listed by the tenant API (tenant ids are `ten_…`).
 *
 * @example
 * await recordAudit(trx, { tenantId: alert.tenantId ?? PLATFORM_AUDIT_TENANT, … });
 */
export const PLATFORM_AUDIT_TENANT = 'platform';

/**
 * One audit entry as a service describes it.
 *
 * @example
 * await recordAudit(trx, { tenantId, actor, action: 'visit.completed', entityType: 'visit', entityId } satisfies NewAudit);
 */
export interface NewAudit {
  tenantId: string;
  actor: Actor;
  /** `<entity>.<verb>`, e.g. `appointment.cancelled`. */
  action: string;
  entityType: string;
  entityId: string | null;
  requestId?: string | null;
  metadata?: Record<string, unknown>;
  occurredAt?: Date;
}

/**
 * Appends one audit row in `trx`; returns its id.
 *
 * @example
 * await recordAudit(trx, { tenantId, actor, action: 'appointment.created', entityType: 'appointment', entityId: id, requestId });
 */
export async function recordAudit(trx: Kysely<DB>, entry: NewAudit): Promise<string> {
  // The chain lock lives as long as the transaction: without one, make one.
  if (!trx.isTransaction) return trx.transaction().execute((t) => recordAudit(t, entry));
  await writeHeldChange(trx);
  const row = auditRowOf(entry);
  await appendAuditRow(trx, row);
  return row.id;
}

/**
 * The audit row of `entry` with a new id, as the database will give it back.
 *
 * @example
 * const row = auditRowOf({ tenantId, actor, action: 'visit.completed', entityType: 'visit', entityId });
 */
export function auditRowOf(entry: NewAudit): Omit<AuditChainContent, 'chainSeq'> {
  return {
    id: newId('aud'),
    tenantId: entry.tenantId,
    actorType: entry.actor.type,
    actorId: entry.actor.id,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    requestId: entry.requestId ?? null,
    metadata: storedMetadata(entry.metadata),
    occurredAt: entry.occurredAt ?? new Date(),
  };
}

/**
 * Appends the audit row of a change made under `change`.
 *
 * @example
 * await auditChange(trx, change, 'appointment.cancelled', 'appointment', id, { status: 'cancelled' });
 */
export function auditChange(
  trx: Kysely<DB>,
  change: ChangeContext,
  action: string,
  entityType: string,
  entityId: string | null,
  metadata: Record<string, unknown> = {},
): Promise<string> {
  return recordAudit(trx, {
    tenantId: change.tenantId,
    actor: change.actor,
    action,
    entityType,
    entityId,
    requestId: change.requestId,
    metadata,
    occurredAt: change.now,
  });
}
