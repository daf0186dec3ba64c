/**
 * Cell parsers shared by the import kinds: a decimal amount to integer
 * minor units of its currency, and a phone number to E.164. Each returns
 * null for a value it cannot read; the caller turns that into a reject.
 */
import { currencyExponent } from '../money/currencies.ts';

const DECIMAL = /^(-?)(\d{1,13})(?:\.(\d+))?$/;

/**
 * A decimal in major units (`1500.50`) as integer minor units of `currency`,
 * or null when it is not a decimal or has more decimals than the currency.
 *
 * @example
 * toMinorUnits('1500.5', 'TRY'); // 150050
 * toMinorUnits('12.345', 'EUR'); // null
 */
export function toMinorUnits(text: string, currency: string): number | null {
  const match = DECIMAL.exec(text.trim().replace(/[ _]/g, ''));
  if (!match) return null;
  const [, sign, whole = '0', fraction = ''] = match;
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) return null;
  // String arithmetic: no float ever holds the amount.
  const minor = Number(`${whole}${fraction.padEnd(exponent, '0')}`);
  if (!Number.isSafeInteger(minor)) return null;
  return sign === '-' ? -minor : minor;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A phone number in international form as E.164 (`+905321234567`): spaces,
 * dots, dashes and brackets dropped, a leading `00` read as `+`. Null when
 * what is left is not E.164 (a national number without its country code).
 *
 * @example
 * toE164('+90 (532) 123-45-67'); // '+905321234567'
 * toE164('0532 123 45 67'); // null
 */
export function toE164(text: string): string | null {
  let digits = text.trim().replace(/[\s.\-()/]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  return E164.test(digits) ? digits : null;
}
