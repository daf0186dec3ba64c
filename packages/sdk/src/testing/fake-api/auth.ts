/**
 * Who is calling: the fake API's table of API keys (integration tokens),
 * OAuth clients and the access tokens issued to them. Each credential belongs
 * to one tenant and carries its scopes.
 */
import { type IntegrationToken, newId, type Scope } from '../../contract/index.ts';
import { addressAllowed } from './ip-allowlist.ts';
import { ApiProblem } from './problem.ts';
import { randomSecret } from './random.ts';

/**
 * The authenticated caller of one request.
 *
 * @example
 * const caller: Caller = auth.authenticate(request.headers.get('authorization'));
 */
export interface Caller {
  readonly tenantId: `ten_${string}`;
  readonly scopes: readonly Scope[];
  readonly actor: { type: 'api_key' | 'oauth_client'; id: string };
}

/**
 * An integration token as stored: with its key, which is only shown at creation.
 *
 * @example
 * const token: StoredToken = auth.createApiKey({ tenantId, scopes: ['read:visits'] });
 */
export interface StoredToken extends IntegrationToken {
  readonly tenantId: `ten_${string}`;
  readonly apiKey: string;
}

/**
 * A registered OAuth client.
 *
 * @example
 * const client: OAuthClient = auth.createOAuthClient({ tenantId, scopes: ['read:visits'] });
 */
export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: `ten_${string}`;
  readonly scopes: readonly Scope[];
  /** A revoked client gets no token, and its issued tokens fail on their next request. */
  readonly status?: 'active' | 'revoked';
  /** Addresses and CIDR ranges it may be used from; absent: any. */
  readonly allowedIps?: readonly string[];
}

interface AccessToken {
  readonly clientId: string;
  readonly tenantId: `ten_${string}`;
  readonly scopes: readonly Scope[];
  readonly expiresAtMs: number;
}

/**
 * Lifetime of an OAuth access token, in seconds.
 *
 * @example
 * const expiresAt = Date.now() + ACCESS_TOKEN_TTL_SECONDS * 1000;
 */
export const ACCESS_TOKEN_TTL_SECONDS = 900;

/**
 * The credential tables of one fake API.
 *
 * @example
 * const auth = new AuthTable(() => new Date());
 * const token = auth.createApiKey({ tenantId: 'ten_…', scopes: ['read:appointments'] });
 */
export class AuthTable {
  readonly #now: () => Date;
  readonly #tokens = new Map<string, StoredToken>();
  readonly #byKey = new Map<string, string>();
  readonly #clients = new Map<string, OAuthClient>();
  readonly #accessTokens = new Map<string, AccessToken>();

  constructor(now: () => Date) {
    this.#now = now;
  }

  /** Issues an API key; `apiKey` may be fixed by the test, otherwise it is random. */
  createApiKey(input: {
    tenantId: `ten_${string}`;
    scopes: readonly Scope[];
    name?: string;
    apiKey?: string;
    tier?: 'standard' | 'high';
    expiresAt?: string | null;
    createdBy?: string;
    allowedIps?: readonly string[] | undefined;
  }): StoredToken {
    const apiKey = input.apiKey ?? randomSecret('cbk_test_', 24);
    if (this.#byKey.has(apiKey)) throw new Error('this API key is already registered');
    const token: StoredToken = {
      id: newId('tok'),
      tenantId: input.tenantId,
      apiKey,
      name: input.name ?? 'Test key',
      scopes: [...input.scopes],
      status: 'active',
      tier: input.tier ?? 'standard',
      keyPrefix: apiKey.slice(0, 12),
      createdBy: input.createdBy ?? 'test',
      createdAt: this.#now().toISOString(),
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
      ...(input.allowedIps ? { allowedIps: [...input.allowedIps] } : {}),
    };
    this.#tokens.set(token.id, token);
    this.#byKey.set(apiKey, token.id);
    return token;
  }

  /** The tokens of a tenant, oldest first. */
  tokensOf(tenantId: string): StoredToken[] {
    return [...this.#tokens.values()].filter((t) => t.tenantId === tenantId);
  }

  /** One token of a tenant. */
  token(tenantId: string, tokenId: string): StoredToken | undefined {
    const token = this.#tokens.get(tokenId);
    return token?.tenantId === tenantId ? token : undefined;
  }

  /** Marks a token revoked; its key stops working on the next request. */
  revoke(token: StoredToken): StoredToken {
    const revoked: StoredToken = {
      ...token,
      status: 'revoked',
      revokedAt: this.#now().toISOString(),
    };
    this.#tokens.set(token.id, revoked);
    return revoked;
  }

  /** Makes a token belong to an integration (or to none). */
  setTokenIntegration(token: StoredToken, integrationId: `int_${string}` | undefined): StoredToken {
    const { integrationId: _previous, ...rest } = token;
    const linked: StoredToken = { ...rest, ...(integrationId ? { integrationId } : {}) };
    this.#tokens.set(token.id, linked);
    return linked;
  }

  /** Registers an OAuth client allowed to request `scopes`. */
  createOAuthClient(input: {
    tenantId: `ten_${string}`;
    scopes: readonly Scope[];
    allowedIps?: readonly string[] | undefined;
  }): OAuthClient {
    const client: OAuthClient = {
      clientId: newId('cli'),
      clientSecret: randomSecret('cbcs_test_', 24),
      tenantId: input.tenantId,
      scopes: [...input.scopes],
      ...(input.allowedIps ? { allowedIps: [...input.allowedIps] } : {}),
    };
    this.#clients.set(client.clientId, client);
    return client;
  }

  /** The client whose id and secret match, or undefined. */
  authenticateClient(clientId: string, clientSecret: string): OAuthClient | undefined {
    const client = this.#clients.get(clientId);
    return client && client.status !== 'revoked' && client.clientSecret === clientSecret
      ? client
      : undefined;
  }

  /** The tenant's client with this id, or undefined. */
  oauthClient(tenantId: string, clientId: string): OAuthClient | undefined {
    const client = this.#clients.get(clientId);
    return client?.tenantId === tenantId ? client : undefined;
  }

  /** Revokes a client: no new tokens, and its issued tokens fail on their next request. */
  revokeOAuthClient(client: OAuthClient): OAuthClient {
    const revoked: OAuthClient = { ...client, status: 'revoked' };
    this.#clients.set(client.clientId, revoked);
    return revoked;
  }

  /** Gives a client a new secret; the old one gets no new token. */
  rotateOAuthClientSecret(client: OAuthClient): OAuthClient {
    const rotated: OAuthClient = { ...client, clientSecret: randomSecret('cbcs_test_', 24) };
    this.#clients.set(client.clientId, rotated);
    return rotated;
  }

  /** Issues an opaque access token bound to `scopes`. */
  issueAccessToken(client: OAuthClient, scopes: readonly Scope[]): string {
    const token = randomSecret('cbat_test_', 32);
    this.#accessTokens.set(token, {
      clientId: client.clientId,
      tenantId: client.tenantId,
      scopes: [...scopes],
      expiresAtMs: this.#now().getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000,
    });
    return token;
  }

