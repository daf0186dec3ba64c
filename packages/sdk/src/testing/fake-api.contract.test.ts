/**
 * The contract suite against the fake API, through MSW: the same cases the
 * reference server runs over HTTP.
 */
import { setupServer } from 'msw/node';
import { defineContractSuite } from './contract-suite/index.ts';
import { createFakeApi } from './index.ts';

const api = createFakeApi();
const server = setupServer(...api.handlers);

defineContractSuite({
  name: 'fake API',
  setup: () => {
    server.listen({ onUnhandledFrame: 'error' });
    const { tenantId, apiKey } = api.state.defaultTenant;
    return {
      baseUrl: api.baseUrl,
      apiKey,
      createToken: async (scopes) => api.state.createApiKey(tenantId, scopes),
      otherTenantApiKey: api.state.createTenant().apiKey,
      clinicalFeed: api.state.clinicalFeed(tenantId),
      catalogue: api.state.catalogue(tenantId),
    };
  },
  teardown: () => server.close(),
});
