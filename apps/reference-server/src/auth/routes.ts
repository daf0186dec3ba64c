/**
 * OAuth HTTP routes: `POST /oauth/token` (form-encoded, client credentials
 * by HTTP Basic or in the body) and `GET /.well-known/jwks.json`.
 */
import { OAUTH_TOKEN_PATH } from '@clinicbridge/sdk/contract';
import type { Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { clientAddress } from '../http/client-address.ts';
import { clientCertificateFingerprint } from '../http/client-certificate.ts';
import type { AppEnv } from '../http/context.ts';
import { readBodyText } from '../kernel/body.ts';
import type { TokenIssuerOptions } from './access-tokens.ts';
import { type ClientCredentialsRequest, issueClientCredentialsToken, OAuthError } from './oauth.ts';
import type { SigningKeys } from './signing-keys.ts';

/**
 * What the OAuth routes need.
 *
 * @example
 * mountOAuthRoutes(app, { db, keys, tokens, now: () => new Date() } satisfies OAuthRouteDeps);
 */
export interface OAuthRouteDeps {
  db: Kysely<DB>;
  keys: SigningKeys;
  tokens: TokenIssuerOptions;
  now: () => Date;
  /** `TRUST_PROXY`: the client address is the left-most `X-Forwarded-For` entry. */
  trustProxy?: boolean;
}

/**
 * Mounts the token endpoint and the JWKS.
 *
 * @example
 * mountOAuthRoutes(app, { db, keys, tokens, now: () => new Date() });
 */
export function mountOAuthRoutes(app: Hono<AppEnv>, deps: OAuthRouteDeps): void {
  app.get('/.well-known/jwks.json', async (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(await deps.keys.jwks());
  });

  app.post(OAUTH_TOKEN_PATH, async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      const request = await tokenRequest(c, deps.trustProxy ?? false);
      const token = await issueClientCredentialsToken(
        deps.db,
        deps.keys,
        deps.tokens,
        request,
        deps.now(),
      );
      return c.json(token);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.status === 401) c.header('WWW-Authenticate', 'Basic realm="clinicbridge"');
      return c.json({ error: error.error, error_description: error.message }, error.status);
    }
  });
}

async function tokenRequest(c: Context, trustProxy: boolean): Promise<ClientCredentialsRequest> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError(
      'invalid_request',
      'Send the token request as application/x-www-form-urlencoded.',
    );
  }
  const form = new URLSearchParams(await readBodyText(c, 16_384));
  let clientId = form.get('client_id') ?? undefined;
  let clientSecret = form.get('client_secret') ?? undefined;
  const basic = c.req.header('authorization')?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'Malformed HTTP Basic credentials.');
    clientId = formDecode(decoded.slice(0, colon));
    clientSecret = formDecode(decoded.slice(colon + 1));
  }
  return {
    grantType: form.get('grant_type') ?? undefined,
    clientId,
    clientSecret,
    scope: form.get('scope') ?? undefined,
    clientAddress: clientAddress(c, trustProxy),
    clientCertificate: clientCertificateFingerprint(c),
  };
}

// RFC 6749 §2.3.1: Basic credentials are form-encoded before base64.
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_client', 'Malformed HTTP Basic credentials.');
  }
}
