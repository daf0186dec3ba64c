/**
 * Turns `Authorization: Bearer …` into the caller's tenant, scopes and
 * actor. `cbk_…` is an API key, looked up by hash on every request so a
 * revocation or expiry applies to the very next request (an idempotent API
 * write may take it from {@link ApiKeyCache} instead, and then confirms it
 * unchanged in its first statement, before anything changes); anything else must
 * be an access token signed by this server, whose OAuth client is looked up
 * on every request too (no cache): a revoked client's tokens stop working at
 * once, and a token never keeps a scope its client has since lost. A
 * credential with an IP allowlist (finding 18) is refused with 403
 * `ip_not_allowed` from any other address — checked after the credential is
 * proven, and before its use is recorded or its rate limit is charged. A
 * credential of the other environment (finding 19, auth/environment.ts) is
 * refused with 401 `environment_mismatch` before anything is looked up.
 * A credential pinned to a TLS client certificate is refused the same way
 * without it (`client_certificate_required` / `_mismatch`). A credential
 * of a registered integration that is paused or deprecated is refused with
 * 403 `integration_paused` / `integration_deprecated` (issue 17), its
 * status read on every request like the credential's own.
 */
import type { Scope } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AuthContext } from '../http/context.ts';
import { integrationStatusOf, requireActiveIntegration } from '../integrations/governance.ts';
import { ApiError } from '../kernel/problem.ts';
import {
  type TokenIssuerOptions,
  unverifiedEnvironment,
  verifyAccessToken,
} from './access-tokens.ts';
import { requirePinnedCertificate } from './client-certificate.ts';
import {
  type ApiKeyForAuth,
  findApiKeyByHash,
  findOAuthClient,
  touchApiKey,
} from './credentials-queries.ts';
import { requireEnvironment, secretEnvironment } from './environment.ts';
import { requireAllowedAddress } from './ip-allowlist.ts';
import { API_KEY_PREFIX, hashSecret } from './secrets.ts';
import type { SigningKeys } from './signing-keys.ts';

/**
 * What authentication needs.
 *
 * @example
 * const authenticator: Authenticator = { db, keys, tokens, now: () => new Date() };
 */
export interface Authenticator {
  db: Kysely<DB>;
  keys: SigningKeys;
  tokens: TokenIssuerOptions;
  now: () => Date;
  /** `TRUST_PROXY`: take the client address from `X-Forwarded-For` (see http/client-address.ts). */
  trustProxy?: boolean;
  /** API keys cached for requests that confirm them in their transaction (see {@link ApiKeyCache}). */
  apiKeys?: ApiKeyCache;
}

const challenge = { 'WWW-Authenticate': 'Bearer realm="clinicbridge"' };

/**
 * Authenticates a request from its Authorization header value.
 *
 * @example
 * const auth = await authenticate(authenticator, c.req.header('authorization'), '203.0.113.7', fingerprint);
 */
export async function authenticate(
  authenticator: Authenticator,
  header: string | undefined,
  address?: string,
  certificate?: string,
  options: { cachedKey?: boolean } = {},
): Promise<AuthContext> {
  const match = header?.match(/^Bearer[ ]+([A-Za-z0-9._~+/=-]{1,4096})$/i);
  if (!match?.[1]) {
    throw new ApiError(
      'unauthenticated',
      'Send an API key or access token as "Authorization: Bearer <credential>".',
      { headers: challenge },
    );
  }
  const credential = match[1];
  const now = authenticator.now();
  // Finding 19: the other environment's credential is refused before any lookup (its prefix or claim is no secret).
  const environment = authenticator.tokens.environment ?? 'live';
  if (credential.startsWith(API_KEY_PREFIX)) {
    requireEnvironment(environment, secretEnvironment(credential));
    return authenticateApiKey(
      authenticator,
      credential,
      now,
      address,
      certificate,
      options.cachedKey ?? false,
    );
  }
  requireEnvironment(environment, unverifiedEnvironment(credential) ?? environment);
  const claims = await verifyAccessToken(authenticator.keys, authenticator.tokens, credential, now);
  if (!claims) throw invalid();
  requireEnvironment(environment, claims.environment);
  const client = await findOAuthClient(authenticator.db, claims.clientId);
  if (client?.status !== 'active' || client.tenant_id !== claims.tenantId) throw invalid();
  requireAllowedAddress(client.allowed_ips, address);
  requirePinnedCertificate(client.client_cert_sha256, certificate);
  requireActiveIntegration(await integrationStatusOf(authenticator.db, client.integration_id));
  const clientScopes = new Set(client.scopes as Scope[]);
  return {
    tenantId: claims.tenantId,
    scopes: claims.scopes.filter((s) => clientScopes.has(s)),
    actor: { type: 'oauth_client', id: claims.clientId },
    credentialId: claims.clientId,
    tier: claims.tier,
    environment,
  };
}

