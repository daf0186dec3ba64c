/**
 * "This tenant's row, or 404": the lookup every service starts from. Another
 * tenant's id and a missing id answer the same `not_found`, so an id never
 * reveals that it exists elsewhere.
 */
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { findOwned, type OwnedTable } from './owned.ts';
import { ApiError } from './problem.ts';

const nouns: Record<OwnedTable, string> = {
  patients: 'patient',
  appointments: 'appointment',
  visits: 'visit',
  encounters: 'encounter',
  invoices: 'invoice',
  payments: 'payment',
  refunds: 'refund',
  integrations: 'integration',
  claims: 'claim',
  visa_applications: 'visa application',
  tele_rooms: 'tele room',
  documents: 'document',
  shipments: 'shipment',
  import_jobs: 'import',
  practitioners: 'practitioner',
  services: 'service',
  slots: 'slot',
  leads: 'lead',
  import_mappings: 'import mapping',
  export_snapshots: 'export',
  reconciliation_breaks: 'reconciliation break',
  subscriptions: 'subscription',
};

/**
 * One row of the tenant by id, optionally locked `FOR UPDATE`; throws 404 `not_found` when absent.
 *
 * @example
 * const invoice = await requireOwned(trx, 'invoices', tenantId, 'inv_…', { lock: true });
 */
export async function requireOwned<T extends OwnedTable>(
  db: Kysely<DB>,
  table: T,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<T>> {
  const row = await findOwned(db, table, tenantId, id, options);
  if (!row) throw new ApiError('not_found', `No ${nouns[table]} ${id} in this tenant.`);
  return row;
}
