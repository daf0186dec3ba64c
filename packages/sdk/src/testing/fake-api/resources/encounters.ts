/**
 * Encounters in the fake API: read and listed (by patient and status) like
 * the server's. They are written by the simulated clinical feed
 * (`../clinical-feed.ts`), as the server's are written by its HL7 feed.
 */
import { encounterOperations } from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';

/**
 * Handlers of the encounter operations.
 *
 * @example
 * const byId = new Map(encounterHandlers.map((h) => [h.op.id, h]));
 */
export const encounterHandlers: BoundHandler[] = [
  defineHandler(encounterOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.encounters, ctx.params.encounterId, 'encounter'),
  })),
  defineHandler(encounterOperations.list, (ctx) => {
    const { limit, cursor, patientId, status } = ctx.query;
    const rows = filterRows(ctx.tenant.encounters, { patientId, status });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
];
