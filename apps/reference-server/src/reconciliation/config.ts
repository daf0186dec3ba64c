/**
 * Configuration of reconciliation: the fee a gateway may keep before a line
 * is a `fee_difference`, and whether yesterday is reconciled by itself.
 */
import * as z from 'zod';

/**
 * The reconciliation section of the environment.
 *
 * @example
 * reconciliationConfig.parse({ RECONCILIATION_MAX_FEE_BPS: '300' }).RECONCILIATION_MAX_FEE_BPS; // 300
 */
export const reconciliationConfig = z.object({
  /** Largest fee a gateway may keep, in hundredths of a percent of the gross (500 = 5 %). */
  RECONCILIATION_MAX_FEE_BPS: z.coerce.number().int().min(0).max(10_000).default(500),
  /** Reconcile the previous UTC day of every configured gateway for every tenant, once a day. */
  RECONCILIATION_DAILY: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

/**
 * The parsed reconciliation section.
 *
 * @example
 * const config: ReconciliationConfig = reconciliationConfig.parse(process.env);
 */
export type ReconciliationConfig = z.infer<typeof reconciliationConfig>;
