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

function num(value: string | null | undefined): number | undefined {
  if (value == null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

/** The `name=` parameter of one structured-field item, e.g. `r` of `"standard";r=0;t=30`. */
function param(item: string, name: string): number | undefined {
  return num(new RegExp(`;\\s*${name}=([\\d.]+)`).exec(item)?.[1]);
}

/** Policy name of an item: `"standard"` → `standard`. */
function policyName(item: string): string {
  return item.split(';')[0]?.trim().replace(/^"|"$/g, '') ?? '';
}

function structured(field: string, policies: string | null): RateLimitInfo | undefined {
  // Several policies may apply at once (a burst and a daily window): the one
  // with the fewest requests left decides, and on a tie the longer wait.
  let best: { item: string; remaining: number; reset: number } | undefined;
  for (const item of field.split(',')) {
    const remaining = param(item, 'r');
    if (remaining === undefined) continue;
    const reset = param(item, 't') ?? 0;
    if (!best || remaining < best.remaining || (remaining === best.remaining && reset > best.reset))
      best = { item, remaining, reset };
  }
  if (!best) return undefined;
  const name = policyName(best.item);
  const policy = policies?.split(',').find((p) => policyName(p) === name);
  return {
    limit: policy === undefined ? undefined : param(policy, 'q'),
    remaining: best.remaining,
    reset: param(best.item, 't'),
  };
}

/**
 * Rate-limit state of a response, from either header generation, or
 * undefined when the server sent none.
 *
 * @example
 * readRateLimit(new Headers({ ratelimit: '"standard";r=0;t=30', 'ratelimit-policy': '"standard";q=600;w=60' }));
 * // { limit: 600, remaining: 0, reset: 30 }
 */
export function readRateLimit(headers: Headers): RateLimitInfo | undefined {
  const field = headers.get('ratelimit');
  const fromField = field ? structured(field, headers.get('ratelimit-policy')) : undefined;
  if (fromField) return fromField;
  const limit = num(headers.get('ratelimit-limit'));
  const remaining = num(headers.get('ratelimit-remaining'));
  const reset = num(headers.get('ratelimit-reset'));
  if (limit === undefined && remaining === undefined && reset === undefined) return undefined;
  return { limit, remaining, reset };
}
