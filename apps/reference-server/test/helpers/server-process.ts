/**
 * The common part of the scripts that run a reference server as a process
 * of its own for the crash tests (test/hl7/server-process.ts,
 * test/money/server-process.ts): the database named by the environment
 * (PostgreSQL `DATABASE_URL` + `TEST_SCHEMA`, or a PGlite `DATA_DIR`) with
 * the test key ring, a server on a free port of 127.0.0.1, and a clean stop
 * on SIGTERM.
 */
import { loadConfig } from '../../src/config/index.ts';
import { withKeyRing } from '../../src/crypto/keys.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import type { Feature } from '../../src/feature.ts';
import { configSections } from '../../src/features.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { testKeyRing } from './pii-keys.ts';

/**
 * Opens the database the environment names, with the test key ring attached.
 *
 * @example
 * const database = await openProcessDatabase();
 */
export async function openProcessDatabase(): Promise<Database> {
  return withKeyRing(
    await openDatabase(
      process.env.DATABASE_URL
        ? { url: process.env.DATABASE_URL, searchPath: process.env.TEST_SCHEMA, poolSize: 4 }
        : { dataDir: process.env.DATA_DIR },
    ),
    testKeyRing,
  );
}

/**
 * Starts `features` on `database` on a free port of 127.0.0.1 (logs off,
 * webhook poll 50 ms, then `env`) and stops the process cleanly on SIGTERM.
 *
 * @example
 * const server = await startProcessServer(database, [...resourceFeatures, moneyFeature]);
 */
export async function startProcessServer(
  database: Database,
  features: Feature[],
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const config = loadConfig(
    { HOST: '127.0.0.1', PORT: '1', LOG_LEVEL: 'silent', WEBHOOK_POLL_INTERVAL: '50ms', ...env },
    configSections(features),
  );
  const server = await startServer({
    config: { ...config, PORT: 0 },
    database,
    logger: createLogger('silent'),
    features,
  });
  process.on('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
  return server;
}
