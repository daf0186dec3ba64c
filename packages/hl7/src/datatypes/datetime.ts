/**
 * HL7 date/times (DTM, and the first component of the older TS):
 * `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]`. A value without an
 * offset is local time at the sender, so converting it to an instant
 * needs the sender's offset (a facility setting); one with an offset is
 * exact. Parsing checks every part's range and never throws.
 */

/**
 * How much of a date/time the sender gave.
 *
 * @example
 * const p: Hl7DateTimePrecision = 'minute';
 */
export type Hl7DateTimePrecision = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';

/**
 * A parsed HL7 date/time, in the sender's local time.
 *
 * @example
 * const dt: Hl7DateTime = parseHl7DateTime('20150208113419+0110')!;
 * dt.offsetMinutes; // 70
 */
export interface Hl7DateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** The offset written in the value, in minutes east of UTC; null when there was none. */
  offsetMinutes: number | null;
  precision: Hl7DateTimePrecision;
}

const DTM = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses a DTM (or TS component 1); null when empty or not a valid date/time.
 *
 * @example
 * parseHl7DateTime('20290801070624+0115')?.precision; // 'second'
 * parseHl7DateTime('2029-08-01'); // null
 */
export function parseHl7DateTime(value: string): Hl7DateTime | null {
  const m = DTM.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  if (frac !== undefined && s === undefined) return null;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes: number | null = null;
  if (offset !== undefined) {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(3, 5));
    if (oh > 14 || om > 59) return null;
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const precision: Hl7DateTimePrecision =
    s !== undefined
      ? 'second'
      : mi !== undefined
        ? 'minute'
        : h !== undefined
          ? 'hour'
          : d !== undefined
            ? 'day'
            : mo !== undefined
              ? 'month'
              : 'year';
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    millisecond: frac === undefined ? 0 : Math.round(Number(`0.${frac}`) * 1000),
    offsetMinutes,
    precision,
  };
}

/**
 * The instant a DTM names: its own offset when written, else
 * `defaultOffsetMinutes` (the sender's local offset; default UTC). Null
 * when the value is empty or invalid.
 *
 * @example
 * hl7DateTimeToDate('20260101093000', 330)?.toISOString(); // '2026-01-01T04:00:00.000Z' (India, +05:30)
 */
export function hl7DateTimeToDate(value: string, defaultOffsetMinutes = 0): Date | null {
  const dt = parseHl7DateTime(value);
  if (!dt) return null;
  const offset = dt.offsetMinutes ?? defaultOffsetMinutes;
  const utc = Date.UTC(
    dt.year,
    dt.month - 1,
    dt.day,
    dt.hour,
    dt.minute,
    dt.second,
    dt.millisecond,
  );
  return new Date(utc - offset * 60_000);
}

/**
 * The calendar date of a DT/DTM as `YYYY-MM-DD` (a birth date), or null
 * when the value has less than day precision or is invalid. No time zone
 * conversion: a birth date is a date where the patient was born.
 *
 * @example
 * hl7DateToIso('198808181126+0215'); // '1988-08-18'
 */
export function hl7DateToIso(value: string): string | null {
  const dt = parseHl7DateTime(value);
  if (!dt || dt.precision === 'year' || dt.precision === 'month') return null;
  return `${String(dt.year).padStart(4, '0')}-${String(dt.month).padStart(2, '0')}-${String(dt.day).padStart(2, '0')}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Writes an instant as a DTM to the second, at an offset (default UTC): `YYYYMMDDHHMMSS+ZZZZ`.
 *
 * @example
 * formatHl7DateTime(new Date('2026-01-01T04:00:00Z'), 330); // '20260101093000+0530'
 */
export function formatHl7DateTime(date: Date, offsetMinutes = 0): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCFullYear(), 4)}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}` +
    `${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}
