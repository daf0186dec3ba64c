/**
 * A server process reduced to its event bus, for the multi-process and
 * crash tests: opens the database named by the environment (PostgreSQL
 * `DATABASE_URL` + `TEST_SCHEMA`, or a PGlite `DATA_DIR`), starts the
 * dispatcher with `WEBHOOK_*` settings, prints its pid as a JSON line, and stops cleanly on
 * SIGTERM. Run with `node --import ./test/delivery/source-hooks.ts`.
 */

import { openDatabase } from '../../src/db/database.ts';
import { createEventBus } from '../../src/delivery/bus.ts';
import { deliveryConfig } from '../../src/delivery/config.ts';

const database = await openDatabase(
  process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, searchPath: process.env.TEST_SCHEMA, poolSize: 4 }
    : { dataDir: process.env.DATA_DIR },
);
const bus = await createEventBus({
  database,
  config: deliveryConfig.parse(process.env),
  ...(process.env.WORKER_ID ? { workerId: process.env.WORKER_ID } : {}),
  onError: (error) => process.stderr.write(`bus error: ${String(error)}\n`),
});
bus.dispatcher.start();
process.stdout.write(`${JSON.stringify({ pid: process.pid })}\n`);

process.on('SIGTERM', () => {
  void bus
    .close()
    .then(() => database.close())
    .then(() => process.exit(0));
});
