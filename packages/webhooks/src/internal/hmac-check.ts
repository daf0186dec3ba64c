/**
 * The verification steps every HMAC scheme shares once it has parsed its
 * header: try each key against each candidate signature in constant time,
 * then hand back the parsed (or raw) body.
 */
import { WebhookVerificationError } from '../errors.ts';
import type { VerifyOptions, WebhookPayload } from '../types.ts';
import {
  type Body,
  constantTimeEqual,
  type DigestEncoding,
  type HashName,
  type HmacKey,
  hmacAsync,
  hmacSync,
  requireNodeCrypto,
} from './crypto.ts';
import { parseJsonBody } from './payload.ts';
import { nodeCrypto } from './runtime.ts';

/**
 * Everything a scheme has parsed that the shared check needs.
 *
 * @example
 * ```ts
 * const check: HmacCheck = { hash: 'sha256', keys, prefix: `${t}.`, body, candidates: ['5257a8…'], encoding: 'hex' };
 * ```
 */
export interface HmacCheck {
  hash: HashName;
  keys: readonly HmacKey[];
  /** Signed text that precedes the body (e.g. `"{t}."`), or `""`. */
  prefix: string;
  body: Body;
  /** Received signatures, in `encoding` (hex lowercase). */
  candidates: readonly string[];
  encoding: DigestEncoding;
}

/**
 * Most signature entries a header may carry. Senders rotating secrets send two
 * or three; the bound keeps a hostile header from buying unbounded work.
 *
 * @example
 * ```ts
 * if (entries.length > MAX_SIGNATURE_ENTRIES) throw tooManySignatures('webhook-signature');
 * ```
 */
export const MAX_SIGNATURE_ENTRIES = 32;

/**
 * The `invalid_header` error for a header over {@link MAX_SIGNATURE_ENTRIES}
 * entries.
 *
 * @example
 * ```ts
 * throw tooManySignatures('Stripe-Signature');
 * ```
 */
export function tooManySignatures(header: string): WebhookVerificationError {
  return new WebhookVerificationError(
    'invalid_header',
    `The ${header} header carries more than ${MAX_SIGNATURE_ENTRIES} signatures. Send one per active secret.`,
  );
}

function matchesAny(candidates: readonly string[], expected: string): boolean {
  let matched = false;
  // No early exit: the work done does not depend on which candidate matches.
  for (const candidate of candidates) {
    if (constantTimeEqual(candidate, expected)) matched = true;
  }
  return matched;
}

/**
 * The `invalid_signature` error, with advice that depends on whether the body
 * is empty (likely consumed by a parser).
 *
 * @example
 * ```ts
 * throw signatureMismatch(body);
 * ```
 */
export function signatureMismatch(body: Body): WebhookVerificationError {
  return new WebhookVerificationError(
    'invalid_signature',
    body.length === 0
      ? 'No signature matches, and the payload is empty: the raw body was probably consumed by a body parser. Pass the raw request body.'
      : 'No signature matches the payload. Check the endpoint secret, and pass the raw body exactly as received: a body parsed and re-serialised before verification will not match.',
  );
}

/**
 * Raises `invalid_signature` unless one key signs the content to one of the
 * candidates; needs `node:crypto`.
 *
 * @example
 * ```ts
 * checkHmacSync(check);
 * ```
 */
export function checkHmacSync(check: HmacCheck): void {
  requireNodeCrypto('Synchronous verification');
  for (const key of check.keys) {
    const expected = hmacSync(check.hash, key, check.prefix, check.body, check.encoding);
    if (matchesAny(check.candidates, expected)) return;
  }
  throw signatureMismatch(check.body);
}

/**
 * Same as {@link checkHmacSync} on any runtime (`node:crypto` when present,
 * Web Crypto otherwise).
 *
 * @example
 * ```ts
 * await checkHmacAsync(check);
 * ```
 */
export async function checkHmacAsync(check: HmacCheck): Promise<void> {
  if (nodeCrypto) return checkHmacSync(check);
  for (const key of check.keys) {
    const expected = await hmacAsync(check.hash, key, check.prefix, check.body, check.encoding);
    if (matchesAny(check.candidates, expected)) return;
  }
  throw signatureMismatch(check.body);
}

/**
 * The value `verify` resolves to once the signature holds.
 *
 * @example
 * ```ts
 * return verifiedResult(payload, check.body, options);
 * ```
 */
export function verifiedResult(
  payload: WebhookPayload,
  body: Body,
  options: VerifyOptions | undefined,
): unknown {
  return options?.parse === false ? payload : parseJsonBody(body);
}
