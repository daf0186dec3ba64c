/**
 * ISO 4217 minor-unit exponents: how many digits of an amount are after the
 * decimal point. Two unless listed; the list is the ISO 4217 table's
 * currencies with 0, 3 or 4 minor digits.
 */

const exponents: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/**
 * Digits after the decimal point in `currency`'s minor unit.
 *
 * @example
 * currencyExponent('EUR'); // 2
 * currencyExponent('JPY'); // 0
 * currencyExponent('KWD'); // 3
 */
export function currencyExponent(currency: string): number {
  return exponents[currency] ?? 2;
}
