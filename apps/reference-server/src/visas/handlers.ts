/** Handlers of `visas.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  cancelVisaApplication,
  createVisaApplication,
  getVisaApplication,
  listVisaApplications,
} from './service.ts';

/**
 * Handlers for `visas.*`; `wake` nudges the scheduler after a write, so
 * the job submits or cancels without waiting for its next poll.
 *
 * @example
 * const handlers = visaHandlers(context.wake);
 */
export function visaHandlers(wake: () => void) {
  const nudge = <T>(value: T): T => {
    // After the response's transaction commits; the scheduler also polls.
    setTimeout(wake, 10).unref?.();
    return value;
  };
  return defineHandlers(operations.visas, {
    create: async (ctx) => nudge(await createVisaApplication(ctx.db, changeOf(ctx), ctx.body)),
    get: (ctx) => getVisaApplication(ctx.db, ctx.auth.tenantId, ctx.params.visaApplicationId),
    list: (ctx) => listVisaApplications(ctx.db, ctx.auth.tenantId, ctx.query),
    cancel: async (ctx) =>
      nudge(await cancelVisaApplication(ctx.db, changeOf(ctx), ctx.params.visaApplicationId)),
  });
}
