/**
 * Types of the request context every route sees: the request id and, after
 * authentication, who is calling for which tenant with which scopes.
 * Handlers read them through Hono's typed variables, never by casting.
 */
import type { Scope } from '@clinicbridge/sdk/contract';
import type { Actor } from '../kernel/change.ts';

/**
 * Rate-limit tier of a credential.
 *
 * @example
 * const tier: Tier = 'high';
 */
export type Tier = 'standard' | 'high';

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
}

/**
 * Hono environment of the server's app.
 *
 * @example
 * const app = new Hono<AppEnv>(); app.get('/x', (c) => c.text(c.get('requestId')));
 */
export interface AppEnv {
  Variables: {
    requestId: string;
    auth: AuthContext;
    /** Route template for metrics, e.g. `/api/v1/appointments/:appointmentId`. */
    routeTemplate: string;
  };
}
