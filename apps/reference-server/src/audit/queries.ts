/** Reads of the audit log, newest first by `(occurred_at, id)`, always within a tenant. */
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { Cursor } from '../kernel/pagination.ts';

/**
 * Filters of the audit list.
 *
 * @example
 * await listAuditRows(db, tenantId, { action: 'appointment.cancelled' } satisfies AuditFilters, 26);
 */
export interface AuditFilters {
  action?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  before?: Cursor | undefined;
}

/**
 * Up to `limit` audit rows of the tenant, newest first.
 *
 * @example
 * await listAuditRows(db, tenantId, { action: 'appointment.cancelled' }, 26);
 */
export function listAuditRows(
  db: Kysely<DB>,
  tenantId: string,
  filters: AuditFilters,
  limit: number,
): Promise<Row<'audit_events'>[]> {
  let query = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
  if (filters.action !== undefined) query = query.where('action', '=', filters.action);
  if (filters.entityType !== undefined) query = query.where('entity_type', '=', filters.entityType);
  if (filters.entityId !== undefined) query = query.where('entity_id', '=', filters.entityId);
  if (filters.since !== undefined) query = query.where('occurred_at', '>=', filters.since);
  if (filters.until !== undefined) query = query.where('occurred_at', '<', filters.until);
  const before = filters.before;
  if (before) {
    query = query.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('occurred_at', 'id'), '<', tuple(before.time, before.id)),
    );
  }
  return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * One audit row of the tenant.
 *
 * @example
 * await findAuditRow(db, tenantId, 'aud_…');
 */
export function findAuditRow(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<Row<'audit_events'> | undefined> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}
