/** Reads of the outbox for the events API: newest first by `sequence`, always within a tenant. */
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';

/**
 * Filters of the events list.
 *
 * @example
 * await listEventRows(db, tenantId, { type: 'payment.received' } satisfies EventFilters, 26);
 */
export interface EventFilters {
  type?: string | undefined;
  entityId?: string | undefined;
  since?: Date | undefined;
  /** Only events with a smaller sequence (the cursor). */
  beforeSequence?: number | undefined;
}

/**
 * Up to `limit` events of the tenant, newest first.
 *
 * @example
 * await listEventRows(db, tenantId, { type: 'appointment.created' }, 26);
 */
export function listEventRows(
  db: Kysely<DB>,
  tenantId: string,
  filters: EventFilters,
  limit: number,
): Promise<Row<'events'>[]> {
  let query = db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId);
  if (filters.type !== undefined) query = query.where('type', '=', filters.type);
  if (filters.entityId !== undefined) query = query.where('entity_id', '=', filters.entityId);
  if (filters.since !== undefined) query = query.where('occurred_at', '>=', filters.since);
  if (filters.beforeSequence !== undefined) {
    query = query.where('sequence', '<', filters.beforeSequence);
  }
  return query.orderBy('sequence', 'desc').limit(limit).execute();
}

/**
 * One event of the tenant.
 *
 * @example
 * await findEventRow(db, tenantId, 'evt_…');
 */
export function findEventRow(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<Row<'events'> | undefined> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}
