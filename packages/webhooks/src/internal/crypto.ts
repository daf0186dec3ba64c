/**
 * HMAC and SHA-256 on the fastest path the runtime offers: synchronous
 * `node:crypto` where it exists (awaited Web Crypto is several times slower
 * on a 1 KiB body; see docs/benchmarks.md), Web Crypto everywhere else. Every
 * signature comparison goes through {@link constantTimeEqual}.
 */
import { WebhookVerificationError } from '../errors.ts';
import { base64Encode, hexEncode, utf8Encode } from './encoding.ts';
import { type NodeCrypto, nodeCrypto } from './runtime.ts';

/**
 * The HMAC hashes the schemes use.
 *
 * @example
 * ```ts
 * const hash: HashName = 'sha256';
 * ```
 */
export type HashName = 'sha256' | 'sha512';

/**
 * An HMAC key, decoded once per secret. `node` is a `KeyObject`: on Node 24,
 * `createHmac` with a KeyObject (or a string) is several times faster than
 * with a Buffer or Uint8Array key, which dominates small-body verification.
 *
 * @example
 * ```ts
 * const key: HmacKey = toHmacKey(utf8Key(secret));
 * ```
 */
export interface HmacKey {
  readonly bytes: Uint8Array;
  readonly node: ReturnType<NodeCrypto['createSecretKey']> | undefined;
}

/**
 * Wraps decoded key bytes, with the `node:crypto` KeyObject made once when the
 * runtime has it.
 *
 * @example
 * ```ts
 * const key = toHmacKey(new TextEncoder().encode(process.env.GITHUB_WEBHOOK_SECRET!));
 * ```
 */
export function toHmacKey(bytes: Uint8Array): HmacKey {
  return { bytes, node: bytes.length > 0 ? nodeCrypto?.createSecretKey(bytes) : undefined };
}

/**
 * A request body normalised for hashing: text is hashed as UTF-8.
 *
 * @example
 * ```ts
 * const body: Body = toBody(await request.arrayBuffer());
 * ```
 */
export type Body = string | Uint8Array;

const WEB_HASH: Record<HashName, string> = { sha256: 'SHA-256', sha512: 'SHA-512' };

/**
 * The `node:crypto` module, or `unsupported_runtime` naming the operation that
 * needed it.
 *
 * @example
 * ```ts
 * const { createHash } = requireNodeCrypto('Synchronous hashing');
 * ```
 */
export function requireNodeCrypto(operation: string): NodeCrypto {
  if (nodeCrypto) return nodeCrypto;
  throw new WebhookVerificationError(
    'unsupported_runtime',
    `${operation} needs node:crypto, which this runtime does not provide; use the async API instead.`,
  );
}

/**
 * How a MAC is written in a header.
 *
 * @example
 * ```ts
 * const encoding: DigestEncoding = 'hex'; // Stripe, GitHub
 * ```
 */
export type DigestEncoding = 'base64' | 'hex';

/**
 * HMAC(key, prefix || body) as text, synchronously through `node:crypto`.
 * Signatures are compared as text: `digest(encoding)` avoids allocating a
 * Buffer per call, which costs more than hashing a small body's prefix.
 *
 * @example
 * ```ts
 * const signature = hmacSync('sha256', key, `${id}.${timestamp}.`, body, 'base64');
 * ```
 */
export function hmacSync(
  hash: HashName,
  key: HmacKey,
  prefix: string,
  body: Body,
  encoding: DigestEncoding,
): string {
  const hmac = requireNodeCrypto('Synchronous signing and verification').createHmac(
    hash,
    key.node ?? key.bytes,
  );
  if (prefix.length > 0) hmac.update(prefix);
  return hmac.update(body).digest(encoding);
}

// Keys are cached per secret by the schemes, so the key object is stable and
// can index its imported CryptoKey without holding it alive.
const webKeys = new WeakMap<HmacKey, Map<HashName, Promise<CryptoKey>>>();

function importWebKey(hash: HashName, key: HmacKey): Promise<CryptoKey> {
  let byHash = webKeys.get(key);
  if (!byHash) {
    byHash = new Map();
    webKeys.set(key, byHash);
  }
  let imported = byHash.get(hash);
  if (!imported) {
    imported = subtle().importKey(
      'raw',
      key.bytes as Uint8Array<ArrayBuffer>,
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

/**
 * HMAC(key, prefix || body) as text on any runtime; native and synchronous underneath when possible.
 *
 * @example
 * ```ts
 * const signature = await hmacAsync('sha256', key, `${t}.`, body, 'hex');
 * ```
 */
export async function hmacAsync(
  hash: HashName,
  key: HmacKey,
  prefix: string,
  body: Body,
  encoding: DigestEncoding,
): Promise<string> {
  if (nodeCrypto) return hmacSync(hash, key, prefix, body, encoding);
  const cryptoKey = await importWebKey(hash, key);
  const mac = new Uint8Array(await subtle().sign('HMAC', cryptoKey, concatBytes(prefix, body)));
  return encoding === 'hex' ? hexEncode(mac) : base64Encode(mac);
}

/**
 * Runs a synchronous node:crypto operation behind the async API: a settled
 * promise, without the extra ticks an `async` wrapper chain would add.
 *
 * @example
 * ```ts
 * export const verify = (...args: Args) => settled(() => verifySync(...args));
 * ```
 */
export function settled<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Compares two signatures in time that depends only on their length (which
 * is public: it is fixed by the hash and the encoding).
 *
 * @example
 * ```ts
 * if (constantTimeEqual(received, expected)) return;
 * ```
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * SHA-256 digest, synchronously through `node:crypto`.
 *
 * @example
 * ```ts
 * const digest = hexEncode(sha256Sync(canonicalBody));
 * ```
 */
export function sha256Sync(data: Body): Uint8Array {
  return requireNodeCrypto('Synchronous hashing').createHash('sha256').update(data).digest();
}

/**
 * SHA-256 digest on any runtime.
 *
 * @example
 * ```ts
 * const digest = hexEncode(await sha256Async(canonicalBody));
 * ```
 */
export async function sha256Async(data: Body): Promise<Uint8Array> {
  if (nodeCrypto) return sha256Sync(data);
  const bytes = typeof data === 'string' ? utf8Encode(data) : data;
  return new Uint8Array(await subtle().digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/**
 * Cryptographically secure random bytes (Web Crypto exists in every supported runtime).
 *
 * @example
 * ```ts
 * const secret = `whsec_${base64Encode(randomBytes(32))}`;
 * ```
 */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}
