/** Handlers of `reconciliationRuns.*` and `reconciliationBreaks.*`: contract operations → the reconciliation service. */
import { operations } from '@clinicbridge/sdk/contract';
import type { HandlerMap } from '../kernel/handlers.ts';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import type { FeePolicy } from './classify.ts';
import { type Gateways, getRun, listBreaks, resolveBreak, runReconciliation } from './service.ts';

/**
 * Handlers for reconciliation runs and breaks; a run reads the gateways and
 * fee policy `setup` gives at the time of the call (the providers exist once the server starts).
 *
 * @example
 * const handlers = reconciliationHandlers(() => ({ gateways: { stripe: gateway }, policy: { maxFeeBps: 500 } }));
 */
export function reconciliationHandlers(
  setup: () => { gateways: Gateways; policy: FeePolicy },
): HandlerMap {
  return {
    ...defineHandlers(operations.reconciliationRuns, {
      create: (ctx) => {
        const { gateways, policy } = setup();
        return runReconciliation(ctx.db, changeOf(ctx), gateways, policy, {
          provider: ctx.body.provider,
          from: new Date(ctx.body.from),
          to: new Date(ctx.body.to),
          trigger: 'request',
        });
      },
      get: (ctx) => getRun(ctx.db, ctx.auth.tenantId, ctx.params.runId),
    }),
    ...defineHandlers(operations.reconciliationBreaks, {
      list: (ctx) => listBreaks(ctx.db, ctx.auth.tenantId, ctx.query),
      resolve: (ctx) => resolveBreak(ctx.db, changeOf(ctx), ctx.params.breakId, ctx.body),
    }),
  };
}
