/**
 * Building blocks shared by every resource: money, timestamps, pagination,
 * and the request-size bounds that keep hostile input small.
 */
import * as z from 'zod/mini';

/**
 * ISO 8601 timestamp in UTC (`2026-11-22T09:30:00Z`, fractional seconds allowed).
 *
 * @example
 * timestamp.parse('2026-11-22T09:30:00.000Z');
 */
export const timestamp = z.iso.datetime();

/**
 * Calendar date (`2026-11-22`).
 *
 * @example
 * date.parse('1980-02-29');
 */
export const date = z.iso.date();

/**
 * First year a date or timestamp in a request may fall in.
 *
 * @example
 * timestampInput.safeParse(`${MIN_YEAR - 1}-12-31T00:00:00Z`).success; // false
 */
export const MIN_YEAR = 1900;
/**
 * Last year a date or timestamp in a request may fall in.
 *
 * @example
 * dateInput.safeParse(`${MAX_YEAR + 1}-01-01`).success; // false
 */
export const MAX_YEAR = 2200;

const YEAR_MESSAGE = `must fall in the years ${MIN_YEAR}–${MAX_YEAR}`;
// Both formats start with the four-digit year (zod's ISO formats have no sign or extended years).
// The format check aborts, so a malformed value gets one issue, not a second about its year.
const inYearRange = (value: string) => {
  const year = Number(value.slice(0, 4));
  return year >= MIN_YEAR && year <= MAX_YEAR;
};

/**
 * A {@link timestamp} in a request body or filter: also bounded to the
 * years 1900–2200, so a year 0000 or 9999 never reaches the database (where
 * PostgreSQL and PGlite disagree about far years). Responses use
 * {@link timestamp}, unbounded, so a record from elsewhere never fails the
 * client's response validation.
 *
 * @example
 * timestampInput.safeParse('0000-01-01T00:00:00Z').success; // false
 */
export const timestampInput = z.iso
  .datetime({ abort: true })
  .check(z.refine(inYearRange, YEAR_MESSAGE));

/**
 * A {@link date} in a request body or filter, bounded to the years 1900–2200.
 *
 * @example
 * dateInput.safeParse('1980-02-29').success; // true
 */
export const dateInput = z.iso.date({ abort: true }).check(z.refine(inYearRange, YEAR_MESSAGE));

/**
 * ISO 4217 currency code, upper case (`EUR`, `TRY`, `INR`).
 *
 * @example
 * currency.parse('EUR');
 */
export const currency = z.currencyCode();

/**
 * An amount of money: integer minor units (cents, kuruş, paise) and its currency.
 * Never a float: `{ amount: 1999, currency: 'EUR' }` is €19.99.
 *
 * @example
 * money.parse({ amount: 1999, currency: 'EUR' });
 */
export const money = z.object({
  amount: z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)),
  currency,
});

/**
 * An amount of money in minor units.
 *
 * @example
 * const fee: Money = { amount: 150_000, currency: 'TRY' }; // ₺1,500.00
 */
export type Money = z.infer<typeof money>;

/**
 * Same as {@link money} but rejects unknown fields (request bodies).
 *
 * @example
 * moneyInput.parse({ amount: 1999, currency: 'EUR' });
 */
export const moneyInput = z.strictObject({
  amount: z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)),
  currency,
});

/**
 * A positive amount of money (payments and refunds).
 *
 * @example
 * positiveMoneyInput.safeParse({ amount: 0, currency: 'EUR' }).success; // false
 */
export const positiveMoneyInput = z.strictObject({
  amount: z.int().check(z.gte(1), z.lte(Number.MAX_SAFE_INTEGER)),
  currency,
});

/**
 * Bounded free text: trimmed length 1..max.
 *
 * @example
 * text(500).parse('  Patient request  '); // 'Patient request'
 */
export function text(max: number) {
  return z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
}

/**
 * Largest page a list operation returns.
 *
 * @example
 * const page = await client.appointments.list({ limit: MAX_PAGE_SIZE }).page();
 */
export const MAX_PAGE_SIZE = 100;
/**
 * Page size when `limit` is not given.
 *
 * @example
 * const page = await client.patients.list().page(); // page.data.length <= DEFAULT_PAGE_SIZE
 */
export const DEFAULT_PAGE_SIZE = 25;

/**
 * `?limit=&cursor=` of every list operation. `limit` arrives as a string in
 * the query and is coerced; `cursor` is opaque and comes from `nextCursor`.
 *
 * @example
 * pageQuery.parse({ limit: '10' }); // { limit: 10 }
 */
export const pageQuery = z.strictObject({
  limit: z.optional(z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(MAX_PAGE_SIZE)))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
});

/**
 * Extends {@link pageQuery} with resource-specific filters.
 *
 * @example
 * const q = listQuery({ status: z.optional(z.enum(['open', 'paid'])) });
 */
export function listQuery<S extends z.core.$ZodLooseShape>(filters: S) {
  return z.extend(pageQuery, filters);
}

/**
 * A page of results: `{ data, nextCursor }`; `nextCursor` is null on the last page.
 *
 * @example
 * const appointmentPage = page(appointment);
 */
export function page<T extends z.core.$ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.nullable(z.string()) });
}

/**
 * A page of results.
 *
 * @example
 * const empty: Page<Appointment> = { data: [], nextCursor: null };
 */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Free-form metadata partners attach to a resource: at most 20 string keys and values.
 *
 * @example
 * metadata.parse({ crmId: 'c-42', source: 'website' });
 */
export const metadata = z
  .record(z.string().check(z.minLength(1), z.maxLength(40)), z.string().check(z.maxLength(500)))
  .check(z.refine((m) => Object.keys(m).length <= 20, 'at most 20 metadata keys'));
