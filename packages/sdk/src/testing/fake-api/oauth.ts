/**
 * `POST /oauth/token` of the fake API: OAuth 2.1 client credentials. The
 * client authenticates with HTTP Basic or `client_id`/`client_secret` in the
 * form; the token it gets is opaque, bound to the requested scopes (a subset
 * of the client's), and accepted as `Authorization: Bearer` by every
 * operation until it expires on the fake clock.
 */
import * as z from 'zod/mini';
import {
  type oauthError,
  parseScopeList,
  type TokenResponse,
  tokenRequest,
} from '../../contract/index.ts';
import { ACCESS_TOKEN_TTL_SECONDS, type OAuthClient, requireAllowed } from './auth.ts';
import { ApiProblem, problemResponse } from './problem.ts';
import type { FakeWorld } from './world.ts';

type OAuthErrorCode = z.infer<typeof oauthError>['error'];

function oauthFailure(error: OAuthErrorCode, description: string, requestId: string): Response {
  const status = error === 'invalid_client' ? 401 : 400;
  const headers = new Headers({
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-request-id': requestId,
  });
  if (status === 401) headers.set('www-authenticate', 'Basic realm="clinicbridge"');
  return new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers,
  });
}

function basicCredentials(header: string | null): { id: string; secret: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  let decoded: string;
  try {
    decoded = atob(match[1]);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return {
    id: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

/**
 * Answers one token request.
 *
 * @example
 * const response = await issueToken(world, request, 'req_1');
 */
export async function issueToken(
  world: FakeWorld,
  request: Request,
  requestId: string,
): Promise<Response> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return oauthFailure(
      'invalid_request',
      'send the form as application/x-www-form-urlencoded',
      requestId,
    );
  }
  const form = Object.fromEntries(new URLSearchParams(await request.text()));
  if (form.grant_type !== undefined && form.grant_type !== 'client_credentials') {
    return oauthFailure(
      'unsupported_grant_type',
      'only client_credentials is supported',
      requestId,
    );
  }
  const parsed = z.safeParse(tokenRequest, form);
  if (!parsed.success) {
    return oauthFailure('invalid_request', 'grant_type=client_credentials is required', requestId);
  }
  const basic = basicCredentials(request.headers.get('authorization'));
  const id = basic?.id ?? parsed.data.client_id;
  const secret = basic?.secret ?? parsed.data.client_secret;
  const client: OAuthClient | undefined =
    id !== undefined && secret !== undefined
      ? world.auth.authenticateClient(id, secret)
      : undefined;
  if (!client) {
    return oauthFailure('invalid_client', 'unknown client or wrong client secret', requestId);
  }
  // Like the server: once the secret is proven, an address outside the allowlist is 403 problem+json.
  try {
    requireAllowed(client.allowedIps, world.clientAddress);
  } catch (error) {
    if (error instanceof ApiProblem) return problemResponse(error, requestId, '/oauth/token');
    throw error;
  }
  const requested =
    parsed.data.scope === undefined ? client.scopes : parseScopeList(parsed.data.scope);
  if (requested === null || !requested.every((s) => client.scopes.includes(s))) {
    return oauthFailure(
      'invalid_scope',
      'a requested scope is unknown or not granted to this client',
      requestId,
    );
  }
  const body: TokenResponse = {
    access_token: world.auth.issueAccessToken(client, requested),
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    scope: requested.join(' '),
  };
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-request-id': requestId,
    },
  });
}
