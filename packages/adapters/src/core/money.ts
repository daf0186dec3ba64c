/**
 * Money crosses provider boundaries in two shapes: integer minor units
 * (Stripe, Razorpay, ClinicBridge itself) and decimal strings (Amadeus,
 * Iyzico). Conversion is done on strings so no float rounding creeps in.
 */

const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/**
 * Number of decimals of an ISO 4217 currency.
 *
 * @example
 * currencyExponent('EUR'); // 2
 */
export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/**
 * Decimal string (`"1234.5"`) to integer minor units (`123450`). Throws
 * `RangeError` on anything that is not a plain non-negative decimal or has
 * more decimals than the currency allows.
 *
 * @example
 * toMinorUnits('1234.5', 'EUR'); // 123450
 */
export function toMinorUnits(decimal: string | number, currency: string): number {
  const text = String(decimal).trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError('Amount is not a non-negative decimal.');
  const exponent = currencyExponent(currency);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent)
    throw new RangeError('Amount has more decimals than the currency.');
  return Number(match[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
}

/**
 * Integer minor units to a decimal string with the currency's decimals.
 *
 * @example
 * fromMinorUnits(123450, 'EUR'); // '1234.50'
 */
export function fromMinorUnits(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor) || minor < 0)
    throw new RangeError('Minor units must be a non-negative integer.');
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(minor);
  const text = String(minor).padStart(exponent + 1, '0');
  return `${text.slice(0, -exponent)}.${text.slice(-exponent)}`;
}
