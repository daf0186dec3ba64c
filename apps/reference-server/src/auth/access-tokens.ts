/**
 * OAuth access tokens: JWTs signed by the current signing key, carrying the
 * tenant (`tid`), the client (`sub`) and the granted scopes. Verification
 * pins the algorithm, issuer and audience and needs a known, unexpired key,
 * so a token signed with HS256, an expired one or one meant for another
 * server is refused.
 */
import type { Scope } from '@clinicbridge/sdk/contract';
import { parseScopeList } from '@clinicbridge/sdk/contract';
import { decodeJwt, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { CredentialEnvironment } from './environment.ts';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.ts';

/**
 * Issuer and audience of tokens.
 *
 * @example
 * const tokens: TokenIssuerOptions = { issuer: 'https://clinic.example', audience: 'https://clinic.example/api', ttlSeconds: 900 };
 */
export interface TokenIssuerOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** The server's environment (finding 19); absent means live. */
  environment?: CredentialEnvironment;
}

/**
 * What a verified token says.
 *
 * @example
 * const claims: AccessTokenClaims = { clientId: 'cli_…', tenantId: 'ten_…', scopes: ['read:appointments'], tier: 'standard', environment: 'live' };
 */
export interface AccessTokenClaims {
  clientId: string;
  tenantId: string;
  scopes: Scope[];
  tier: 'standard' | 'high';
  /** The `env` claim; a token without one is live. */
  environment: CredentialEnvironment;
}

/**
 * Signs an access token.
 *
 * @example
 * const jwt = await signAccessToken(keys, options, { clientId, tenantId, scopes, tier: 'standard', environment: 'live' }, new Date());
 */
export async function signAccessToken(
  keys: SigningKeys,
  options: TokenIssuerOptions,
  claims: AccessTokenClaims,
  now: Date,
): Promise<string> {
  const { kid, key } = await keys.current();
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({
    tid: claims.tenantId,
    scope: claims.scopes.join(' '),
    tier: claims.tier,
    env: claims.environment,
  })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(claims.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + options.ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(key);
}

/**
 * Verifies an access token; returns null for any invalid token (the reason is not the caller's business).
 *
 * @example
 * const claims = await verifyAccessToken(keys, options, bearer, new Date());
 */
export async function verifyAccessToken(
  keys: SigningKeys,
  options: TokenIssuerOptions,
  token: string,
  now: Date,
): Promise<AccessTokenClaims | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        if (header.alg !== SIGNING_ALG || !header.kid) throw new Error('unexpected key');
        const key = await keys.verificationKey(header.kid);
        if (!key) throw new Error('unknown key');
        return key;
      },
      {
        algorithms: [SIGNING_ALG],
        issuer: options.issuer,
        audience: options.audience,
        currentDate: now,
        requiredClaims: ['exp', 'iat', 'sub'],
      },
    );
    return claimsOf(payload);
  } catch {
    return null;
  }
}

function claimsOf(payload: JWTPayload): AccessTokenClaims | null {
  const { sub, tid, scope, tier } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || typeof tid !== 'string' || typeof scope !== 'string') return null;
  const scopes = parseScopeList(scope);
  if (!scopes) return null;
  return {
    clientId: sub,
    tenantId: tid,
    scopes,
    tier: tier === 'high' ? 'high' : 'standard',
    environment: environmentClaim(payload),
  };
}

function environmentClaim(payload: JWTPayload): CredentialEnvironment {
  return payload.env === 'test' ? 'test' : 'live';
}

/**
 * The `env` claim of a token before it is verified, or null when it is not
 * a JWT at all. Good for refusing a token of the other environment with a
 * clear answer, never for accepting one.
 *
 * @example
 * const claimed = unverifiedEnvironment(bearer); // 'test'
 */
export function unverifiedEnvironment(token: string): CredentialEnvironment | null {
  try {
    return environmentClaim(decodeJwt(token));
  } catch {
    return null;
  }
}
