/**
 * The `EscrowAccount` port: money held for a treatment package and released
 * to the clinic milestone by milestone (admission, surgery, discharge), or
 * refunded to the patient.
 */
import { z } from 'zod';
import { CallMetaSchema, CurrencySchema, MinorUnitsSchema, ReferenceSchema } from './common.ts';
import { type PaymentIntentSchema, PaymentMethodSchema, type RefundSchema } from './payment.ts';

/**
 * Input of {@link EscrowAccount.hold}.
 *
 * @example
 * EscrowHoldInputSchema.parse({ escrowRef: 'esc_1', amountMinor: 900000, currency: 'EUR', method: 'card' });
 */
export const EscrowHoldInputSchema = CallMetaSchema.extend({
  escrowRef: ReferenceSchema,
  amountMinor: MinorUnitsSchema,
  currency: CurrencySchema,
  method: PaymentMethodSchema,
});

/**
 * Input of {@link EscrowAccount.releaseMilestone}. The idempotency key is
 * derived from `escrowRef` + `milestoneRef`, so one milestone is paid once
 * however often the release is requested.
 *
 * @example
 * ReleaseMilestoneInputSchema.parse({
 *   escrowRef: 'esc_1', milestoneRef: 'ms_surgery', amountMinor: 400000, currency: 'EUR',
 *   payeeAccountId: 'acct_1ClinicX', sourcePaymentId: 'pi_1',
 * });
 */
export const ReleaseMilestoneInputSchema = z.object({
  escrowRef: ReferenceSchema,
  milestoneRef: ReferenceSchema,
  amountMinor: MinorUnitsSchema,
  currency: CurrencySchema,
  /** The clinic's connected account at the provider. */
  payeeAccountId: z.string().min(1),
  /** Charge the funds came from, so the transfer waits for them to settle. */
  sourcePaymentId: z.string().min(1).optional(),
  correlationId: z.string().optional(),
});

/**
 * A milestone paid out to the payee.
 *
 * @example
 * const release: MilestoneRelease = await escrow.releaseMilestone(input);
 */
export const MilestoneReleaseSchema = z.object({
  transferId: z.string(),
  escrowRef: z.string(),
  milestoneRef: z.string(),
  amountMinor: z.number().int(),
  currency: CurrencySchema,
});

/**
 * Refund of held money to the payer.
 *
 * @example
 * EscrowRefundInputSchema.parse({ escrowRef: 'esc_1', paymentId: 'pi_1' });
 */
export const EscrowRefundInputSchema = CallMetaSchema.extend({
  escrowRef: ReferenceSchema,
  paymentId: z.string().min(1),
  amountMinor: MinorUnitsSchema.optional(),
});

/** @example const input: EscrowHoldInput = { escrowRef: 'esc_1', amountMinor: 1, currency: 'EUR', method: 'card' }; */
export type EscrowHoldInput = z.input<typeof EscrowHoldInputSchema>;
/** @example const input: ReleaseMilestoneInput = { escrowRef: 'esc_1', milestoneRef: 'ms_1', amountMinor: 1, currency: 'EUR', payeeAccountId: 'acct_1' }; */
export type ReleaseMilestoneInput = z.input<typeof ReleaseMilestoneInputSchema>;
/** @example const release: MilestoneRelease = await escrow.releaseMilestone(input); */
export type MilestoneRelease = z.infer<typeof MilestoneReleaseSchema>;
/** @example const input: EscrowRefundInput = { escrowRef: 'esc_1', paymentId: 'pi_1' }; */
export type EscrowRefundInput = z.input<typeof EscrowRefundInputSchema>;

/**
 * Escrow for treatment packages. Milestone bookkeeping (how much is left to
 * release) belongs to the ledger; this port moves the money.
 *
 * @example
 * const held = await escrow.hold({ escrowRef: 'esc_1', amountMinor: 900000, currency: 'EUR', method: 'card' });
 * await escrow.releaseMilestone({ escrowRef: 'esc_1', milestoneRef: 'ms_admission', amountMinor: 300000, currency: 'EUR', payeeAccountId: 'acct_1' });
 */
export interface EscrowAccount {
  readonly provider: string;
  hold(input: EscrowHoldInput): Promise<z.infer<typeof PaymentIntentSchema>>;
  releaseMilestone(input: ReleaseMilestoneInput): Promise<MilestoneRelease>;
  refund(input: EscrowRefundInput): Promise<z.infer<typeof RefundSchema>>;
}
