/**
 * A reference server as a process of its own, for the multi-process proof
 * (`multi-process.int.test.ts`) and the multi-process write benchmark
 * (`bench/multiproc.ts`). It opens the database named by the environment
 * (PostgreSQL `DATABASE_URL` + `TEST_SCHEMA`, or a PGlite `DATA_DIR`) with the
 * test key ring, starts the API resources with the event features (endpoints,
 * delivery, inbound), claims and the relay, configured from its environment
 * (`REDIS_URL`, `RELAY_*`, `WEBHOOK_*`, `INSURANCE_*`, …; `TEST_POOL_SIZE`
 * connections to PostgreSQL, default 4), listens on a free
 * port of 127.0.0.1, prints `{"url":…,"pid":…}` and stops on SIGTERM. A start
 * that fails prints the error's name and message on stderr and exits 1.
 * Run with `node --import ./test/delivery/source-hooks.ts`.
 */
import { claimsFeature } from '../../src/claims/feature.ts';
import { loadConfig } from '../../src/config/index.ts';
import { withKeyRing } from '../../src/crypto/keys.ts';
import { openDatabase } from '../../src/db/database.ts';
import { deliveryFeature } from '../../src/delivery/feature.ts';
import type { Feature } from '../../src/feature.ts';
import { configSections, resourceFeatures } from '../../src/features.ts';
import { inboundFeature } from '../../src/inbound/feature.ts';
import { manualTasksFeature } from '../../src/manual-tasks/feature.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { relayFeature } from '../../src/relay/feature.ts';
import { startServer } from '../../src/server.ts';
import { webhookEndpointsFeature } from '../../src/webhook-endpoints/feature.ts';
import { testKeyRing } from '../helpers/pii-keys.ts';

const features: Feature[] = [
  ...resourceFeatures,
  manualTasksFeature,
  webhookEndpointsFeature(),
  deliveryFeature(),
  inboundFeature(),
  claimsFeature,
  relayFeature(),
];

try {
  const database = withKeyRing(
    await openDatabase(
      process.env.DATABASE_URL
        ? {
            url: process.env.DATABASE_URL,
            searchPath: process.env.TEST_SCHEMA,
            poolSize: Number(process.env.TEST_POOL_SIZE ?? 4),
          }
        : { dataDir: process.env.DATA_DIR },
    ),
    testKeyRing,
  );
  const config = loadConfig(
    { LOG_LEVEL: 'silent', ...process.env, HOST: '127.0.0.1', PORT: '1' },
    configSections(features),
  );
  const server = await startServer({
    config: { ...config, PORT: 0 },
    database,
    logger: createLogger(config.LOG_LEVEL),
    features,
  });
  process.on('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
} catch (error) {
  const { name, message } = error as Error;
  process.stderr.write(`${name}: ${message}\n`);
  process.exit(1);
}
