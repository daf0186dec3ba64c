/**
 * Case-insensitive header lookup over Fetch `Headers`, plain objects and
 * Node's `IncomingHttpHeaders`.
 */
import { WebhookVerificationError } from '../errors.ts';
import type { HeadersLike } from '../types.ts';

/**
 * The value of header `name` (lowercase), or `undefined`. Repeated headers are
 * joined with `", "` the way `Headers.get` joins them.
 *
 * @example
 * ```ts
 * const deliveryId = readHeader(req.headers, 'x-github-delivery');
 * ```
 */
export function readHeader(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let value = record[name];
  if (value === undefined) {
    for (const key in record) {
      if (key.length === name.length && key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (typeof value === 'string') return value;
  // Anything else that is not a list (e.g. an inherited `constructor`) is no header.
  return Array.isArray(value) ? value.join(', ') : undefined;
}

/**
 * The first of `names` present and non-empty; raises `missing_header` naming
 * the first one otherwise.
 *
 * @example
 * ```ts
 * const id = requireHeader(headers, 'webhook-id', 'svix-id');
 * ```
 */
export function requireHeader(headers: HeadersLike, ...names: readonly string[]): string {
  for (const name of names) {
    const value = readHeader(headers, name);
    if (value !== undefined && value.length > 0) return value;
  }
  throw new WebhookVerificationError(
    'missing_header',
    `The ${names[0]} header is missing or empty. Pass the request headers exactly as received; a proxy may be stripping it.`,
  );
}
