/**
 * Writes audit rows. Services call `recordAudit` inside the transaction of
 * the change they audit, so the log and the state never disagree. The table
 * is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). Metadata
 * holds ids, statuses and amounts only: never PII or secrets.
 */
import { newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

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
  const id = newId('aud');
  await trx
    .insertInto('audit_events')
    .values({
      id,
      tenant_id: entry.tenantId,
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      request_id: entry.requestId ?? null,
      metadata: JSON.stringify(entry.metadata ?? {}),
      occurred_at: entry.occurredAt ?? new Date(),
    })
    .execute();
  return id;
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
