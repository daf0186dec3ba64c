/**
 * Request fingerprints: the same key sent again with a different request is
 * a client bug, and the fingerprint is how a server tells the two apart.
 */
import { type Body, sha256Async, sha256Sync } from '../internal/crypto.ts';
import { hexEncode, utf8DecodeStrict } from '../internal/encoding.ts';
import { canonicalJson } from './canonical-json.ts';

/**
 * What identifies a request for idempotency.
 *
 * @example
 * ```ts
 * const input: FingerprintInput = { method: 'POST', path: '/v1/appointments', body: rawBody };
 * ```
 */
export interface FingerprintInput {
  /** HTTP method, any case. */
  method: string;
  /** Path, with the query string if it changes the meaning of the request. */
  path: string;
  /**
   * Raw body (string or bytes: canonicalised when it is JSON, hashed as is
   * otherwise) or an already parsed JSON value. Absent for no body.
   */
  body?: unknown;
}

function canonicalBody(body: unknown): Body {
  if (body === undefined || body === null) return '';
  let bytes: Uint8Array | undefined;
  if (typeof body === 'string') {
    return jsonOrRaw(body, body);
  }
  if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
  else if (ArrayBuffer.isView(body)) {
    bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
  if (bytes !== undefined) {
    let text: string;
    try {
      text = utf8DecodeStrict(bytes);
    } catch {
      return bytes;
    }
    return jsonOrRaw(text, bytes);
  }
  return canonicalJson(body);
}

function jsonOrRaw(text: string, raw: Body): Body {
  if (text.trim().length === 0) return raw;
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return raw;
  }
}

function fingerprintMaterial(input: FingerprintInput): { head: string; body: Body } {
  return {
    head: `${input.method.toUpperCase()}\n${input.path}\n`,
    body: canonicalBody(input.body),
  };
}

/**
 * Hex SHA-256 of method, path and the canonical body. Bodies equal as JSON
 * (key order, whitespace) give the same fingerprint.
 *
 * @example
 * ```ts
 * const fingerprint = await requestFingerprint({ method: 'POST', path: '/v1/payments', body: rawBody });
 * const reservation = await store.reserve(idempotencyKey, { fingerprint });
 * ```
 */
export async function requestFingerprint(input: FingerprintInput): Promise<string> {
  const { head, body } = fingerprintMaterial(input);
  const bodyHash = hexEncode(await sha256Async(body));
  return hexEncode(await sha256Async(head + bodyHash));
}

/**
 * Synchronous {@link requestFingerprint} (needs `node:crypto`).
 *
 * @example
 * ```ts
 * const fingerprint = requestFingerprintSync({ method: 'PUT', path: '/v1/patients/pat_1', body });
 * ```
 */
export function requestFingerprintSync(input: FingerprintInput): string {
  const { head, body } = fingerprintMaterial(input);
  return hexEncode(sha256Sync(head + hexEncode(sha256Sync(body))));
}
