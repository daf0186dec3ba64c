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
 */
export const MAX_SIGNATURE_ENTRIES = 32;

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

export function signatureMismatch(body: Body): WebhookVerificationError {
  return new WebhookVerificationError(
    'invalid_signature',
    body.length === 0
      ? 'No signature matches, and the payload is empty: the raw body was probably consumed by a body parser. Pass the raw request body.'
      : 'No signature matches the payload. Check the endpoint secret, and pass the raw body exactly as received: a body parsed and re-serialised before verification will not match.',
  );
}

export function checkHmacSync(check: HmacCheck): void {
  requireNodeCrypto('Synchronous verification');
  for (const key of check.keys) {
    const expected = hmacSync(check.hash, key, check.prefix, check.body, check.encoding);
    if (matchesAny(check.candidates, expected)) return;
  }
  throw signatureMismatch(check.body);
}

export async function checkHmacAsync(check: HmacCheck): Promise<void> {
  if (nodeCrypto) return checkHmacSync(check);
  for (const key of check.keys) {
    const expected = await hmacAsync(check.hash, key, check.prefix, check.body, check.encoding);
    if (matchesAny(check.candidates, expected)) return;
  }
  throw signatureMismatch(check.body);
}

/** The value `verify` resolves to once the signature holds. */
export function verifiedResult(
  payload: WebhookPayload,
  body: Body,
  options: VerifyOptions | undefined,
): unknown {
  return options?.parse === false ? payload : parseJsonBody(body);
}
