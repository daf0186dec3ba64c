/**
 * The front of every authenticated request, shared by the contract's
 * operations and the routes outside it (`/fhir/R4`): authenticate (API key
 * or JWT) → scope check → rate limit. Throws `ApiError`s; the caller maps
 * them to its own error format (problem+json, OperationOutcome).
 */
import { hasScope, type Scope } from '@clinicbridge/sdk/contract';
import type { Context } from 'hono';
import { type Authenticator, authenticate } from '../auth/authenticate.ts';
import type { AppContext } from '../feature.ts';
import { ApiError } from '../kernel/problem.ts';
import { clientAddress } from './client-address.ts';
import { clientCertificateFingerprint } from './client-certificate.ts';
import type { AppEnv, AuthContext } from './context.ts';
import type { RateLimits } from './rate-limit.ts';

/**
 * What the guard needs.
 *
 * @example
 * const deps: GuardDeps = { authenticator, rateLimiter };
 */
export interface GuardDeps {
  authenticator: Authenticator;
  rateLimiter: RateLimits;
}

/**
 * The guard of the composed app: one authenticator for the API and every
 * route outside the contract, so each honours `TRUST_PROXY` alike.
 *
 * @example
 * const deps = guardDepsOf(context);
 */
export function guardDepsOf(context: AppContext): GuardDeps {
  return {
    authenticator: {
      db: context.db,
      keys: context.signingKeys,
      tokens: context.tokens,
      now: context.now,
      trustProxy: context.config.TRUST_PROXY,
    },
    rateLimiter: context.rateLimiter,
  };
}

/**
 * Authenticates the request, requires `scope` and takes one request from
 * the caller's rate-limit bucket (setting the RateLimit headers); returns
 * the caller, also stored as the context's `auth`. With `cachedKey` an API
 * key may come from the authenticator's cache: only for a caller that
 * confirms `auth.cachedKey` in its transaction (http/operations.ts).
 *
 * @example
 * const auth = await guardRequest(c, deps, 'read:patients');
 */
export async function guardRequest(
  c: Context<AppEnv>,
  deps: GuardDeps,
  scope: Scope,
  options: { cachedKey?: boolean } = {},
): Promise<AuthContext> {
  const auth = await authenticate(
    deps.authenticator,
    c.req.header('authorization'),
    clientAddress(c, deps.authenticator.trustProxy ?? false),
    clientCertificateFingerprint(c),
    options,
  );
  c.set('auth', auth);
  if (!hasScope(auth.scopes, scope)) {
    if (auth.cachedKey) {
      // A refusal is never answered from the cache: look the key up afresh.
      deps.authenticator.apiKeys?.delete(auth.cachedKey.keyHash);
      return guardRequest(c, deps, scope);
    }
    throw new ApiError(
      'insufficient_scope',
      `This operation needs the "${scope}" scope; ask the clinic's manager for a token that has it.`,
    );
  }
  const rate = await deps.rateLimiter.take(auth.credentialId, auth.tier);
  for (const [name, value] of Object.entries(rate.headers)) c.header(name, value);
  if (!rate.allowed) {
    throw new ApiError('rate_limited', `Too many requests; retry in ${rate.retryAfter} s.`, {
      retryAfter: rate.retryAfter,
      headers: rate.headers,
    });
  }
  return auth;
}
