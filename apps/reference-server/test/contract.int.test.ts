/**
 * The SDK's contract suite against the core API over real HTTP on
 * 127.0.0.1, through the real SDK client. Operations the core does not
 * implement (webhook endpoints, deliveries and dead letters, which the event
 * bus feature serves, plus imports and exports) are declared unsupported here
 * and the suite checks that the core answers 501 for each: their cases need
 * the running dispatcher and a reachable receiver, so they run with the
 * event bus's own tests, not in this file.
 */
import { listOperations } from '@clinicbridge/sdk/contract';
import { defineContractSuite } from '@clinicbridge/sdk/testing/contract-suite';
import { coreHandlers } from '../src/resources.ts';
import { testDatabaseKind } from './helpers/database.ts';
import { startTestServer, type TestServer } from './helpers/http-server.ts';

const implemented = new Set(Object.keys(coreHandlers));
type OperationId = Parameters<typeof defineContractSuite>[0]['unsupported'] extends
  | readonly (infer I)[]
  | undefined
  ? I
  : never;
const unsupported = listOperations()
  .map((op) => op.id)
  .filter((id) => !implemented.has(id)) as OperationId[];

let running: TestServer | undefined;

defineContractSuite({
  name: `reference server core over HTTP (${testDatabaseKind})`,
  unsupported,
  setup: async () => {
    running = await startTestServer({
      tenantCount: 2,
      env: { RATE_LIMIT_HIGH_PER_MINUTE: '100000', RATE_LIMIT_STANDARD_PER_MINUTE: '100000' },
    });
    const [main, other] = running.tenants;
    if (!main || !other) throw new Error('tenants missing');
    const baseUrl = running.server.url;
    return {
      baseUrl,
      apiKey: main.apiKey,
      otherTenantApiKey: other.apiKey,
      createToken: async (scopes) => {
        const res = await fetch(`${baseUrl}/api/v1/integration-tokens`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${main.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': crypto.randomUUID(),
          },
          body: JSON.stringify({ name: 'contract suite', scopes, tier: 'high' }),
        });
        if (res.status !== 201) throw new Error(`create token: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { apiKey: string }).apiKey;
      },
    };
  },
  teardown: () => running?.server.close(),
});
