/** Finding a tenant's row by id, with the 404 every handler answers for a missing or foreign id. */
import type { Collection } from './collection.ts';
import { ApiProblem } from './problem.ts';

/**
 * The row with `id` in the caller's tenant, or a `not_found` problem. Another
 * tenant's id is indistinguishable from an id that never existed.
 *
 * @example
 * const appointment = findOr404(ctx.tenant.appointments, ctx.params.appointmentId, 'appointment');
 */
export function findOr404<T extends { id: string }>(
  collection: Collection<T>,
  id: string,
  label: string,
): T {
  const row = collection.get(id);
  if (!row) throw new ApiProblem('not_found', `${label} ${id} does not exist`);
  return row;
}

/**
 * Rows of a collection that pass every given filter (undefined filters are ignored).
 *
 * @example
 * filterRows(tenant.visits, { patientId: 'pat_…', status: undefined });
 */
export function filterRows<T extends { id: string }>(
  collection: Collection<T>,
  filters: Partial<Record<keyof T & string, unknown>>,
) {
  const active = Object.entries(filters).filter(([, v]) => v !== undefined);
  return collection
    .rows()
    .filter((row) => active.every(([k, v]) => (row.value as Record<string, unknown>)[k] === v));
}
