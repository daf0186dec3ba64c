/**
 * Unknown routes: a path that exists with another method is a 405 with
 * `Allow`, anything else a 404 — both as problem+json.
 */
import { listOperations } from '@clinicbridge/sdk/contract';
import { ApiError } from '../kernel/problem.ts';

const routes = listOperations().map((op) => ({
  method: op.method,
  pattern: new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}/?$`),
}));

/**
 * The error for a request no route matched.
 *
 * @example
 * notFoundOrNotAllowed('DELETE', '/api/v1/appointments'); // ApiError method_not_allowed
 */
export function notFoundOrNotAllowed(method: string, path: string): ApiError {
  const allowed = routes.filter((r) => r.pattern.test(path)).map((r) => r.method);
  if (allowed.length > 0 && !allowed.includes(method as never)) {
    return new ApiError('method_not_allowed', `Use ${allowed.join(', ')} on this path.`, {
      headers: { Allow: [...new Set(allowed)].join(', ') },
    });
  }
  return new ApiError('not_found', 'No such route; see /docs for the API reference.');
}
