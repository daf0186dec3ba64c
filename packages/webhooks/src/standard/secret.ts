/** Standard Webhooks secrets: `whsec_` + base64 key bytes. */
import { WebhookVerificationError } from '../errors.ts';
import { randomBytes } from '../internal/crypto.ts';
import { base64Decode, base64Encode } from '../internal/encoding.ts';
import { createKeyResolver } from '../internal/secrets.ts';

const PREFIX = 'whsec_';

function decodeStandardSecret(secret: string): Uint8Array {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const key = encoded.length > 0 ? base64Decode(encoded) : undefined;
  if (key === undefined || key.length === 0) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'A Standard Webhooks secret must be "whsec_" followed by base64 key bytes. Copy the whole secret from the sender, without quotes or spaces.',
    );
  }
  return key;
}

/**
 * Key bytes for one secret or a rotation list (prefix optional, padding optional).
 *
 * @example
 * ```ts
 * const keys = standardKeys(['whsec_new…', 'whsec_old…']);
 * ```
 */
export const standardKeys = createKeyResolver(decodeStandardSecret);

/**
 * Generates a new Standard Webhooks secret: `whsec_` followed by the base64 of
 * 32 random bytes.
 *
 * @example
 * ```ts
 * const secret = generateSecret(); // 'whsec_q0Jr…'
 * ```
 */
export function generateSecret(): string {
  return PREFIX + base64Encode(randomBytes(32));
}
