/**
 * OAuth 2.1 client credentials (RFC 6749 §4.4): `POST /oauth/token` with a
 * form-encoded body. Field names are snake_case here, as the RFC defines them.
 * Clients authenticate with HTTP Basic or `client_id`/`client_secret` in the body.
 */
import * as z from 'zod/mini';

/**
 * Path of the token endpoint.
 *
 * @example
 * await fetch(`${baseUrl}${OAUTH_TOKEN_PATH}`, { method: 'POST', headers, body: form });
 */
export const OAUTH_TOKEN_PATH = '/oauth/token';

/**
 * Token request (form fields).
 *
 * @example
 * tokenRequest.parse({ grant_type: 'client_credentials', scope: 'read:appointments' });
 */
export const tokenRequest = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.optional(z.string().check(z.maxLength(200))),
  client_secret: z.optional(z.string().check(z.maxLength(500))),
  scope: z.optional(z.string().check(z.maxLength(2000))),
});

/**
 * Token request fields.
 *
 * @example
 * const form: TokenRequest = { grant_type: 'client_credentials', scope: 'read:appointments' };
 */
export type TokenRequest = z.infer<typeof tokenRequest>;

/**
 * Token response.
 *
 * @example
 * tokenResponse.parse({ access_token: 'eyJ…', token_type: 'Bearer', expires_in: 900, scope: 'read:appointments' });
 */
export const tokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.int(),
  scope: z.string(),
});

/**
 * Token response fields.
 *
 * @example
 * const { access_token, expires_in }: TokenResponse = tokenResponse.parse(await res.json());
 */
export type TokenResponse = z.infer<typeof tokenResponse>;

/**
 * OAuth error response (RFC 6749 §5.2).
 *
 * @example
 * oauthError.parse({ error: 'invalid_client', error_description: 'unknown client' });
 */
export const oauthError = z.object({
  error: z.enum([
    'invalid_request',
    'invalid_client',
    'invalid_grant',
    'unauthorized_client',
    'unsupported_grant_type',
    'invalid_scope',
  ]),
  error_description: z.optional(z.string()),
});
