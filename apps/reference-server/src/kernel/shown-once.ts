/**
 * Secrets shown once (a new API key, a `whsec_` signing secret) never reach
 * `idempotency_keys`: the stored copy of such a response has the secret
 * fields removed and says `secretShownOnce: true`, which is what a replay
 * returns. The contract names the fields per operation (`shownOnce`).
 */

/**
 * The body to store for replay: `body` without the `fields` that hold a
 * secret, marked `secretShownOnce: true`; `body` itself when there are none.
 *
 * @example
 * withoutShownOnce({ id: 'tok_…', apiKey: 'cbk_…' }, ['apiKey']); // { id: 'tok_…', secretShownOnce: true }
 */
export function withoutShownOnce(body: unknown, fields: readonly string[] | undefined): unknown {
  if (!fields || fields.length === 0) return body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!fields.includes(name)) kept[name] = value;
  }
  return { ...kept, secretShownOnce: true };
}
