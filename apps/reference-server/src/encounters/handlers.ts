/** Handlers of `encounters.*` (read-only: the hospital's ADT feed writes them). */
import { operations } from '@clinicbridge/sdk/contract';
import { defineHandlers } from '../kernel/handlers.ts';
import { getEncounter, listEncounters } from './service.ts';

/**
 * Handlers for `encounters.*`.
 *
 * @example
 * registerOperations(app, deps, encounterHandlers);
 */
export const encounterHandlers = defineHandlers(operations.encounters, {
  get: (ctx) => getEncounter(ctx.db, ctx.auth.tenantId, ctx.params.encounterId),
  list: (ctx) => listEncounters(ctx.db, ctx.auth.tenantId, ctx.query),
});
