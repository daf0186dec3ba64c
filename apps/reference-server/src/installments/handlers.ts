/** Handlers of `installmentPlans.*`: contract operations → the installments service. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { createPlan, getPlan } from './service.ts';

/**
 * Handlers for `installmentPlans.*`.
 *
 * @example
 * const features: Feature[] = [{ name: 'installments', handlers: installmentHandlers }];
 */
export const installmentHandlers = defineHandlers(operations.installmentPlans, {
  create: (ctx) => createPlan(ctx.db, changeOf(ctx), ctx.body),
  get: (ctx) => getPlan(ctx.db, ctx.auth.tenantId, ctx.params.planId),
});
