/**
 * How a FHIR client authenticates: nothing (an open test server), a static
 * bearer token, OAuth2 client credentials with a secret, or SMART Backend
 * Services (client credentials with a `private_key_jwt` assertion). Tokens
 * live in the core's token cache under a key per tenant, so every clinic's
 * server has its own token and several processes can share one cache.
 */
import { type AuthStrategy, bearerAuth } from '../core/auth.ts';
import { oauth2ClientCredentials } from '../core/oauth2.ts';
import { type AssertionAlgorithm, oauth2PrivateKeyJwt } from '../core/private-key-jwt.ts';
import type { TokenCache } from '../core/token-cache.ts';

/**
 * Credentials of one FHIR server.
 *
 * @example
 * const auth: FhirAuth = { kind: 'client_credentials', tokenUrl, clientId: 'cb', clientSecret: 's', scope: 'system/*.rs' };
 */
export type FhirAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | {
      kind: 'client_credentials';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      /** Where the secret goes: form body or a Basic header. Default `basic`. */
      credentialsIn?: 'body' | 'basic';
    }
  | {
      kind: 'private_key_jwt';
      tokenUrl: string;
      clientId: string;
      /** PKCS#8 PEM, a private JWK, or a `CryptoKey`. */
      privateKey: string | Record<string, unknown> | CryptoKey;
      alg: AssertionAlgorithm;
      kid?: string;
      scope?: string;
    };

/**
 * The auth strategy of a FHIR server's credentials.
 *
 * @example
 * const strategy = fhirAuthStrategy(auth, { provider: 'fhir', cache, cacheKey: 'fhir:token:tnt_1' });
 */
export function fhirAuthStrategy(
  auth: FhirAuth,
  settings: {
    provider: string;
    cache: TokenCache;
    cacheKey: string;
    fetch?: typeof fetch | undefined;
    now?: (() => number) | undefined;
  },
): AuthStrategy | undefined {
  const shared = {
    provider: settings.provider,
    cache: settings.cache,
    cacheKey: settings.cacheKey,
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
    ...(settings.now ? { now: settings.now } : {}),
  };
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'bearer':
      return bearerAuth(auth.token);
    case 'client_credentials':
      return oauth2ClientCredentials({
        ...shared,
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        credentialsIn: auth.credentialsIn ?? 'basic',
        ...(auth.scope ? { scope: auth.scope } : {}),
      });
    case 'private_key_jwt':
      return oauth2PrivateKeyJwt({
        ...shared,
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        privateKey: auth.privateKey as string | CryptoKey,
        alg: auth.alg,
        ...(auth.kid ? { kid: auth.kid } : {}),
        ...(auth.scope ? { scope: auth.scope } : {}),
      });
  }
}
