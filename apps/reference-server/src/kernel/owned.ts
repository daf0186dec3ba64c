/**
 * Queries shared by every tenant-owned resource table — insert a row,
 * update one row of a tenant, find one row of a tenant by id, and list a tenant's rows oldest first (so a
 * partner paging through never misses rows created meanwhile) with keyset
 * pagination and simple filters. Both always filter on `tenant_id`, which
 * is how another tenant's id becomes a 404 and never a leak.
 */
import { type Insertable, type Kysely, sql, type Updateable } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { Cursor } from './pagination.ts';

/**
 * Tables whose rows belong to one tenant and have `id` and `created_at`.
 *
 * @example
 * const table: OwnedTable = 'appointments';
 */
export type OwnedTable =
  | 'patients'
  | 'appointments'
  | 'visits'
  | 'encounters'
  | 'invoices'
  | 'payments'
  | 'refunds'
  | 'integrations'
  | 'claims'
  | 'visa_applications'
  | 'tele_rooms'
  | 'documents'
  | 'shipments'
  | 'import_jobs'
  | 'export_snapshots'
  | 'reconciliation_breaks'
  | 'practitioners'
  | 'services'
  | 'slots'
  | 'leads'
  | 'import_mappings'
  | 'subscriptions';

/**
 * One filter of a list: column, comparison, value. Columns come from code, never from input.
 *
 * @example
 * const byStatus: Filter = ['status', '=', 'scheduled'];
 */
export type Filter = readonly [column: string, op: '=' | '<' | '<=' | '>' | '>=', value: unknown];

/**
 * One row of the tenant by id, optionally locked `FOR UPDATE` (inside a transaction).
 *
 * @example
 * const invoice = await findOwned(trx, 'invoices', tenantId, 'inv_…', { lock: true });
 */
export async function findOwned<T extends OwnedTable>(
  db: Kysely<DB>,
  table: T,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<T> | undefined> {
  // One table name typed for the builder; the row type is restored below.
  let query = db
    .selectFrom(table as 'patients')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  return (await query.executeTakeFirst()) as Row<T> | undefined;
}

/**
 * Up to `limit` rows of the tenant, oldest first by `(created_at, id)`, after `after`.
 *
 * @example
 * const rows = await listOwned(db, 'appointments', tenantId, { limit: 26, filters: [['status', '=', 'scheduled']] });
 */
export async function listOwned<T extends OwnedTable>(
  db: Kysely<DB>,
  table: T,
  tenantId: string,
  options: { after?: Cursor | undefined; limit: number; filters?: readonly Filter[] },
): Promise<Row<T>[]> {
  let query = db
    .selectFrom(table as 'patients')
    .selectAll()
    .where('tenant_id', '=', tenantId);
  for (const [column, op, value] of options.filters ?? []) {
    query = query.where(sql.ref(column), op, value);
  }
  const after = options.after;
  if (after) {
    query = query.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('created_at', 'id'), '>', tuple(after.time, after.id)),
    );
  }
  const rows = await query
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .limit(options.limit)
    .execute();
  return rows as Row<T>[];
}

/**
 * Inserts one row of a tenant-owned table.
 *
 * @example
 * await insertOwned(trx, 'visits', row);
 */
export async function insertOwned<T extends OwnedTable>(
  db: Kysely<DB>,
  table: T,
  row: Insertable<DB[T]>,
): Promise<void> {
  await db
    .insertInto(table as 'patients')
    .values(row as Insertable<DB['patients']>)
    .execute();
}

/**
 * Updates one row of the tenant by id.
 *
 * @example
 * await updateOwned(trx, 'visits', tenantId, 'vis_…', { status: 'completed', updated_at: now });
 */
export async function updateOwned<T extends OwnedTable>(
  db: Kysely<DB>,
  table: T,
  tenantId: string,
  id: string,
  set: Updateable<DB[T]>,
): Promise<void> {
  await db
    .updateTable(table as 'patients')
    .set(set as Updateable<DB['patients']>)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}
