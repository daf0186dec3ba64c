/**
 * A notifications worker as a process of its own, for the worker crash
 * test: the database named by the environment (PostgreSQL `DATABASE_URL` +
 * `TEST_SCHEMA`) with the test key ring, configuration from the environment
 * (`NOTIFICATIONS_*`, `TWILIO_*`), the queues in `WORKER_QUEUES`, JSON log
 * lines on stdout (the first says "notifications worker ready"), and a
 * clean stop on SIGTERM, as `clinicbridge-server worker` does.
 * Run with `node --import ./test/delivery/source-hooks.ts`.
 */
import { parseQueues, startWorkerProcess } from '../../src/cli/worker.ts';
import { loadConfig } from '../../src/config/index.ts';
import { featureConfigSections } from '../../src/features.ts';
import { createLogger, stdoutStream } from '../../src/observability/logger.ts';
import { openProcessDatabase } from '../helpers/server-process.ts';

const config = loadConfig(process.env, featureConfigSections);
const logger = createLogger(config.LOG_LEVEL, stdoutStream());
const worker = await startWorkerProcess({
  config,
  database: await openProcessDatabase(),
  queues: parseQueues(process.env.WORKER_QUEUES),
  logger,
});
process.once('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
