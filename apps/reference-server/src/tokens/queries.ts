/** List query of API keys (integration tokens), filtered on tenant. */
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { Cursor } from '../kernel/pagination.ts';

/**
 * One page of a tenant's API keys, oldest first.
 *
 * @example
 * await listApiKeys(db, tenantId, { limit: 26 });
 */
export function listApiKeys(
  db: Kysely<DB>,
  tenantId: string,
  options: { after?: Cursor | undefined; limit: number; status?: 'active' | 'revoked' | undefined },
): Promise<Row<'api_keys'>[]> {
  let query = db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId);
  if (options.status) query = query.where('status', '=', options.status);
  const after = options.after;
  if (after) {
    query = query.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('created_at', 'id'), '>', tuple(after.time, after.id)),
    );
  }
  return query.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(options.limit).execute();
}
