/**
 * A reference server with the catalogue sync as a process of its own, for
 * the one-run-per-slot test (src/catalogue-sync/catalogue-sync.int.test.ts):
 * opens the database named by the environment (PostgreSQL `DATABASE_URL` +
 * `TEST_SCHEMA`), configures the sync from `USHAS_*`, listens on a free port
 * of 127.0.0.1, prints `{"url":…,"pid":…}` and stops on SIGTERM.
 * Run with `node --import ./test/delivery/source-hooks.ts`.
 */
import { catalogueSyncFeature } from '../../src/catalogue-sync/feature.ts';
import { resourceFeatures } from '../../src/features.ts';
import { manualTasksFeature } from '../../src/manual-tasks/feature.ts';
import { openProcessDatabase, startProcessServer } from '../helpers/server-process.ts';

const passed = Object.fromEntries(
  ['USHAS_API_KEY', 'USHAS_API_URL', 'USHAS_SYNC_TENANT', 'USHAS_SYNC_CRON'].flatMap((name) =>
    process.env[name] ? [[name, process.env[name] as string]] : [],
  ),
);
const database = await openProcessDatabase();
const server = await startProcessServer(
  database,
  [...resourceFeatures, manualTasksFeature, catalogueSyncFeature],
  passed,
);
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
