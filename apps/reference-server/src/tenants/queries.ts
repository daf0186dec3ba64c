/** Queries on the tenants table. */
import type { Kysely } from 'kysely';
import type { DB, NewRow, Row } from '../db/schema.ts';

/**
 * Inserts a tenant.
 *
 * @example
 * await insertTenant(trx, { id: newId('ten'), name: 'Clinic', created_at: new Date() });
 */
export async function insertTenant(db: Kysely<DB>, row: NewRow<'tenants'>): Promise<void> {
  await db.insertInto('tenants').values(row).execute();
}

/**
 * One tenant by id.
 *
 * @example
 * const tenant = await findTenant(db, 'ten_…');
 */
export function findTenant(db: Kysely<DB>, id: string): Promise<Row<'tenants'> | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * How many tenants there are.
 *
 * @example
 * if ((await countTenantRows(db)) === 0) console.log('first start');
 */
export async function countTenantRows(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
