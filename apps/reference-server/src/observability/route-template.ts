/**
 * The route template a request is counted (`/metrics`) and logged under.
 * API operations and FHIR set theirs (`routeTemplate`); every other route
 * (inbound webhooks, the console, OAuth, storage, health) is known by the
 * path it was registered with. Never the request's own path: the labels stay
 * few and hold no ids.
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import { METHOD_NAME_ALL } from 'hono/router';
import type { AppEnv } from '../http/context.ts';

/**
 * The template its handler set; else the registered path of the route that
 * answered, or of the route the request was headed for when a middleware
 * answered first (a sign-in gate's 401); else `unmatched`. Read after the
 * handler ran; the first answer is kept for the other readers.
 *
 * @example
 * app.post('/webhooks/:provider', …); // after a POST /webhooks/visa: routeTemplateOf(c) === '/webhooks/:provider'
 */
export function routeTemplateOf(c: Context<AppEnv>): string {
  const set = c.get('routeTemplate');
  if (set !== undefined) return set;
  // `app.use` middleware is registered for every method; a route for its own.
  const route = matchedRoutes(c)
    .slice(c.req.routeIndex)
    .find((matched) => matched.method !== METHOD_NAME_ALL);
  const template = route?.path ?? 'unmatched';
  c.set('routeTemplate', template);
  return template;
}
