/** Handlers of `payments.*` and `refunds.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  issueRefund,
  listPayments,
  listRefunds,
  recordPayment,
  requirePayment,
  requireRefund,
  toPayment,
  toRefund,
} from './service.ts';

/**
 * Handlers for `payments.*`.
 *
 * @example
 * registerOperations(app, deps, paymentHandlers);
 */
export const paymentHandlers = defineHandlers(operations.payments, {
  create: (ctx) => recordPayment(ctx.db, changeOf(ctx), ctx.body),
  get: async (ctx) =>
    toPayment(await requirePayment(ctx.db, ctx.auth.tenantId, ctx.params.paymentId)),
  list: (ctx) => listPayments(ctx.db, ctx.auth.tenantId, ctx.query),
});

/**
 * Handlers for `refunds.*`.
 *
 * @example
 * registerOperations(app, deps, refundHandlers);
 */
export const refundHandlers = defineHandlers(operations.refunds, {
  create: (ctx) => issueRefund(ctx.db, changeOf(ctx), ctx.body),
  get: async (ctx) => toRefund(await requireRefund(ctx.db, ctx.auth.tenantId, ctx.params.refundId)),
  list: (ctx) => listRefunds(ctx.db, ctx.auth.tenantId, ctx.query),
});
