/**
 * Reads a response's rate-limit state. Servers speak two generations of the
 * IETF RateLimit headers draft: the current structured fields
 * (`RateLimit: "standard";r=0;t=30` with `RateLimit-Policy: "standard";q=600;w=60`,
 * which the ClinicBridge server sends) and the older separate fields
 * (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`, still common
 * behind gateways). Both are understood so waits and `result.rateLimit` work
 * whichever one a deployment's proxy emits.
 */
import type { RateLimitInfo } from '../core/types.ts';

/**
 * The number after `key` in a header item: `r=` of `"standard";r=0;t=30`, or
 * with an empty key the whole value of a field such as `RateLimit-Reset: 30`.
 */
function param(item: string | null | undefined, key: string): number | undefined {
  const match = item && new RegExp(`(?:^|;)\\s*${key}(\\d+(?:\\.\\d+)?)\\s*(?:;|$)`).exec(item);
  return match ? Number(match[1]) : undefined;
}

/** Policy name of an item: `"standard";r=0` → `"standard"`. */
const policyOf = (item: string) => item.split(';')[0]?.trim();

/**
 * Rate-limit state of a response, from either header generation, or
 * undefined when the server sent none.
 *
 * @example
 * readRateLimit(new Headers({ ratelimit: '"standard";r=0;t=30', 'ratelimit-policy': '"standard";q=600;w=60' }));
 * // { limit: 600, remaining: 0, reset: 30 }
 */
export function readRateLimit(headers: Headers): RateLimitInfo | undefined {
  // Several policies may apply at once (a burst and a daily window): the one
  // with the fewest requests left decides.
  let item: string | undefined;
  for (const candidate of headers.get('ratelimit')?.split(',') ?? []) {
    const remaining = param(candidate, 'r=');
    if (remaining !== undefined && !(remaining >= (param(item, 'r=') ?? Infinity)))
      item = candidate;
  }
  if (item) {
    const policy = headers.get('ratelimit-policy')?.split(',');
    return {
      limit: param(
        policy?.find((p) => policyOf(p) === policyOf(item)),
        'q=',
      ),
      remaining: param(item, 'r='),
      reset: param(item, 't='),
    };
  }
  const [limit, remaining, reset] = ['limit', 'remaining', 'reset'].map((name) =>
    param(headers.get(`ratelimit-${name}`), ''),
  );
  if (limit === undefined && remaining === undefined && reset === undefined) return undefined;
  return { limit, remaining, reset };
}
