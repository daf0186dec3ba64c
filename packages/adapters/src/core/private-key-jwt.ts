/**
 * OAuth2 client credentials with a signed client assertion instead of a
 * secret (RFC 7523 `private_key_jwt`), as SMART Backend Services require of
 * FHIR servers' system clients: each token request carries a fresh JWT
 * signed with the client's private key (RS384 or ES384), issued and subject
 * the client id, audience the token URL, valid five minutes, with a unique
 * `jti`. Tokens are cached and refreshed like every other grant.
 */
import { importJWK, importPKCS8, type JWK, SignJWT } from 'jose';
import { type GrantOptions, type OAuth2ClientCredentials, tokenGrantAuth } from './oauth2.ts';

/**
 * Signing algorithms SMART Backend Services allow.
 *
 * @example
 * const alg: AssertionAlgorithm = 'ES384';
 */
export type AssertionAlgorithm = 'RS384' | 'ES384';

/**
 * Settings of {@link oauth2PrivateKeyJwt}.
 *
 * @example
 * const options: OAuth2PrivateKeyJwtOptions = {
 *   provider: 'fhir', tokenUrl: 'https://fhir.example/auth/token', clientId: 'clinicbridge',
 *   privateKey: process.env.FHIR_PRIVATE_KEY!, alg: 'ES384', kid: 'key-1', scope: 'system/*.rs',
 * };
 */
export interface OAuth2PrivateKeyJwtOptions extends GrantOptions {
  clientId: string;
  /** A PKCS#8 PEM string, a private JWK, or an imported `CryptoKey`. */
  privateKey: string | JWK | CryptoKey;
  alg: AssertionAlgorithm;
  /** Key id the server finds the public key under (in the client's registered JWKS). */
  kid?: string;
  /** Lifetime of one assertion; SMART allows at most five minutes. Default 300 s. */
  assertionTtlSeconds?: number;
  /** Unique id of each assertion. Default a random UUID. */
  newJti?: () => string;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

async function importKey(key: OAuth2PrivateKeyJwtOptions['privateKey'], alg: string) {
  if (typeof key === 'string') return importPKCS8(key, alg);
  if (typeof CryptoKey !== 'undefined' && key instanceof CryptoKey) return key;
  return importJWK(key as JWK, alg);
}

/**
 * Client-credentials grant authenticated by a signed assertion (SMART Backend Services).
 *
 * @example
 * const client = createProviderClient({
 *   provider: 'fhir',
 *   baseUrl: 'https://fhir.example/r4',
 *   auth: oauth2PrivateKeyJwt({ provider: 'fhir', tokenUrl, clientId, privateKey: pem, alg: 'RS384', scope: 'system/*.rs' }),
 * });
 */
export function oauth2PrivateKeyJwt(options: OAuth2PrivateKeyJwtOptions): OAuth2ClientCredentials {
  const now = options.now ?? Date.now;
  const ttl = Math.min(options.assertionTtlSeconds ?? 300, 300);
  const newJti = options.newJti ?? (() => crypto.randomUUID());
  let key: ReturnType<typeof importKey> | undefined;
  return tokenGrantAuth(options, `oauth2:${options.provider}:${options.clientId}`, async () => {
    key ??= importKey(options.privateKey, options.alg);
    const issuedAt = Math.floor(now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({
        alg: options.alg,
        typ: 'JWT',
        ...(options.kid ? { kid: options.kid } : {}),
      })
      .setIssuer(options.clientId)
      .setSubject(options.clientId)
      .setAudience(options.tokenUrl)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ttl)
      .setJti(newJti())
      .sign(await key);
    return {
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
      }),
      headers: {},
    };
  });
}
