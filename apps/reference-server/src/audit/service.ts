/** Reading the audit log through the API: newest first, filtered, within a tenant. */
import type { AuditEvent, Page } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { decodeCursor, pageSize, toPage } from '../kernel/pagination.ts';
import { ApiError } from '../kernel/problem.ts';
import { findAuditRow, listAuditRows } from './queries.ts';

/**
 * The public view of an audit row.
 *
 * @example
 * toAuditEvent(row).actor; // { type: 'api_key', id: 'tok_…' }
 */
export function toAuditEvent(row: Row<'audit_events'>): AuditEvent {
  return {
    id: row.id as `aud_${string}`,
    actor: { type: row.actor_type, id: row.actor_id },
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    requestId: row.request_id,
    occurredAt: row.occurred_at.toISOString(),
    metadata: row.metadata,
  };
}

/**
 * Lists audit records with the contract's filters.
 *
 * @example
 * await listAuditEvents(db, tenantId, { entityId: 'apt_…' });
 */
export async function listAuditEvents(
  db: Kysely<DB>,
  tenantId: string,
  query: {
    limit?: number | undefined;
    cursor?: string | undefined;
    action?: string | undefined;
    entityType?: string | undefined;
    entityId?: string | undefined;
    since?: string | undefined;
    until?: string | undefined;
  },
): Promise<Page<AuditEvent>> {
  const limit = pageSize(query.limit);
  const rows = await listAuditRows(
    db,
    tenantId,
    {
      action: query.action,
      entityType: query.entityType,
      entityId: query.entityId,
      since: query.since !== undefined ? new Date(query.since) : undefined,
      until: query.until !== undefined ? new Date(query.until) : undefined,
      before: decodeCursor(query.cursor, 'audit_events'),
    },
    limit + 1,
  );
  return toPage(
    rows,
    limit,
    'audit_events',
    (r) => ({ time: r.occurred_at, id: r.id }),
    toAuditEvent,
  );
}

/**
 * One audit record of the tenant, or 404.
 *
 * @example
 * await getAuditEvent(db, tenantId, 'aud_…');
 */
export async function getAuditEvent(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<AuditEvent> {
  const row = await findAuditRow(db, tenantId, id);
  if (!row) throw new ApiError('not_found', `No audit record ${id} in this tenant.`);
  return toAuditEvent(row);
}
