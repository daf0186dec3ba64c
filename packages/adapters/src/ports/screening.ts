/**
 * The sanctions / AML screening port: before money moves on a corridor
 * marked enhanced-risk, the payer is screened. The port sees an opaque
 * subject reference, the corridor, and the amount — never a name or contact
 * detail; the screening provider resolves the reference on its side. A
 * screener that cannot answer throws `ProviderError` (`provider_unavailable`,
 * `timeout`, …): the caller must treat that as "not cleared".
 */
import { z } from 'zod';
import { CallMetaSchema, CurrencySchema } from './common.ts';

/**
 * What is screened.
 *
 * @example
 * ScreeningInputSchema.parse({ subjectRef: 'pay_123', corridor: 'NG-TR', amountMinor: 500000, currency: 'EUR' });
 */
export const ScreeningInputSchema = CallMetaSchema.extend({
  /** Opaque id of the payer or payment (never a name). */
  subjectRef: z.string().min(1).max(128),
  /** Origin and destination countries, ISO 3166-1 alpha-2: `NG-TR`. */
  corridor: z.string().regex(/^[A-Z]{2}-[A-Z]{2}$/, 'two ISO country codes: NG-TR'),
  amountMinor: z.number().int().nonnegative(),
  currency: CurrencySchema,
});

/**
 * The screener's answer: `clear`, or `hit` (a possible match a person must review).
 *
 * @example
 * const result: ScreeningResult = { outcome: 'hit', reference: 'scr_42' };
 */
export const ScreeningResultSchema = z.object({
  outcome: z.enum(['clear', 'hit']),
  /** The screener's own reference for the check, for the reviewer. */
  reference: z.string(),
});

/** @example const input: ScreeningInput = { subjectRef: 'pay_1', corridor: 'NG-TR', amountMinor: 100, currency: 'EUR' }; */
export type ScreeningInput = z.input<typeof ScreeningInputSchema>;
/** @example const result: ScreeningResult = { outcome: 'clear', reference: 'scr_1' }; */
export type ScreeningResult = z.infer<typeof ScreeningResultSchema>;

/**
 * A sanctions / AML screener.
 *
 * @example
 * const result = await screening.screen({ subjectRef: paymentId, corridor: 'NG-TR', amountMinor: 500000, currency: 'EUR' });
 * if (result.outcome === 'hit') parkForReview();
 */
export interface SanctionsScreening {
  readonly provider: string;
  screen(input: ScreeningInput): Promise<ScreeningResult>;
}
