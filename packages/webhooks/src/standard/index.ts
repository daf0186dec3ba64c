/**
 * `@clinicbridge/webhooks/standard`: the Standard Webhooks scheme
 * (https://www.standardwebhooks.com), byte-compatible with the
 * `standardwebhooks` and `svix` packages. Also re-exported from the root.
 */
import { randomBytes } from '../internal/crypto.ts';
import { base64Encode } from '../internal/encoding.ts';
import { readHeader } from '../internal/headers.ts';
import type { WebhookScheme } from '../scheme.ts';
import { sign, signSync } from './sign.ts';
import { verify, verifySync } from './verify.ts';

export { generateSecret } from './secret.ts';
export { type SignInput, type StandardWebhookHeaders, sign, signSync } from './sign.ts';
export {
  type VerifiedSignature,
  verify,
  verifySignature,
  verifySignatureSync,
  verifySync,
} from './verify.ts';

function messageId(id: string | undefined): string {
  return id ?? `msg_${base64Encode(randomBytes(18)).replace(/[+/]/g, 'x')}`;
}

/**
 * The Standard Webhooks scheme behind the common {@link WebhookScheme}
 * interface; its `eventId` is the `webhook-id` header.
 *
 * @example
 * ```ts
 * const event = await standardScheme.verify(rawBody, request.headers, secret);
 * ```
 */
export const standardScheme: WebhookScheme = {
  name: 'standard',
  timestamped: true,
  verify: (payload, headers, secret, options) => verify(payload, headers, secret, options),
  verifySync: (payload, headers, secret, options) => verifySync(payload, headers, secret, options),
  sign: async (input) => ({
    ...(await sign({ ...input, id: messageId(input.id) })),
  }),
  signSync: (input) => ({ ...signSync({ ...input, id: messageId(input.id) }) }),
  eventId: (headers) => readHeader(headers, 'webhook-id') ?? readHeader(headers, 'svix-id'),
};
