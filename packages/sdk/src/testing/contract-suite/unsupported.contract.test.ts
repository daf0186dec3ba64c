/**
 * The suite's `unsupported` list: a target that answers the event-delivery
 * operations with 501 (as the reference server may while delivery is being
 * built) passes, with those operations checked for 501 instead of skipped.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { listOperations, PROBLEM_TYPE_BASE } from '../../contract/index.ts';
import { createFakeApi } from '../fake-api/index.ts';
import type { OperationId } from '../fake-api/operation-id.ts';
import { defineContractSuite } from './index.ts';

const unsupported: OperationId[] = [
  'events.deliveries',
  'deliveries.get',
  'deliveries.retry',
  'deadLetters.list',
  'deadLetters.replay',
];

const api = createFakeApi({ baseUrl: 'https://partial.clinicbridge.test' });
const notImplemented = listOperations()
  .filter((op) => (unsupported as string[]).includes(op.id))
  .map((op) =>
    http[op.method === 'GET' ? 'get' : 'post'](
      `${api.baseUrl}${op.path.replace(/\{(\w+)\}/g, ':$1')}`,
      () =>
        HttpResponse.json(
          {
            type: `${PROBLEM_TYPE_BASE}not_implemented`,
            title: 'Not implemented',
            status: 501,
            code: 'not_implemented',
            requestId: 'req_partial',
          },
          {
            status: 501,
            headers: { 'content-type': 'application/problem+json', 'x-request-id': 'req_partial' },
          },
        ),
    ),
  );
const server = setupServer(...notImplemented, ...api.handlers);

defineContractSuite({
  name: 'fake API without event delivery',
  unsupported,
  setup: () => {
    server.listen({ onUnhandledFrame: 'error' });
    const { tenantId, apiKey } = api.state.defaultTenant;
    return {
      baseUrl: api.baseUrl,
      apiKey,
      createToken: async (scopes) => api.state.createApiKey(tenantId, scopes),
      otherTenantApiKey: api.state.createTenant().apiKey,
    };
  },
  teardown: () => server.close(),
});
