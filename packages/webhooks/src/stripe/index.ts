/**
 * `@clinicbridge/webhooks/stripe`: Stripe's `Stripe-Signature: t=…,v1=…`
 * scheme. HMAC-SHA256 over `{t}.{body}`, keyed with the whole secret string
 * (including `whsec_`) as UTF-8, not base64-decoded. Several `v1` values are
 * accepted (rotation); `v0` test-mode signatures are ignored. Unlike Stripe's
 * own check, a timestamp too far in the future is rejected as well.
 */
import { WebhookVerificationError } from '../errors.ts';
import { hmacAsync, hmacSync } from '../internal/crypto.ts';
import { requireHeader } from '../internal/headers.ts';
import {
  checkHmacAsync,
  checkHmacSync,
  MAX_SIGNATURE_ENTRIES,
  tooManySignatures,
  verifiedResult,
} from '../internal/hmac-check.ts';
import { emptyPayloadError, toBody } from '../internal/payload.ts';
import { nodeCrypto } from '../internal/runtime.ts';
import { assertSigningKeys, createKeyResolver, utf8Key } from '../internal/secrets.ts';
import { assertWithinTolerance, parseUnixSeconds, toUnixSeconds } from '../internal/timestamp.ts';
import type { SchemeSignInput, WebhookScheme } from '../scheme.ts';
import type { HeadersLike, VerifyOptions, WebhookPayload, WebhookSecret } from '../types.ts';

const HEADER = 'stripe-signature';
const keysFor = createKeyResolver(utf8Key);

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

function parseHeader(value: string): { timestamp: string; signatures: string[] } {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  const items = value.split(',');
  // t= plus the v1/v0 entries.
  if (items.length > MAX_SIGNATURE_ENTRIES + 2) throw tooManySignatures('Stripe-Signature');
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const key = item.slice(0, eq).trim();
    const text = item.slice(eq + 1).trim();
    if (key === 't' && timestamp === undefined) timestamp = text;
    else if (key === 'v1') {
      if (HEX_SHA256.test(text)) signatures.push(text.toLowerCase());
    }
  }
  if (timestamp === undefined) {
    throw new WebhookVerificationError(
      'invalid_header',
      'The Stripe-Signature header has no "t=" timestamp. Pass the header exactly as Stripe sent it.',
    );
  }
  return { timestamp, signatures };
}

function prepare(
  payload: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options: VerifyOptions | undefined,
) {
  const body = toBody(payload);
  const keys = keysFor(secret);
  const { timestamp, signatures } = parseHeader(requireHeader(headers, HEADER));
  assertWithinTolerance(parseUnixSeconds(timestamp, 'Stripe-Signature t'), options);
  if (options?.parse !== false && body.length === 0) throw emptyPayloadError();
  if (signatures.length === 0) {
    throw new WebhookVerificationError(
      'invalid_signature',
      'The Stripe-Signature header has no "v1=" signature (test-mode "v0" is not accepted). Check the endpoint secret and mode.',
    );
  }
  return {
    hash: 'sha256' as const,
    keys,
    prefix: `${timestamp}.`,
    body,
    candidates: signatures,
    encoding: 'hex' as const,
  };
}

function prepareSign(input: SchemeSignInput) {
  const body = toBody(input.payload);
  const keys = keysFor(input.secret);
  assertSigningKeys(keys);
  return { body, keys, timestamp: toUnixSeconds(input.timestamp) };
}

/**
 * The Stripe scheme. `eventId` is the event's `id` (`evt_…`).
 *
 * @example
 * ```ts
 * import { stripeScheme } from '@clinicbridge/webhooks/stripe';
 *
 * const event = (await stripeScheme.verify(rawBody, request.headers, process.env.STRIPE_WEBHOOK_SECRET!)) as {
 *   id: string;
 *   type: string;
 * };
 * ```
 */
export const stripeScheme: WebhookScheme = {
  name: 'stripe',
  timestamped: true,
  async verify(payload, headers, secret, options) {
    if (nodeCrypto) return stripeScheme.verifySync(payload, headers, secret, options);
    const check = prepare(payload, headers, secret, options);
    await checkHmacAsync(check);
    return verifiedResult(payload, check.body, options);
  },
  verifySync(payload, headers, secret, options) {
    const check = prepare(payload, headers, secret, options);
    checkHmacSync(check);
    return verifiedResult(payload, check.body, options);
  },
  async sign(input) {
    if (nodeCrypto) return stripeScheme.signSync(input);
    const { body, keys, timestamp } = prepareSign(input);
    let value = `t=${timestamp}`;
    for (const key of keys) {
      value += `,v1=${await hmacAsync('sha256', key, `${timestamp}.`, body, 'hex')}`;
    }
    return { [HEADER]: value };
  },
  signSync(input) {
    const { body, keys, timestamp } = prepareSign(input);
    let value = `t=${timestamp}`;
    for (const key of keys) {
      value += `,v1=${hmacSync('sha256', key, `${timestamp}.`, body, 'hex')}`;
    }
    return { [HEADER]: value };
  },
  eventId(_headers, event) {
    const id = (event as { id?: unknown } | null | undefined)?.id;
    return typeof id === 'string' ? id : undefined;
  },
};

/**
 * Alias of {@link stripeScheme}.
 *
 * @example
 * ```ts
 * import { stripe } from '@clinicbridge/webhooks/stripe';
 * ```
 */
export const stripe: WebhookScheme = stripeScheme;
