/**
 * The caller's idempotency key and correlation id, copied onto a provider
 * call only when set: the client generates a key of its own when none is
 * given, and an absent correlation id must stay absent, not `undefined`
 * (`exactOptionalPropertyTypes`).
 */

/**
 * Keys a caller may pass with any port operation.
 *
 * @example
 * const keys: CallerKeys = { idempotencyKey: 'pay_1:create', correlationId: 'req_1' };
 */
export interface CallerKeys {
  idempotencyKey?: string | undefined;
  correlationId?: string | undefined;
}

/**
 * `{ correlationId }` when the caller set one, else nothing.
 *
 * @example
 * client.json({ operation: 'payments.status', path, ...correlation(input) });
 */
export const correlation = (input: {
  correlationId?: string | undefined;
}): { correlationId?: string } =>
  input.correlationId ? { correlationId: input.correlationId } : {};

/**
 * The caller's idempotency key and correlation id, each only when set.
 *
 * @example
 * client.json({ operation: 'payments.refund', method: 'post', path, ...callerKeys(input) });
 */
export const callerKeys = (
  input: CallerKeys,
): { idempotencyKey?: string; correlationId?: string } => ({
  ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
  ...correlation(input),
});
