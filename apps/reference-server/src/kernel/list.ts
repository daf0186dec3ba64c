/**
 * The list operation every resource shares: decode the cursor, fetch one
 * more row than the page, and build `{ data, nextCursor }`.
 */
import type { Page } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { type Filter, listOwned, type OwnedTable } from './owned.ts';
import { decodeCursor, pageSize, toPage } from './pagination.ts';

/**
 * One page of a tenant-owned resource.
 *
 * @example
 * return listPage(db, 'visits', tenantId, query, [['status', '=', 'open']], toVisit);
 */
export async function listPage<T extends OwnedTable, Item>(
  db: Kysely<DB>,
  table: T,
  tenantId: string,
  query: { limit?: number | undefined; cursor?: string | undefined },
  filters: readonly (Filter | false | undefined)[],
  map: (row: Row<T>) => Item,
): Promise<Page<Item>> {
  const limit = pageSize(query.limit);
  const rows = await listOwned(db, table, tenantId, {
    after: decodeCursor(query.cursor, table),
    limit: limit + 1,
    filters: filters.filter((f): f is Filter => Array.isArray(f)),
  });
  return toPage(
    rows,
    limit,
    table,
    (r) => ({ time: (r as { created_at: Date }).created_at, id: (r as { id: string }).id }),
    map,
  );
}

/**
 * The paging part of a list query.
 *
 * @example
 * const query: ListQuery = { limit: 25, cursor: undefined };
 */
export interface ListQuery {
  limit?: number | undefined;
  cursor?: string | undefined;
}

/**
 * A list query of a patient's records by status (visits, invoices, appointments).
 *
 * @example
 * const query: PatientListQuery = { patientId: 'pat_…', status: 'open' };
 */
export interface PatientListQuery extends ListQuery {
  patientId?: string | undefined;
  status?: string | undefined;
}

/**
 * The filters of a {@link PatientListQuery}.
 *
 * @example
 * return listPage(db, 'visits', tenantId, query, byPatientAndStatus(query), toVisit);
 */
export function byPatientAndStatus(query: PatientListQuery): (Filter | false)[] {
  return [
    query.patientId !== undefined && ['patient_id', '=', query.patientId],
    query.status !== undefined && ['status', '=', query.status],
  ];
}
