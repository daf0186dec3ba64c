/** The error type of the idempotency helpers: misuse the caller must fix, with a stable `code`. */

/**
 * Stable reasons an idempotency helper refused its input.
 *
 * @example
 * ```ts
 * const code: IdempotencyErrorCode = 'invalid_key';
 * ```
 */
export type IdempotencyErrorCode = 'invalid_key' | 'invalid_body' | 'invalid_option';

/**
 * Raised for a malformed key, a body that cannot be canonicalised, or an
 * out-of-range option.
 *
 * @example
 * ```ts
 * try {
 *   await store.reserve('');
 * } catch (error) {
 *   if (isIdempotencyError(error)) console.warn(error.code); // 'invalid_key'
 * }
 * ```
 */
export class IdempotencyError extends Error {
  override readonly name = 'IdempotencyError';
  readonly code: IdempotencyErrorCode;

  constructor(code: IdempotencyErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * True when `error` is an {@link IdempotencyError}, across copies of the package.
 *
 * @example
 * ```ts
 * if (isIdempotencyError(error) && error.code === 'invalid_key') return badRequest();
 * ```
 */
export function isIdempotencyError(error: unknown): error is IdempotencyError {
  return error instanceof Error && error.name === 'IdempotencyError';
}

/**
 * Longest idempotency key accepted, in characters.
 *
 * @example
 * ```ts
 * if (key.length > MAX_KEY_LENGTH) return badRequest('invalid_key');
 * ```
 */
export const MAX_KEY_LENGTH = 255;

/**
 * Keys are opaque, but bounded and printable so they can be stored and logged safely.
 *
 * @example
 * ```ts
 * assertKey(request.headers.get('idempotency-key')); // throws IdempotencyError('invalid_key')
 * ```
 */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new IdempotencyError(
      'invalid_key',
      `An idempotency key must be a string of 1 to ${MAX_KEY_LENGTH} characters.`,
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    throw new IdempotencyError(
      'invalid_key',
      'An idempotency key must not contain control characters.',
    );
  }
}

/**
 * Raises `invalid_option` unless `value` is absent or a positive, finite
 * number of milliseconds.
 *
 * @example
 * ```ts
 * assertDuration('ttlMs', options.ttlMs);
 * ```
 */
export function assertDuration(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new IdempotencyError(
      'invalid_option',
      `${name} must be a positive number of milliseconds.`,
    );
  }
}
