/**
 * Standard Webhooks verification: HMAC-SHA256 over `{id}.{timestamp}.{body}`,
 * signatures `v1,<base64>` separated by spaces, timestamp checked against a
 * tolerance in both directions. Accepts the `svix-*` header names too.
 */
import { WebhookVerificationError } from '../errors.ts';
import { settled } from '../internal/crypto.ts';
import { requireHeader } from '../internal/headers.ts';
import {
  checkHmacAsync,
  checkHmacSync,
  type HmacCheck,
  MAX_SIGNATURE_ENTRIES,
  tooManySignatures,
} from '../internal/hmac-check.ts';
import { emptyPayloadError, parseJsonBody, toBody } from '../internal/payload.ts';
import { nodeCrypto } from '../internal/runtime.ts';
import { assertWithinTolerance, parseUnixSeconds } from '../internal/timestamp.ts';
import type { HeadersLike, VerifyOptions, WebhookPayload, WebhookSecret } from '../types.ts';
import { standardKeys } from './secret.ts';

/**
 * What a valid Standard Webhooks signature proves: this message id and
 * timestamp were signed together with the body.
 *
 * @example
 * ```ts
 * const { id, timestamp } = await verifySignature(rawBody, headers, secret);
 * ```
 */
export interface VerifiedSignature {
  /** The `webhook-id` header: the sender's message id, stable across retries. */
  id: string;
  /** The signed `webhook-timestamp`, in Unix seconds. */
  timestamp: number;
}

interface Prepared extends HmacCheck {
  id: string;
  timestamp: number;
}

// base64 of a 32-byte HMAC-SHA256, with padding.
const SIGNATURE_LENGTH = 44;

/** Collects every `v1,` entry; other versions (`v1a` ed25519, future ones) are skipped. */
function parseSignatures(header: string): string[] {
  const signatures: string[] = [];
  // Most deliveries carry one signature: skip the split.
  const entries = header.indexOf(' ') < 0 ? [header] : header.split(' ');
  if (entries.length > MAX_SIGNATURE_ENTRIES) throw tooManySignatures('webhook-signature');
  for (let entry of entries) {
    // Repeated headers arrive joined with ", " (see readHeader).
    if (entry.endsWith(',')) entry = entry.slice(0, -1);
    if (entry.length === 3 + SIGNATURE_LENGTH && entry.startsWith('v1,')) {
      signatures.push(entry.slice(3));
    }
  }
  return signatures;
}

function prepare(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options: VerifyOptions | undefined,
  parse: boolean,
): Prepared {
  const body = toBody(payload);
  const keys = standardKeys(secret);
  const id = requireHeader(headers, 'webhook-id', 'svix-id');
  const timestampHeader = requireHeader(headers, 'webhook-timestamp', 'svix-timestamp');
  const signatureHeader = requireHeader(headers, 'webhook-signature', 'svix-signature');
  const timestamp = parseUnixSeconds(timestampHeader, 'webhook-timestamp');
  assertWithinTolerance(timestamp, options);
  if (parse && body.length === 0) throw emptyPayloadError();
  const signatures = parseSignatures(signatureHeader);
  if (signatures.length === 0) {
    throw new WebhookVerificationError(
      'invalid_signature',
      'The webhook-signature header holds no "v1,<base64>" signature. Check that the sender uses Standard Webhooks HMAC signatures.',
    );
  }
  return {
    hash: 'sha256',
    keys,
    prefix: `${id}.${timestampHeader}.`,
    body,
    candidates: signatures,
    encoding: 'base64',
    id,
    timestamp,
  };
}

/**
 * Verifies a Standard Webhooks delivery and resolves to its parsed JSON body.
 * Works in every runtime; uses `node:crypto` when present.
 *
 * @example
 * ```ts
 * import { verify } from '@clinicbridge/webhooks';
 *
 * const event = await verify<{ type: string }>(rawBody, request.headers, process.env.WEBHOOK_SECRET!);
 * ```
 */
export function verify<T = unknown>(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: VerifyOptions & { parse?: true },
): Promise<T>;
export function verify(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options: VerifyOptions & { parse: false },
): Promise<WebhookPayload>;
export function verify(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: VerifyOptions,
): Promise<unknown>;
export function verify(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: VerifyOptions,
): Promise<unknown> {
  if (nodeCrypto) return settled(() => verifySync(payload, headers, secret, options));
  return verifyPortable(payload, headers, secret, options);
}

async function verifyPortable(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: VerifyOptions,
): Promise<unknown> {
  const parse = options?.parse !== false;
  const prepared = prepare(payload, headers, secret, options, parse);
  await checkHmacAsync(prepared);
  return parse ? parseJsonBody(prepared.body) : payload;
}

/**
 * Synchronous {@link verify} for Node, Deno and Bun (needs `node:crypto`).
 *
 * @example
 * ```ts
 * const event = verifySync<{ type: string }>(req.body, req.headers, process.env.WEBHOOK_SECRET!);
 * ```
 */
export function verifySync<T = unknown>(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: VerifyOptions & { parse?: true },
): T;
export function verifySync(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options: VerifyOptions & { parse: false },
): WebhookPayload;
export function verifySync(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: VerifyOptions,
): unknown;
export function verifySync(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: VerifyOptions,
): unknown {
  const parse = options?.parse !== false;
  const prepared = prepare(payload, headers, secret, options, parse);
  checkHmacSync(prepared);
  return parse ? parseJsonBody(prepared.body) : payload;
}

/**
 * Checks the signature and timestamp only, for bodies that are not JSON (an
 * empty body is allowed). Resolves to the signed message id and timestamp.
 *
 * @example
 * ```ts
 * const { id } = await verifySignature(rawBytes, request.headers, secret);
 * ```
 */
export function verifySignature(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: Omit<VerifyOptions, 'parse'>,
): Promise<VerifiedSignature> {
  if (nodeCrypto) return settled(() => verifySignatureSync(payload, headers, secret, options));
  return verifySignaturePortable(payload, headers, secret, options);
}

async function verifySignaturePortable(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: Omit<VerifyOptions, 'parse'>,
): Promise<VerifiedSignature> {
  const prepared = prepare(payload, headers, secret, options, false);
  await checkHmacAsync(prepared);
  return { id: prepared.id, timestamp: prepared.timestamp };
}

/**
 * Synchronous {@link verifySignature} (needs `node:crypto`).
 *
 * @example
 * ```ts
 * const { id, timestamp } = verifySignatureSync(rawBytes, req.headers, secret);
 * ```
 */
export function verifySignatureSync(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options?: Omit<VerifyOptions, 'parse'>,
): VerifiedSignature {
  const prepared = prepare(payload, headers, secret, options, false);
  checkHmacSync(prepared);
  return { id: prepared.id, timestamp: prepared.timestamp };
}
