/**
 * How the operator pages put things into words: times relative to now,
 * delivery errors as a sentence, endpoint addresses without their secrets,
 * and statuses a person reads. Pure functions, no markup.
 */
import { STATUS_CODES } from 'node:http';

const UNITS: readonly [singular: string, plural: string, seconds: number][] = [
  ['year', 'years', 365 * 86_400],
  ['month', 'months', 30 * 86_400],
  ['week', 'weeks', 7 * 86_400],
  ['day', 'days', 86_400],
  ['hour', 'hours', 3_600],
  ['min', 'min', 60],
];

/**
 * `iso` relative to `now` in plain English ("just now", "3 min ago", "in 2 days").
 *
 * @example
 * relativeTime('2026-11-22T08:00:00.000Z', new Date('2026-11-22T10:00:00.000Z')); // '2 hours ago'
 */
export function relativeTime(iso: string, now: Date): string {
  const seconds = (Date.parse(iso) - now.getTime()) / 1_000;
  if (!Number.isFinite(seconds)) return iso;
  const size = Math.abs(seconds);
  if (size < 45) return 'just now';
  const [singular, plural, unit] = UNITS.find(([, , s]) => size >= s) ?? UNITS[UNITS.length - 1]!;
  const count = Math.max(1, Math.round(size / unit));
  const amount = `${count} ${count === 1 ? singular : plural}`;
  return seconds < 0 ? `${amount} ago` : `in ${amount}`;
}

/**
 * The exact time as a person reads it, in UTC: `2026-11-22 08:00 UTC`.
 *
 * @example
 * exactTime('2026-11-22T08:00:05.000Z'); // '2026-11-22 08:00:05 UTC'
 */
export function exactTime(iso: string): string {
  const time = Date.parse(iso);
  if (!Number.isFinite(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** What the sender records for a failure without an answer, and what it means. */
const NETWORK: readonly [RegExp, string][] = [
  [/^timed out after (\d+) ms$/, 'No answer within $1 ms: the endpoint is too slow or down.'],
  [/^connection refused$/, 'Could not connect: nothing is listening at that address.'],
  [/^connection reset by the receiver$/, 'The endpoint dropped the connection before answering.'],
  [/^host name does not resolve$/, 'The endpoint’s host name does not resolve (DNS).'],
  [/^connect timed out$/, 'Could not connect in time: the endpoint is unreachable.'],
  [/^target refused: (.*)$/, 'Not sent: the address is not allowed ($1).'],
  [
    /^redirect not followed \(HTTP (\d{3})\)$/,
    'The endpoint answered with a redirect ($1), which is not followed: update its URL.',
  ],
];

/** What an HTTP status asks of the operator, for the usual ones. */
const ADVICE: Readonly<Record<number, string>> = {
  400: 'it refused the payload',
  401: 'it refused the signature or credentials',
  403: 'it refused the signature or credentials',
  404: 'the URL does not exist there',
  410: 'the receiver says this endpoint is gone for good',
  413: 'the payload is too large for it',
  429: 'it is rate-limiting us',
  500: 'the receiver failed',
  502: 'a proxy in front of it could not reach it',
  503: 'it is unavailable for now',
  504: 'a proxy in front of it timed out',
};

/**
 * One delivery attempt's failure as a sentence: the answer's status with its
 * name and what it usually means, or the network failure in words — never
 * the status twice (the sender records a refused answer as error `HTTP 410`).
 * Null when the attempt succeeded.
 *
 * @example
 * describeAttemptError(410, 'HTTP 410'); // 'Answered 410 Gone: the receiver says this endpoint is gone for good.'
 * describeAttemptError(null, 'connection refused'); // 'Could not connect: nothing is listening at that address.'
 */
export function describeAttemptError(status: number | null, error: string | null): string | null {
  const text = error?.trim() ?? '';
  if (status !== null && status >= 200 && status < 300 && !text) return null;
  for (const [pattern, sentence] of NETWORK) {
    if (pattern.test(text)) return text.replace(pattern, sentence);
  }
  if (status !== null) {
    const name = STATUS_CODES[status];
    const head = `Answered ${status}${name ? ` ${name}` : ''}`;
    const advice = ADVICE[status];
    const extra = text && !/^HTTP \d{3}$/.test(text) ? ` (${text})` : '';
    return `${head}${advice ? `: ${advice}` : ''}${extra}.`;
  }
  if (/^network error/.test(text)) return `Could not reach the endpoint: ${text}.`;
  return text || null;
}

/**
 * A webhook endpoint's URL as the pages show it: scheme, host and path only —
 * user, password, query and fragment may carry secrets and are left out.
 *
 * @example
 * displayUrl('https://user:pw@hooks.example.com/in?token=abc'); // 'https://hooks.example.com/in'
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname === '/' ? '' : parsed.pathname;
    const shown = `${parsed.protocol}//${parsed.host}${path}`;
    return shown.length > 120 ? `${shown.slice(0, 120)}…` : shown;
  } catch {
    return 'an address that does not parse';
  }
}

/** Words for the delivery statuses. */
const DELIVERY_STATUS: Readonly<Record<string, string>> = {
  pending: 'waiting to be sent',
  succeeded: 'delivered',
  failed: 'failed, will retry',
  dead: 'gave up (dead letter)',
  cancelled: 'cancelled',
};

/**
 * A delivery status in words.
 *
 * @example
 * deliveryStatusText('failed'); // 'failed, will retry'
 */
export function deliveryStatusText(status: string): string {
  return DELIVERY_STATUS[status] ?? status;
}

/** Words for the breaker states. */
const BREAKER: Readonly<Record<string, string>> = {
  closed: 'closed (calls go through)',
  half_open: 'half-open (trying one call)',
  open: 'open (calls refused, work goes to manual tasks)',
};

/**
 * A circuit-breaker state in words.
 *
 * @example
 * breakerText('open'); // 'open (calls refused, work goes to manual tasks)'
 */
export function breakerText(state: string): string {
  return BREAKER[state] ?? state;
}
