/**
 * `EscrowAccount` on Stripe Connect "separate charges and transfers": the
 * patient's payment is charged to the platform under a `transfer_group`
 * (the escrow reference); each milestone is a Transfer to the clinic's
 * connected account whose idempotency key is derived from escrow and
 * milestone, so a milestone can never be paid twice.
 */
import { z } from 'zod';
import { correlation } from '../core/call-keys.ts';
import type { ProviderClient } from '../core/client.ts';
import {
  type EscrowAccount,
  EscrowHoldInputSchema,
  EscrowRefundInputSchema,
  ReleaseMilestoneInputSchema,
} from '../ports/escrow.ts';
import { parseInput } from '../ports/validate.ts';
import { createStripeClient, type StripeOptions } from './client.ts';
import { createCardIntent, createRefund, requireCard } from './intents.ts';

const StripeTransfer = z.object({ id: z.string(), amount: z.number().int(), currency: z.string() });

/**
 * Creates a Stripe Connect {@link EscrowAccount}.
 *
 * @example
 * const escrow = createStripeEscrow({ secretKey: process.env.STRIPE_SECRET_KEY! });
 * const held = await escrow.hold({ escrowRef: 'esc_1', amountMinor: 900000, currency: 'EUR', method: 'card' });
 * await escrow.releaseMilestone({
 *   escrowRef: 'esc_1', milestoneRef: 'ms_admission', amountMinor: 300000, currency: 'EUR',
 *   payeeAccountId: 'acct_1Clinic', sourcePaymentId: held.id,
 * });
 */
export function createStripeEscrow(options: StripeOptions): EscrowAccount {
  const client: ProviderClient = createStripeClient(options);
  return {
    provider: 'stripe',

    async hold(raw) {
      const operation = 'escrow.hold';
      const input = parseInput(EscrowHoldInputSchema, raw, 'stripe', operation);
      requireCard(input.method, operation);
      return createCardIntent(
        client,
        operation,
        input,
        {
          // Funds are captured onto the platform balance at once; release is by transfer.
          capture_method: 'automatic',
          transfer_group: input.escrowRef,
          'metadata[reference]': input.escrowRef,
        },
        {
          idempotencyKey: input.idempotencyKey ?? `escrow-hold:${input.escrowRef}`,
          correlationId: input.correlationId,
        },
      );
    },

    async releaseMilestone(raw) {
      const input = parseInput(
        ReleaseMilestoneInputSchema,
        raw,
        'stripe',
        'escrow.releaseMilestone',
      );
      const transfer = await client.json({
        operation: 'escrow.releaseMilestone',
        method: 'post',
        path: '/v1/transfers',
        form: {
          amount: input.amountMinor,
          currency: input.currency.toLowerCase(),
          destination: input.payeeAccountId,
          transfer_group: input.escrowRef,
          source_transaction: input.sourcePaymentId,
          'metadata[milestone]': input.milestoneRef,
        },
        schema: StripeTransfer,
        idempotencyKey: `escrow-release:${input.escrowRef}:${input.milestoneRef}`,
        ...correlation(input),
      });
      return {
        transferId: transfer.id,
        escrowRef: input.escrowRef,
        milestoneRef: input.milestoneRef,
        amountMinor: transfer.amount,
        currency: transfer.currency.toUpperCase(),
      };
    },

    async refund(raw) {
      const input = parseInput(EscrowRefundInputSchema, raw, 'stripe', 'escrow.refund');
      return createRefund(
        client,
        'escrow.refund',
        input,
        { 'metadata[escrow]': input.escrowRef },
        input,
      );
    },
  };
}
