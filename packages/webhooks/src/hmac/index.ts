/**
 * `@clinicbridge/webhooks/hmac`: generic HMAC signatures over the raw body in
 * one header (`<prefix><hex or base64>`), the shape many providers use. There
 * is no timestamp in the signature, so a captured request can be replayed:
 * deduplicate deliveries (see `@clinicbridge/webhooks/idempotency`).
 */
import { WebhookVerificationError } from '../errors.ts';
import { type HashName, hmacAsync, hmacSync } from '../internal/crypto.ts';
import { base64Decode, hexDecode, hexEncode } from '../internal/encoding.ts';
import { readHeader, requireHeader } from '../internal/headers.ts';
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
import type { SchemeSignInput, WebhookScheme } from '../scheme.ts';
import type { HeadersLike, VerifyOptions, WebhookPayload, WebhookSecret } from '../types.ts';

/**
 * How a generic HMAC scheme reads and writes its header.
 *
 * @example
 * ```ts
 * const options: HmacSchemeOptions = { header: 'x-paystack-signature', algorithm: 'sha512' };
 * ```
 */
export interface HmacSchemeOptions {
  /** Registry name. Default `hmac`. */
  name?: string;
  /** Header carrying the signature (any case). Default `x-signature`. */
  header?: string;
  /** Hash. Default `sha256`. */
  algorithm?: HashName;
  /** Encoding used when signing; verification accepts hex and base64. Default `hex`. */
  encoding?: 'hex' | 'base64';
  /** Text before the signature, e.g. `sha256=`. Default none. */
  prefix?: string;
  /** Header carrying the provider's delivery id, for deduplication. */
  eventIdHeader?: string;
}

const DIGEST_BYTES: Record<HashName, number> = { sha256: 32, sha512: 64 };

const keysFor = createKeyResolver(utf8Key);

/**
 * Builds an HMAC scheme for a provider that signs the raw body alone.
 *
 * @example
 * ```ts
 * import { createHmacScheme } from '@clinicbridge/webhooks/hmac';
 *
 * const shopify = createHmacScheme({ name: 'shopify', header: 'x-shopify-hmac-sha256', encoding: 'base64' });
 * const order = await shopify.verify(rawBody, request.headers, process.env.SHOPIFY_SECRET!);
 * ```
 */
export function createHmacScheme(options: HmacSchemeOptions = {}): WebhookScheme {
  const name = options.name ?? 'hmac';
  const header = (options.header ?? 'x-signature').toLowerCase();
  const hash = options.algorithm ?? 'sha256';
  const encoding = options.encoding ?? 'hex';
  const prefix = options.prefix ?? '';
  const lowerPrefix = prefix.toLowerCase();
  if (!Object.hasOwn(DIGEST_BYTES, hash)) {
    throw new RangeError(`Unsupported HMAC algorithm "${String(hash)}": use "sha256" or "sha512".`);
  }
  if (encoding !== 'hex' && encoding !== 'base64') {
    throw new RangeError(
      `Unsupported signature encoding "${String(encoding)}": use "hex" or "base64".`,
    );
  }
  const digestBytes = DIGEST_BYTES[hash];
  const eventIdHeader = options.eventIdHeader?.toLowerCase();

  // Candidates are normalised to lowercase hex, so either encoding is accepted.
  function normaliseSignature(text: string): string | undefined {
    const bytes = text.length === digestBytes * 2 ? hexDecode(text) : base64Decode(text);
    return bytes?.length === digestBytes ? hexEncode(bytes) : undefined;
  }

  function prepare(
    payload: WebhookPayload,
    headers: HeadersLike,
    secret: WebhookSecret,
    verifyOptions: VerifyOptions | undefined,
  ) {
    const body = toBody(payload);
    const keys = keysFor(secret);
    const value = requireHeader(headers, header);
    const candidates: string[] = [];
    let sawPrefix = false;
    const entries = value.split(',');
    if (entries.length > MAX_SIGNATURE_ENTRIES) throw tooManySignatures(header);
    for (const raw of entries) {
      const entry = raw.trim();
      if (entry.slice(0, prefix.length).toLowerCase() !== lowerPrefix) continue;
      sawPrefix = true;
      const normalised = normaliseSignature(entry.slice(prefix.length));
      if (normalised !== undefined) candidates.push(normalised);
    }
    if (!sawPrefix || candidates.length === 0) {
      throw new WebhookVerificationError(
        'invalid_signature',
        `The ${header} header is not of the form "${prefix}<${hash} hex or base64>". Check that the sender uses this scheme.`,
      );
    }
    if (verifyOptions?.parse !== false && body.length === 0) throw emptyPayloadError();
    return { hash, keys, prefix: '', body, candidates, encoding: 'hex' as const };
  }

  function prepareSign(input: SchemeSignInput) {
    const body = toBody(input.payload);
    const keys = keysFor(input.secret);
    assertSigningKeys(keys);
    return { body, keys };
  }

  const verifySync: WebhookScheme['verifySync'] = (payload, headers, secret, verifyOptions) => {
    const check = prepare(payload, headers, secret, verifyOptions);
    checkHmacSync(check);
    return verifiedResult(payload, check.body, verifyOptions);
  };
  const signSync: WebhookScheme['signSync'] = (input) => {
    const { body, keys } = prepareSign(input);
    return {
      [header]: keys.map((key) => prefix + hmacSync(hash, key, '', body, encoding)).join(','),
    };
  };

  return {
    name,
    timestamped: false,
    async verify(payload, headers, secret, verifyOptions) {
      if (nodeCrypto) return verifySync(payload, headers, secret, verifyOptions);
      const check = prepare(payload, headers, secret, verifyOptions);
      await checkHmacAsync(check);
      return verifiedResult(payload, check.body, verifyOptions);
    },
    verifySync,
    async sign(input) {
      if (nodeCrypto) return signSync(input);
      const { body, keys } = prepareSign(input);
      const values: string[] = [];
      for (const key of keys)
        values.push(prefix + (await hmacAsync(hash, key, '', body, encoding)));
      return { [header]: values.join(',') };
    },
    signSync,
    eventId: (headers) => (eventIdHeader ? readHeader(headers, eventIdHeader) : undefined),
  };
}

/**
 * The generic scheme with its defaults: HMAC-SHA256 of the raw body in
 * `x-signature`, hex when signing, hex or base64 accepted.
 *
 * @example
 * ```ts
 * const event = await hmacScheme.verify(rawBody, { 'x-signature': signature }, secret);
 * ```
 */
export const hmacScheme: WebhookScheme = createHmacScheme();
