/**
 * Who is calling: the authenticated caller of a request, as the pipeline
 * hands it to handlers. Defined in the kernel so handlers and services need
 * nothing from the HTTP layer.
 */
import type { Scope } from '@clinicbridge/sdk/contract';
import type { Actor } from './change.ts';

/**
 * Rate-limit tier of a credential.
 *
 * @example
 * const tier: Tier = 'high';
 */
export type Tier = 'standard' | 'high';

/**
 * The environment a server and its credentials belong to (finding 19):
 * `live` (production) or `test` (the sandbox).
 *
 * @example
 * const environment: CredentialEnvironment = 'test';
 */
export type CredentialEnvironment = 'live' | 'test';

/**
 * The authenticated caller.
 *
 * @example
 * const { tenantId, scopes } = c.get('auth') satisfies AuthContext;
 */
export interface AuthContext {
  tenantId: string;
  scopes: Scope[];
  actor: Actor;
  /** Id of the API key or OAuth client: the rate-limit bucket. */
  credentialId: string;
  tier: Tier;
  /** The credential's environment, always the server's; absent means live. */
  environment?: CredentialEnvironment;
  /**
   * Set when the API key came from the in-process cache: the version the
   * request was authenticated with, which the write's first statement
   * confirms (http/operations.ts) before anything changes.
   */
  cachedKey?: { keyHash: string; id: string; version: string };
}
