/** Idempotency keys for outgoing requests. */

/**
 * A new random idempotency key (a UUID v4, 122 random bits), to send as the
 * `Idempotency-Key` header and reuse unchanged on every retry of one request.
 *
 * @example
 * ```ts
 * const key = generateIdempotencyKey();
 * await fetch(url, { method: 'POST', body, headers: { 'Idempotency-Key': key } });
 * ```
 */
export function generateIdempotencyKey(): string {
  return crypto.randomUUID();
}
