/**
 * Redaction for everything handed to hooks. Header and field names are
 * matched case-insensitively; values are replaced, never truncated, so no
 * prefix of a secret leaks either.
 */

const REDACTED = '[redacted]';
const secretHeaders = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$/i;
// Suffix match, so `clientSecret`, `webhookSecret`, `client_secret`, `accessToken` are caught too.
const secretFields = /(api_?key|secret|access_?token|refresh_?token|password)$/i;

/**
 * Copies headers into a plain object, replacing credentials.
 *
 * @example
 * redactHeaders(new Headers({ authorization: 'Bearer sk_x' })); // { authorization: '[redacted]' }
 */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = secretHeaders.test(name) ? REDACTED : value;
  });
  return out;
}

/**
 * Deep-copies a JSON value, replacing secret fields (`apiKey`, `secret`, `clientSecret`, `access_token`, …).
 *
 * @example
 * redactBody({ id: 'tok_1', apiKey: 'cb_live_x' }); // { id: 'tok_1', apiKey: '[redacted]' }
 */
export function redactBody(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactBody);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = secretFields.test(key) ? REDACTED : redactBody(v);
  }
  return out;
}