async function authenticateApiKey(
  authenticator: Authenticator,
  key: string,
  now: Date,
  address: string | undefined,
  certificate: string | undefined,
  useCache: boolean,
): Promise<AuthContext> {
  const keyHash = hashSecret(key);
  const cache = authenticator.apiKeys;
  const cached = useCache ? cache?.get(keyHash) : undefined;
  if (cached) {
    try {
      return await admitApiKey(authenticator, cached, key, now, address, certificate, keyHash);
    } catch {
      // A refusal is never answered from the cache: look the key up afresh.
      cache?.delete(keyHash);
    }
  }
  const row = await findApiKeyByHash(authenticator.db, keyHash);
  if (row) cache?.set(keyHash, row);
  return admitApiKey(authenticator, row, key, now, address, certificate, null);
}

async function admitApiKey(
  authenticator: Authenticator,
  row: ApiKeyForAuth | undefined,
  key: string,
  now: Date,
  address: string | undefined,
  certificate: string | undefined,
  cachedHash: string | null,
): Promise<AuthContext> {
  if (row?.status !== 'active') throw invalid();
  if (row.expires_at && row.expires_at.getTime() <= now.getTime()) throw invalid();
  requireAllowedAddress(row.allowed_ips, address);
  requirePinnedCertificate(row.client_cert_sha256, certificate);
  requireActiveIntegration(row.integration_status);
  // The row says when it was last recorded: skip the write while that is recent.
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= 60_000) {
    await touchApiKey(authenticator.db, row.id, now);
    row.last_used_at = now;
  }
  return {
    tenantId: row.tenant_id,
    scopes: row.scopes as Scope[],
    actor: { type: 'api_key', id: row.id },
    credentialId: row.id,
    tier: row.tier,
    environment: secretEnvironment(key),
    ...(cachedHash ? { cachedKey: { keyHash: cachedHash, id: row.id, version: row.version } } : {}),
  };
}

/**
 * API key rows by key hash, kept in one process for the requests that
 * confirm them in their own transaction (idempotent API writes, see
 * http/operations.ts): a hit saves the key's lookup, and a key changed or
 * revoked since (in any process) is caught by that confirmation before the
 * write changes anything, then looked up afresh. A refusal (revoked,
 * expired, address, certificate, integration, scope) is never answered from
 * the cache: the key is looked up afresh first. Bounded: the oldest entry
 * goes when full.
 *
 * @example
 * const authenticator: Authenticator = { db, keys, tokens, now, apiKeys: new ApiKeyCache() };
 */
export class ApiKeyCache {
  readonly #rows = new Map<string, ApiKeyForAuth>();
  readonly #limit: number;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** The cached row of `keyHash`, if any. */
  get(keyHash: string): ApiKeyForAuth | undefined {
    return this.#rows.get(keyHash);
  }

  /** Caches `row` under `keyHash`, dropping the oldest entry when full. */
  set(keyHash: string, row: ApiKeyForAuth): void {
    this.#rows.delete(keyHash);
    if (this.#rows.size >= this.#limit) {
      const oldest = this.#rows.keys().next().value;
      if (oldest !== undefined) this.#rows.delete(oldest);
    }
    this.#rows.set(keyHash, row);
  }

  /** Forgets `keyHash` (its row changed). */
  delete(keyHash: string): void {
    this.#rows.delete(keyHash);
  }
}

function invalid(): ApiError {
  return new ApiError(
    'invalid_token',
    'The credential is unknown, revoked or expired; get a new one.',
    { headers: { 'WWW-Authenticate': 'Bearer realm="clinicbridge", error="invalid_token"' } },
  );
}
