/**
 * HMAC and SHA-256 on the fastest path the runtime offers: synchronous
 * `node:crypto` where it exists (awaited Web Crypto is about 15x slower on a
 * 1 KiB body), Web Crypto everywhere else. Every signature comparison goes
 * through {@link constantTimeEqual}.
 */
import { WebhookVerificationError } from '../errors.ts';
import { utf8Encode } from './encoding.ts';
import { type NodeCrypto, nodeCrypto } from './runtime.ts';

export type HashName = 'sha256' | 'sha512';

/** A request body normalised for hashing: text is hashed as UTF-8. */
export type Body = string | Uint8Array;

const WEB_HASH: Record<HashName, string> = { sha256: 'SHA-256', sha512: 'SHA-512' };

export function requireNodeCrypto(operation: string): NodeCrypto {
  if (nodeCrypto) return nodeCrypto;
  throw new WebhookVerificationError(
    'unsupported_runtime',
    `${operation} needs node:crypto, which this runtime does not provide; use the async API instead.`,
  );
}

/** HMAC(key, prefix || body), synchronously through `node:crypto`. */
export function hmacSync(hash: HashName, key: Uint8Array, prefix: string, body: Body): Uint8Array {
  const hmac = requireNodeCrypto('Synchronous signing and verification').createHmac(hash, key);
  if (prefix.length > 0) hmac.update(prefix);
  return hmac.update(body).digest();
}

// Keys are cached per secret by the schemes, so the key bytes object is stable
// and can index its imported CryptoKey without holding it alive.
const webKeys = new WeakMap<Uint8Array, Map<HashName, Promise<CryptoKey>>>();

function importWebKey(hash: HashName, key: Uint8Array): Promise<CryptoKey> {
  let byHash = webKeys.get(key);
  if (!byHash) {
    byHash = new Map();
    webKeys.set(key, byHash);
  }
  let imported = byHash.get(hash);
  if (!imported) {
    imported = subtle().importKey(
      'raw',
      key as Uint8Array<ArrayBuffer>,
      { name: 'HMAC', hash: WEB_HASH[hash] },
      false,
      ['sign'],
    );
    byHash.set(hash, imported);
  }
  return imported;
}

function subtle(): SubtleCrypto {
  const webCrypto = (globalThis as { crypto?: Crypto }).crypto;
  if (!webCrypto?.subtle) {
    throw new WebhookVerificationError(
      'unsupported_runtime',
      'This runtime has neither node:crypto nor Web Crypto (crypto.subtle); use a secure context (HTTPS) or a server runtime.',
    );
  }
  return webCrypto.subtle;
}

function concatBytes(prefix: string, body: Body): Uint8Array<ArrayBuffer> {
  const head = utf8Encode(prefix);
  const tail = typeof body === 'string' ? utf8Encode(body) : body;
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

/** HMAC(key, prefix || body) on any runtime; native and synchronous underneath when possible. */
export async function hmacAsync(
  hash: HashName,
  key: Uint8Array,
  prefix: string,
  body: Body,
): Promise<Uint8Array> {
  if (nodeCrypto) return hmacSync(hash, key, prefix, body);
  const cryptoKey = await importWebKey(hash, key);
  return new Uint8Array(await subtle().sign('HMAC', cryptoKey, concatBytes(prefix, body)));
}

/** Compares two byte strings in time that depends only on their length. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (nodeCrypto) return nodeCrypto.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** SHA-256 digest, synchronously through `node:crypto`. */
export function sha256Sync(data: Body): Uint8Array {
  return requireNodeCrypto('Synchronous hashing').createHash('sha256').update(data).digest();
}

/** SHA-256 digest on any runtime. */
export async function sha256Async(data: Body): Promise<Uint8Array> {
  if (nodeCrypto) return sha256Sync(data);
  const bytes = typeof data === 'string' ? utf8Encode(data) : data;
  return new Uint8Array(await subtle().digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** Cryptographically secure random bytes (Web Crypto exists in every supported runtime). */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}
