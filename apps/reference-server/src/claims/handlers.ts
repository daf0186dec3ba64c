/** Handlers of `claims.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { claimHistory, redeliverClaim } from './history.ts';
import { itemisedInvoice } from './itemised.ts';
import { createClaim, getClaim, listClaims, requestClaimAction, withdrawClaim } from './service.ts';

/**
 * Handlers for `claims.*`; `wake` nudges the scheduler after a request for
 * the payer or a re-delivery, so the work starts without waiting for a poll.
 *
 * @example
 * const handlers = claimHandlers(context.wake);
 */
export function claimHandlers(wake: () => void) {
  const nudge = <T>(value: T): T => {
    // After the response's transaction commits; the scheduler also polls.
    setTimeout(wake, 10).unref?.();
    return value;
  };
  return defineHandlers(operations.claims, {
    create: (ctx) => createClaim(ctx.db, changeOf(ctx), ctx.body),
    get: (ctx) => getClaim(ctx.db, ctx.auth.tenantId, ctx.params.claimId),
    list: (ctx) => listClaims(ctx.db, ctx.auth.tenantId, ctx.query),
    preauthorize: async (ctx) =>
      nudge(await requestClaimAction(ctx.db, changeOf(ctx), ctx.params.claimId, 'preauthorize')),
    submit: async (ctx) =>
      nudge(await requestClaimAction(ctx.db, changeOf(ctx), ctx.params.claimId, 'submit')),
    resubmit: async (ctx) =>
      nudge(
        await requestClaimAction(ctx.db, changeOf(ctx), ctx.params.claimId, 'resubmit', ctx.body),
      ),
    withdraw: (ctx) => withdrawClaim(ctx.db, changeOf(ctx), ctx.params.claimId),
    events: (ctx) => claimHistory(ctx.db, ctx.auth.tenantId, ctx.params.claimId),
    redeliver: async (ctx) =>
      nudge(await redeliverClaim(ctx.db, changeOf(ctx), ctx.params.claimId, ctx.body.endpointId)),
    itemisedInvoice: (ctx) =>
      itemisedInvoice(ctx.db, ctx.auth.tenantId, ctx.params.claimId, ctx.query.format),
  });
}
