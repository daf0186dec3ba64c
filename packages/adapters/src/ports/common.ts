/**
 * Building blocks shared by the ports: money, currency codes, references.
 */
import { z } from 'zod';

/**
 * ISO 4217 code, upper case.
 *
 * @example
 * CurrencySchema.parse('EUR');
 */
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, upper case');

/**
 * Integer amount in the currency's minor unit (cents, kuruş, paise).
 *
 * @example
 * MinorUnitsSchema.parse(125000); // €1,250.00
 */
export const MinorUnitsSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * An amount with its currency.
 *
 * @example
 * MoneySchema.parse({ amountMinor: 125000, currency: 'EUR' });
 */
export const MoneySchema = z.object({ amountMinor: MinorUnitsSchema, currency: CurrencySchema });

/**
 * Money in minor units plus currency.
 *
 * @example
 * const fee: Money = { amountMinor: 2500, currency: 'GBP' };
 */
export type Money = z.infer<typeof MoneySchema>;

/**
 * An opaque ClinicBridge id (`pay_…`, `trip_…`, `pat_…`): safe to send to
 * providers and to put in manual tasks, never a name or contact detail.
 *
 * @example
 * ReferenceSchema.parse('pay_01J9Z');
 */
export const ReferenceSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'opaque reference');

/**
 * Optional per-call tracing and idempotency fields.
 *
 * @example
 * CallMetaSchema.parse({ idempotencyKey: 'pay_1:create', correlationId: 'req_9' });
 */
export const CallMetaSchema = z.object({
  idempotencyKey: z.string().min(1).max(255).optional(),
  correlationId: z.string().min(1).max(128).optional(),
});
