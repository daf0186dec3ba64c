/** Handlers of `escrows.*` and `ledgerAccounts.*`: contract operations → the money services. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  disputeMilestone,
  getEscrow,
  holdEscrow,
  refundEscrow,
  releaseMilestone,
  voidEscrow,
} from './escrow.ts';
import { accountBalance } from './ledger.ts';

/**
 * Handlers for `escrows.*`.
 *
 * @example
 * const features: Feature[] = [{ name: 'money', handlers: { ...escrowHandlers, ...ledgerHandlers } }];
 */
export const escrowHandlers = defineHandlers(operations.escrows, {
  create: (ctx) => holdEscrow(ctx.db, changeOf(ctx), ctx.body),
  get: (ctx) => getEscrow(ctx.db, ctx.auth.tenantId, ctx.params.escrowId),
  release: (ctx) =>
    releaseMilestone(ctx.db, changeOf(ctx), ctx.params.escrowId, ctx.params.milestone),
  dispute: (ctx) =>
    disputeMilestone(
      ctx.db,
      changeOf(ctx),
      ctx.params.escrowId,
      ctx.params.milestone,
      ctx.body.reason,
    ),
  void: (ctx) => voidEscrow(ctx.db, changeOf(ctx), ctx.params.escrowId),
  refund: (ctx) => refundEscrow(ctx.db, changeOf(ctx), ctx.params.escrowId, ctx.body),
});

/**
 * Handlers for `ledgerAccounts.*`.
 *
 * @example
 * const handlers = { ...escrowHandlers, ...ledgerHandlers };
 */
export const ledgerHandlers = defineHandlers(operations.ledgerAccounts, {
  balance: (ctx) => accountBalance(ctx.db, ctx.auth.tenantId, ctx.params.accountId),
});
