/**
 * Standard Webhooks signing: one `v1,<base64>` entry per secret, so a sender
 * in the middle of a rotation signs with the old and the new secret at once.
 */
import { WebhookVerificationError } from '../errors.ts';
import { hmacAsync, hmacSync, settled } from '../internal/crypto.ts';
import { toBody } from '../internal/payload.ts';
import { nodeCrypto } from '../internal/runtime.ts';
import { assertSigningKeys } from '../internal/secrets.ts';
import { toUnixSeconds } from '../internal/timestamp.ts';
import type { WebhookPayload, WebhookSecret } from '../types.ts';
import { standardKeys } from './secret.ts';

/**
 * What {@link sign} needs.
 *
 * @example
 * ```ts
 * const input: SignInput = { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', payload: body, secret };
 * ```
 */
export interface SignInput {
  /** Message id, unique per message and identical across its retries. */
  id: string;
  /** When the message is sent: a Date or Unix seconds. Default now. */
  timestamp?: Date | number;
  payload: WebhookPayload;
  /** One secret, or several to sign with each (rotation). Each must decode to >= 24 bytes. */
  secret: WebhookSecret;
}

/**
 * The three headers a Standard Webhooks sender attaches.
 *
 * @example
 * ```ts
 * const headers: StandardWebhookHeaders = await sign({ id, payload, secret });
 * await fetch(url, { method: 'POST', body: payload, headers });
 * ```
 */
export type StandardWebhookHeaders = {
  // A type alias, not an interface, so it is assignable to HeadersLike's index signature.
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

const ID_PATTERN = /^[^\s.]+$/;

function prepareSign(input: SignInput) {
  if (typeof input.id !== 'string' || !ID_PATTERN.test(input.id)) {
    throw new WebhookVerificationError(
      'invalid_header',
      'The message id must be a non-empty string without spaces or dots (it is part of the signed content).',
    );
  }
  const body = toBody(input.payload);
  const keys = standardKeys(input.secret);
  assertSigningKeys(keys);
  const timestamp = String(toUnixSeconds(input.timestamp));
  return { body, keys, timestamp, prefix: `${input.id}.${timestamp}.` };
}

/**
 * Signs a payload and returns the Standard Webhooks headers. Works in every
 * runtime; uses `node:crypto` when present.
 *
 * @example
 * ```ts
 * import { generateSecret, sign } from '@clinicbridge/webhooks';
 *
 * const headers = await sign({ id: 'msg_1', payload: '{"type":"ping"}', secret: generateSecret() });
 * ```
 */
export function sign(input: SignInput): Promise<StandardWebhookHeaders> {
  return nodeCrypto ? settled(() => signSync(input)) : signPortable(input);
}

async function signPortable(input: SignInput): Promise<StandardWebhookHeaders> {
  const { body, keys, timestamp, prefix } = prepareSign(input);
  const entries: string[] = [];
  for (const key of keys) {
    entries.push(`v1,${await hmacAsync('sha256', key, prefix, body, 'base64')}`);
  }
  return {
    'webhook-id': input.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': entries.join(' '),
  };
}

/**
 * Synchronous {@link sign} (needs `node:crypto`).
 *
 * @example
 * ```ts
 * const headers = signSync({ id: 'msg_1', timestamp: 1700000000, payload, secret });
 * ```
 */
export function signSync(input: SignInput): StandardWebhookHeaders {
  const { body, keys, timestamp, prefix } = prepareSign(input);
  return {
    'webhook-id': input.id,
    'webhook-timestamp': timestamp,
    'webhook-signature':
      keys.length === 1
        ? `v1,${hmacSync('sha256', keys[0]!, prefix, body, 'base64')}`
        : keys.map((key) => `v1,${hmacSync('sha256', key, prefix, body, 'base64')}`).join(' '),
  };
}
