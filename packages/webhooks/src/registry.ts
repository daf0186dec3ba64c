/**
 * Signature schemes by name, so a server can configure one per provider
 * (`{ provider: 'stripe', scheme: 'stripe' }`) and look it up at request time.
 */
import { WebhookVerificationError } from './errors.ts';
import { hmacScheme } from './hmac/index.ts';
import { githubScheme, metaScheme } from './meta/index.ts';
import type { WebhookScheme } from './scheme.ts';
import { standardScheme } from './standard/index.ts';
import { stripeScheme } from './stripe/index.ts';

/**
 * Names of the built-in schemes.
 *
 * @example
 * ```ts
 * const name: SchemeName = 'github';
 * ```
 */
export type SchemeName = 'standard' | 'stripe' | 'meta' | 'github' | 'hmac';

/**
 * Every built-in scheme by name. `hmac` is the generic scheme with its defaults
 * (`x-signature` header, hex or base64); build others with `createHmacScheme`.
 *
 * @example
 * ```ts
 * for (const [name, scheme] of Object.entries(schemes)) console.log(name, scheme.timestamped);
 * ```
 */
export const schemes: Readonly<Record<SchemeName, WebhookScheme>> = Object.freeze({
  standard: standardScheme,
  stripe: stripeScheme,
  meta: metaScheme,
  github: githubScheme,
  hmac: hmacScheme,
});

/**
 * True when `name` is a built-in scheme name.
 *
 * @example
 * ```ts
 * if (!isSchemeName(config.scheme)) throw new Error(`unknown scheme ${config.scheme}`);
 * ```
 */
export function isSchemeName(name: string): name is SchemeName {
  return Object.hasOwn(schemes, name);
}

/**
 * The scheme registered under `name`; raises `unknown_scheme` otherwise.
 *
 * @example
 * ```ts
 * const event = await getScheme(provider.scheme).verify(rawBody, headers, provider.secret);
 * ```
 */
export function getScheme(name: string): WebhookScheme {
  if (isSchemeName(name)) return schemes[name];
  throw new WebhookVerificationError(
    'unknown_scheme',
    `No webhook signature scheme is named "${name.slice(0, 40)}". Use one of: ${Object.keys(schemes).join(', ')}.`,
  );
}
