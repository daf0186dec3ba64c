/**
 * Types of the request context every route sees: the request id and, after
 * authentication, who is calling for which tenant with which scopes.
 * Handlers read them through Hono's typed variables, never by casting.
 */
import type { Staff } from '../console/identity/staff.ts';
import type { AuthContext } from '../kernel/caller.ts';

export type { AuthContext, Tier } from '../kernel/caller.ts';

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
    /**
     * Route template for metrics and the request log, e.g. `/api/v1/appointments/:appointmentId`;
     * unset, the matched route's path (observability/route-template.ts).
     */
    routeTemplate: string;
    /** The signed-in staff member on `/ops` pages (set by the console's gate). */
    staff: Staff;
  };
}
