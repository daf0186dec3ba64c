/**
 * `EscrowAccount` on Stripe Connect "separate charges and transfers": the
 * patient's payment is charged to the platform under a `transfer_group`
 * (the escrow reference); each milestone is a Transfer to the clinic's
 * connected account whose idempotency key is derived from escrow and
 * milestone, so a milestone can never be paid twice.
 */
import { z } from 'zod';
import type { ProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import {
  type EscrowAccount,
  EscrowHoldInputSchema,
  EscrowRefundInputSchema,
  ReleaseMilestoneInputSchema,
} from '../ports/escrow.ts';
import { parseInput } from '../ports/validate.ts';
import { createStripeClient, type StripeOptions } from './client.ts';
import { stripeSchemas, toPaymentIntent, toStripeRefund } from './gateway.ts';

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
      if (input.method !== 'card') {
        throw new ProviderError({
          code: 'invalid_request',
          provider: 'stripe',
          operation,
          fields: ['method'],
        });
      }
      const intent = await client.json({
        operation,
        method: 'post',
        path: '/v1/payment_intents',
        form: {
          amount: input.amountMinor,
          currency: input.currency.toLowerCase(),
          'payment_method_types[0]': 'card',
          // Funds are captured onto the platform balance at once; release is by transfer.
          capture_method: 'automatic',
          transfer_group: input.escrowRef,
          'metadata[reference]': input.escrowRef,
        },
        schema: stripeSchemas.StripeIntent,
        idempotencyKey: input.idempotencyKey ?? `escrow-hold:${input.escrowRef}`,
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
      });
      return toPaymentIntent(intent);
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
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
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
      const refund = await client.json({
        operation: 'escrow.refund',
        method: 'post',
        path: '/v1/refunds',
        form: {
          payment_intent: input.paymentId,
          amount: input.amountMinor,
          'metadata[escrow]': input.escrowRef,
        },
        schema: stripeSchemas.StripeRefund,
        ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
      });
      return toStripeRefund(refund, input.paymentId);
    },
  };
}