  /**
   * The caller of a request from its `Authorization` header, coming from
   * `address`. Throws `unauthenticated` without credentials, `invalid_token`
   * for unknown, revoked or expired ones, and — like the server, only once
   * the credential is known — `ip_not_allowed` from outside its allowlist.
   */
  authenticate(authorization: string | null, address = '127.0.0.1'): Caller {
    if (!authorization) {
      throw new ApiProblem(
        'unauthenticated',
        'send an API key or OAuth access token as "Authorization: Bearer <token>"',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) {
      throw new ApiProblem(
        'unauthenticated',
        'the Authorization header must use the Bearer scheme',
      );
    }
    const credential = match[1];
    const now = this.#now();
    const tokenId = this.#byKey.get(credential);
    if (tokenId) {
      const token = this.#tokens.get(tokenId);
      if (!token || token.status === 'revoked') {
        throw new ApiProblem(
          'invalid_token',
          'this API key was revoked; ask the clinic for a new one',
        );
      }
      if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) {
        throw new ApiProblem(
          'invalid_token',
          'this API key has expired; ask the clinic for a new one',
        );
      }
      requireAllowed(token.allowedIps, address);
      this.#tokens.set(token.id, { ...token, lastUsedAt: now.toISOString() });
      return {
        tenantId: token.tenantId,
        scopes: token.scopes,
        actor: { type: 'api_key', id: token.id },
      };
    }
    const access = this.#accessTokens.get(credential);
    if (access) {
      if (access.expiresAtMs <= now.getTime()) {
        this.#accessTokens.delete(credential);
        throw new ApiProblem('invalid_token', 'the access token has expired; request a new one');
      }
      // Like the server: the client is checked on every request, so revocation applies at once.
      const client = this.#clients.get(access.clientId);
      if (client?.status === 'revoked') {
        throw new ApiProblem(
          'invalid_token',
          'the OAuth client was revoked; ask the clinic for a new one',
        );
      }
      requireAllowed(client?.allowedIps, address);
      return {
        tenantId: access.tenantId,
        scopes: access.scopes,
        actor: { type: 'oauth_client', id: access.clientId },
      };
    }
    throw new ApiProblem('invalid_token', 'the API key or access token is not recognised');
  }
}

/**
 * Throws 403 `ip_not_allowed` unless a credential with this allowlist may be used from `address`.
 *
 * @example
 * requireAllowed(client.allowedIps, world.clientAddress);
 */
export function requireAllowed(allowlist: readonly string[] | undefined, address: string): void {
  if (addressAllowed(allowlist, address)) return;
  throw new ApiProblem(
    'ip_not_allowed',
    'This credential may not be used from your network address. Ask the clinic to add the address to its allowlist, or call from an allowed network.',
  );
}
