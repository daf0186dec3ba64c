/**
 * Secrets ClinicBridge issues: API keys (`cbk_live_…`, `cbk_test_…`) and
 * OAuth client secrets (`cbs_live_…`, `cbs_test_…`; the environment part is
 * auth/environment.ts). Both carry 160 random bits, so a fast SHA-256 is a safe way to
 * store them (no dictionary to attack) and lets a key be found by its hash
 * in one indexed lookup. Only the hash and a short display prefix are kept.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Every API key starts with this.
 *
 * @example
 * const isApiKey = credential.startsWith(API_KEY_PREFIX);
 */
export const API_KEY_PREFIX = 'cbk_';
/**
 * Every OAuth client secret starts with this.
 *
 * @example
 * const secret = newSecret(CLIENT_SECRET_PREFIX); // 'cbs_…'
 */
export const CLIENT_SECRET_PREFIX = 'cbs_';

/**
 * A new random secret with the given prefix (base64url, 160 bits).
 *
 * @example
 * const key = newSecret(API_KEY_PREFIX); // 'cbk_…'
 */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(20).toString('base64url')}`;
}

/**
 * SHA-256 of a secret, hex.
 *
 * @example
 * hashSecret('cbk_abc'); // '5d6…'
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Compares a secret with a stored hash in constant time.
 *
 * @example
 * if (!secretMatches(presented, row.secret_hash)) throw new ApiError('invalid_client');
 */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The display prefix stored beside the hash: enough to recognise a key, useless to use it.
 *
 * @example
 * displayPrefix('cbk_live_abcdefghijkl…'); // 'cbk_live_abcdefgh'
 * displayPrefix('cbk_abcdefghijkl…'); // 'cbk_abcdefgh' (issued before environments)
 */
export function displayPrefix(secret: string): string {
  const kind = /^cb[ks]_(?:live_|test_)?/.exec(secret)?.[0] ?? 'cbk_';
  return secret.slice(0, kind.length + 8);
}
