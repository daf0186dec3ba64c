/**
 * The feature list is the whole composition: every feature can be left out
 * of it, and the server still starts on a fresh database (migrating only
 * what the remaining features need), is ready, and answers the left-out
 * feature's operations with 501 `not_implemented` while the others work.
 */
import { listOperations } from '@clinicbridge/sdk/contract';
import { describe, expect, test } from 'vitest';
import { openTestDatabase } from '../test/helpers/database.ts';
import { handledOperationIds } from '../test/helpers/features.ts';
import { loadConfig } from './config/index.ts';
import { configSections, serverFeatures } from './features.ts';
import { createLogger } from './observability/logger.ts';
import { startServer } from './server.ts';
import { createTenant } from './tenants/service.ts';

const names = serverFeatures().map((feature) => feature.name);

describe('features are independent', () => {
  test('names are unique, and so are migration names across features', () => {
    expect(new Set(names).size).toBe(names.length);
    const migrationNames = serverFeatures().flatMap((f) => Object.keys(f.migrations ?? {}));
    expect(new Set(migrationNames).size).toBe(migrationNames.length);
  });

  test.each(names)(
    'without "%s" the server starts, is ready, and only its operations answer 501',
    async (name) => {
      const features = serverFeatures().filter((feature) => feature.name !== name);
      const removed = serverFeatures().find((feature) => feature.name === name);
      const database = await openTestDatabase({ migrate: false });
      const config = loadConfig(
        { HOST: '127.0.0.1', LOG_LEVEL: 'silent', WEBHOOK_POLL_INTERVAL: '50ms' },
        configSections(features),
      );
      const server = await startServer({
        config: { ...config, PORT: 0 },
        database,
        logger: createLogger('silent'),
        features,
      });
      try {
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
        const { apiKey } = await createTenant(database.db, { name: 'Clinic' });
        const headers = { authorization: `Bearer ${apiKey}` };
        const gone = [...handledOperationIds(removed ? [removed] : [])];
        const kept = handledOperationIds(features);
        for (const id of gone.filter((op) => !kept.has(op)).slice(0, 3)) {
          const operation = listOperations().find((op) => op.id === id);
          if (!operation) throw new Error(`unknown operation ${id}`);
          const path = operation.path.replace(/\{\w+\}/g, 'x_1');
          const res = await fetch(`${server.url}${path}`, { method: operation.method, headers });
          expect(res.status, id).toBe(501);
          expect(((await res.json()) as { code: string }).code).toBe('not_implemented');
        }
        if (name !== 'patients') {
          const res = await fetch(`${server.url}/api/v1/patients`, { headers });
          expect(res.status).toBe(200);
        }
      } finally {
        await server.close();
      }
    },
  );
});
