/**
 * The OAuth 2.1 client-credentials grant: a registered client proves its
 * secret and receives a short-lived access token for the scopes it asks
 * for, never more than it was registered with; each issued token is
 * audited (`oauth_token.issued`). Errors follow RFC 6749 §5.2, except a
 * client used from outside its IP allowlist (finding 18): 403
 * problem+json `ip_not_allowed`, the same answer as on the API, and a
 * secret of the other environment (finding 19): 401 `environment_mismatch`.
 */
import { parseScopeList, type Scope, type TokenResponse } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { integrationStatusOf, requireActiveIntegration } from '../integrations/governance.ts';
import { recordAudit } from '../kernel/change.ts';
import { signAccessToken, type TokenIssuerOptions } from './access-tokens.ts';
import { requirePinnedCertificate } from './client-certificate.ts';
import { findOAuthClient } from './credentials-queries.ts';
import { requireEnvironment, secretEnvironment } from './environment.ts';
import { requireAllowedAddress } from './ip-allowlist.ts';
import { secretMatches } from './secrets.ts';
import type { SigningKeys } from './signing-keys.ts';

/**
 * An RFC 6749 error, with the HTTP status it is sent with.
 *
 * @example
 * throw new OAuthError('invalid_scope', 'The client is not allowed write:payments.');
 */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly error: 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type';
  readonly status: 400 | 401;

  constructor(error: OAuthError['error'], description: string) {
    super(description);
    this.error = error;
    this.status = error === 'invalid_client' ? 401 : 400;
  }
}

/**
 * A client-credentials token request, already taken apart.
 *
 * @example
 * const request: ClientCredentialsRequest = { grantType: 'client_credentials', clientId, clientSecret, scope: undefined };
 */
export interface ClientCredentialsRequest {
  grantType: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  scope: string | undefined;
  /** Where the request comes from; checked against the client's IP allowlist. */
  clientAddress?: string | undefined;
  /** The verified TLS client certificate's SHA-256, if any (finding 18). */
  clientCertificate?: string | undefined;
}

/**
 * Issues an access token, or throws {@link OAuthError}.
 *
 * @example
 * const token = await issueClientCredentialsToken(db, keys, options, { grantType: 'client_credentials', clientId, clientSecret, scope: 'read:appointments' }, new Date());
 */
export async function issueClientCredentialsToken(
  db: Kysely<DB>,
  keys: SigningKeys,
  options: TokenIssuerOptions,
  request: ClientCredentialsRequest,
  now: Date,
): Promise<TokenResponse> {
  if (request.grantType !== 'client_credentials') {
    throw new OAuthError(
      'unsupported_grant_type',
      'Only grant_type=client_credentials is supported.',
    );
  }
  if (!request.clientId || !request.clientSecret) {
    throw new OAuthError('invalid_client', 'Authenticate with client_id and client_secret.');
  }
  // Finding 19: a secret of the other environment is refused (401 problem+json) before the lookup.
  const environment = secretEnvironment(request.clientSecret);
  requireEnvironment(options.environment ?? 'live', environment);
  const client = await findOAuthClient(db, request.clientId);
  if (client?.status !== 'active' || !secretMatches(request.clientSecret, client.secret_hash)) {
    throw new OAuthError('invalid_client', 'Unknown client or wrong secret.');
  }
  // After the secret is proven: an address outside the allowlist learns nothing it did not hold.
  // The refusal is a 403 problem+json (`ip_not_allowed`), as on the API.
  requireAllowedAddress(client.allowed_ips, request.clientAddress);
  requirePinnedCertificate(client.client_cert_sha256, request.clientCertificate);
  // A client of a paused or deprecated integration gets no token (403, as on the API).
  requireActiveIntegration(await integrationStatusOf(db, client.integration_id));
  const allowed = client.scopes as Scope[];
  let scopes: Scope[] = allowed;
  if (request.scope !== undefined && request.scope.trim() !== '') {
    const asked = parseScopeList(request.scope);
    if (!asked)
      throw new OAuthError('invalid_scope', 'The scope parameter names an unknown scope.');
    if (!asked.every((s) => allowed.includes(s))) {
      throw new OAuthError(
        'invalid_scope',
        'The client is not allowed one of the requested scopes.',
      );
    }
    scopes = asked;
  }
  const accessToken = await signAccessToken(
    keys,
    options,
    { clientId: client.id, tenantId: client.tenant_id, scopes, tier: client.tier, environment },
    now,
  );
  // Audited before the token leaves: no token the log does not know of.
  await recordAudit(db, {
    tenantId: client.tenant_id,
    actor: { type: 'oauth_client', id: client.id },
    action: 'oauth_token.issued',
    entityType: 'oauth_client',
    entityId: client.id,
    metadata: { scopes, expiresInSeconds: options.ttlSeconds },
    occurredAt: now,
  });
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: options.ttlSeconds,
    scope: scopes.join(' '),
  };
}
