/**
 * Builds the MSW `http` handlers of the fake API: one per contract operation
 * (method + path under `baseUrl`), plus `POST /oauth/token`, export
 * downloads, and a last handler that answers unknown paths with 404 and
 * known paths called with the wrong method with 405 — so an SDK bug shows up
 * as the same problem+json the server would send, never as an unhandled request.
 */
import { type HttpHandler, HttpResponse, http } from 'msw';
import { hasScope, listOperations, OAUTH_TOKEN_PATH } from '../../contract/index.ts';
import type { BoundHandler } from './context.ts';
import type { FailureInjector } from './inject.ts';
import { issueToken } from './oauth.ts';
import { applyInjection, NETWORK_ERROR, newRequestId, runOperation } from './pipeline.ts';
import { ApiProblem, problemResponse } from './problem.ts';
import { exportDownloadPath } from './resources/imports-exports.ts';
import type { FakeWorld } from './world.ts';

const METHODS = { GET: 'get', POST: 'post', PATCH: 'patch', DELETE: 'delete' } as const;

function mswPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

function pathPattern(path: string): RegExp {
  return new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`);
}

async function guarded(
  injector: FailureInjector,
  target: string,
  request: Request,
  run: (requestId: string) => Promise<Response>,
): Promise<Response> {
  const requestId = newRequestId();
  try {
    if ((await applyInjection(injector, target, true)) === NETWORK_ERROR)
      return HttpResponse.error();
    return await run(requestId);
  } catch (error) {
    const problem =
      error instanceof ApiProblem ? error : new ApiProblem('internal_error', String(error));
    return problemResponse(problem, requestId, new URL(request.url).pathname);
  }
}

function exportDownload(world: FakeWorld, injector: FailureInjector, base: string): HttpHandler {
  return http.get(`${base}${mswPath(exportDownloadPath('{exportId}'))}`, ({ request, params }) =>
    guarded(injector, 'exports.download', request, async (requestId) => {
      const caller = world.auth.authenticate(
        request.headers.get('authorization'),
        world.clientAddress,
      );
      if (!hasScope(caller.scopes, 'read:exports')) {
        throw new ApiProblem(
          'insufficient_scope',
          'downloading an export needs the "read:exports" scope',
        );
      }
      const job = world.tenant(caller.tenantId).exports.get(String(params.exportId));
      if (!job || job.content === null) throw new ApiProblem('not_found', 'no such export file');
      return new Response(job.content, {
        status: 200,
        headers: {
          'content-type': job.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
          'x-request-id': requestId,
        },
      });
    }),
  );
}

/**
 * The MSW handlers serving `handlers` under `baseUrl`.
 *
 * @example
 * const server = setupServer(...buildHandlers(world, injector, allHandlers));
 */
export function buildHandlers(
  world: FakeWorld,
  injector: FailureInjector,
  handlers: readonly BoundHandler[],
): HttpHandler[] {
  const base = world.baseUrl;
  const byId = new Map(handlers.map((h) => [h.op.id, h]));
  const operations = listOperations();
  const routes = operations.map((op) => {
    const handler = byId.get(op.id);
    if (!handler) throw new Error(`the fake API has no handler for ${op.id}`);
    return http[METHODS[op.method]](`${base}${mswPath(op.path)}`, async ({ request, params }) => {
      const response = await runOperation(world, injector, handler, request, params);
      return response === NETWORK_ERROR ? HttpResponse.error() : response;
    });
  });
  const patterns = operations.map((op) => ({ method: op.method, pattern: pathPattern(op.path) }));
  const fallback = http.all(`${base}/*`, ({ request }) => {
    const url = new URL(request.url);
    const known = patterns.filter((p) => p.pattern.test(url.pathname));
    const problem =
      known.length > 0
        ? new ApiProblem(
            'method_not_allowed',
            `${request.method} is not allowed here; use ${[...new Set(known.map((k) => k.method))].join(', ')}`,
          )
        : new ApiProblem('not_found', `no operation at ${url.pathname}`);
    return problemResponse(problem, newRequestId(), url.pathname);
  });
  return [
    ...routes,
    http.post(`${base}${OAUTH_TOKEN_PATH}`, ({ request }) =>
      guarded(injector, 'oauth.token', request, (requestId) =>
        issueToken(world, request, requestId),
      ),
    ),
    exportDownload(world, injector, base),
    fallback,
  ];
}
