/** API-key authentication: the key is the bearer credential; a 401 is final. */
import type { AuthStrategy } from './types.ts';

/**
 * Authenticates every request with a static API key.
 *
 * @example
 * const auth = apiKeyAuth(process.env.CLINICBRIDGE_API_KEY!);
 */
export function apiKeyAuth(apiKey: string): AuthStrategy {
  if (!apiKey) throw new TypeError('apiKey must be a non-empty string');
  return {
    credential: async () => apiKey,
    // A new request would send the same key: retrying cannot help.
    rejected: async () => false,
  };
}
