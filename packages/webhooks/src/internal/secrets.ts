/**
 * Secret parsing with a small bounded cache: verifying thousands of webhooks
 * a second with the same secret should not decode it thousands of times.
 */
import { WebhookVerificationError } from '../errors.ts';
import type { WebhookSecret } from '../types.ts';
import { type HmacKey, toHmacKey } from './crypto.ts';

/**
 * Signing refuses keys shorter than this (192 bits), whatever the scheme.
 *
 * @example
 * ```ts
 * if (key.bytes.length < MIN_SIGNING_KEY_BYTES) throw shortSecret();
 * ```
 */
export const MIN_SIGNING_KEY_BYTES = 24;

const CACHE_LIMIT = 256;

/**
 * Builds a function that maps one secret or a rotation list to key bytes,
 * remembering the last {@link CACHE_LIMIT} secrets it decoded.
 *
 * @example
 * ```ts
 * const keysFor = createKeyResolver(utf8Key);
 * const keys = keysFor([newSecret, oldSecret]); // one HmacKey each
 * ```
 */
export function createKeyResolver(
  decode: (secret: string) => Uint8Array,
): (secret: WebhookSecret) => readonly HmacKey[] {
  const cache = new Map<string, readonly HmacKey[]>();
  const one = (secret: string): readonly HmacKey[] => {
    let keys = cache.get(secret);
    if (keys === undefined) {
      if (typeof secret !== 'string' || secret.length === 0) throw emptySecret();
      keys = [toHmacKey(decode(secret))];
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(secret, keys);
    }
    return keys;
  };
  return (secret) => {
    if (typeof secret === 'string') return one(secret);
    if (!Array.isArray(secret) || secret.length === 0) throw emptySecret();
    return secret.flatMap(one);
  };
}

function emptySecret(): WebhookVerificationError {
  return new WebhookVerificationError(
    'invalid_secret',
    'No secret was given (empty string or empty list). Configure the endpoint signing secret.',
  );
}

/**
 * Raises `invalid_secret` for keys too short to sign with.
 *
 * @example
 * ```ts
 * assertSigningKeys(keysFor(input.secret));
 * ```
 */
export function assertSigningKeys(keys: readonly HmacKey[]): void {
  for (const key of keys) {
    if (key.bytes.length < MIN_SIGNING_KEY_BYTES) {
      throw new WebhookVerificationError(
        'invalid_secret',
        `A signing secret is shorter than ${MIN_SIGNING_KEY_BYTES} bytes. Use a longer random secret (generateSecret() makes one).`,
      );
    }
  }
}

/**
 * Secret as UTF-8 key bytes: Stripe, Meta, GitHub and generic HMAC use the string itself.
 *
 * @example
 * ```ts
 * const keysFor = createKeyResolver(utf8Key);
 * ```
 */
export function utf8Key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}
