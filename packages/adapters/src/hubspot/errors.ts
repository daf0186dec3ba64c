/**
 * HubSpot CRM v3 errors (`{ status: 'error', message, category, correlationId }`)
 * mapped by `category`, falling back to the HTTP status; the category is kept
 * as the provider code. HubSpot's message is never copied (it can echo an email).
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';
import type { ProviderErrorCode } from '../core/errors.ts';

const BY_CATEGORY: Record<string, ProviderErrorCode> = {
  VALIDATION_ERROR: 'invalid_request',
  OBJECT_NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  OBJECT_ALREADY_EXISTS: 'conflict',
  RATE_LIMITS: 'rate_limited',
  INVALID_AUTHENTICATION: 'auth_failed',
  MISSING_SCOPES: 'auth_failed',
};

/**
 * Maps a HubSpot reply to a failure, or `undefined` for success.
 *
 * @example
 * mapHubSpotError({ status: 400, body: { status: 'error', category: 'VALIDATION_ERROR' }, headers: new Headers() });
 * // { code: 'invalid_request', providerCode: 'VALIDATION_ERROR' }
 */
export function mapHubSpotError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const category = (reply.body as { category?: unknown } | undefined)?.category;
  if (typeof category !== 'string') return { providerCode: `http_${reply.status}` };
  const code = reply.status >= 500 ? undefined : BY_CATEGORY[category];
  return code ? { code, providerCode: category } : { providerCode: category };
}
