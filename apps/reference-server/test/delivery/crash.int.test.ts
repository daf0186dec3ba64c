/**
 * Crash safety: a server process delivering to a local receiver is killed
 * with SIGKILL at random moments and restarted; in the end every event
 * reaches the receiver, each verified with `standardwebhooks`, none lost.
 * Duplicates are allowed only within the at-least-once bound: what a killed
 * process had claimed but not yet recorded (at most 4 × WEBHOOK_CONCURRENCY
 * per kill). Runs on PGlite with a data directory, and on PostgreSQL too
 * when TEST_DATABASE_URL is set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { serverMigrations } from '../../src/features.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { until } from '../helpers/until.ts';
import { type BusProcess, recordEvents, seedEndpoint, spawnBusProcess } from './harness.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const EVENTS = 150;
const KILLS = 3;
const CONCURRENCY = 4;
const busEnv = {
  WEBHOOK_CONCURRENCY: String(CONCURRENCY),
  WEBHOOK_ENDPOINT_CONCURRENCY: String(CONCURRENCY),
  // The lease must outlive timeout + 2 s (the worker refuses less); after a
  // kill the restarted process waits out the dead one's lease, so keep it short.
  WEBHOOK_TIMEOUT_MS: '500',
  WEBHOOK_LEASE: '3s',
  WEBHOOK_POLL_INTERVAL: '200ms',
};

let receiver: Receiver | undefined;
/** The receiver's host and port, the one exception to the SSRF guard. */
const allowReceiver = () => ({
  WEBHOOK_TARGET_ALLOWLIST: new URL((receiver as Receiver).url).host,
});
let current: BusProcess | undefined;
let cleanup: (() => Promise<void>) | undefined;

afterEach(async () => {
  current?.child.kill('SIGKILL');
  await current?.exited;
  current = undefined;
  await receiver?.close();
  await cleanup?.();
  cleanup = undefined;
});

const kinds = process.env.TEST_DATABASE_URL
  ? (['pglite', 'postgres'] as const)
  : (['pglite'] as const);

describe('SIGKILL while delivering', () => {
  test.each(kinds)(
    'on %s: every event arrives after kills and restarts',
    async (kind) => {
      receiver = await startReceiver();
      receiver.respond = () => ({ status: 200, delayMs: 15 });
      const tenantId = `ten_crashsafety${kind}000000000`.slice(0, 30);
      let env: Record<string, string>;
      let ids: string[];
      if (kind === 'postgres') {
        const database: TestDatabase = await openTestDatabase();
        cleanup = () => database.close();
        receiver.secrets.set('/hooks', [
          await seedEndpoint(database.db, tenantId, `${receiver.url}/hooks`),
        ]);
        ids = await recordEvents(database.db, tenantId, EVENTS);
        env = {
          DATABASE_URL: process.env.TEST_DATABASE_URL as string,
          TEST_SCHEMA: database.schema as string,
        };
      } else {
        const dir = await mkdtemp(join(tmpdir(), 'cb-crash-'));
        cleanup = () => rm(dir, { recursive: true, force: true });
        // PGlite is single-process: seed, close, then hand the directory to the children.
        const database = await openDatabase({ dataDir: dir });
        await migrateToLatest(database.db, serverMigrations);
        receiver.secrets.set('/hooks', [
          await seedEndpoint(database.db, tenantId, `${receiver.url}/hooks`),
        ]);
        ids = await recordEvents(database.db, tenantId, EVENTS);
        await database.close();
        env = { DATA_DIR: dir };
      }
      const r = receiver;
      const unique = () => new Set(r.received.map((x) => x.headers['webhook-id'])).size;
      const killTimes: number[] = [];
      for (let kill = 0; kill < KILLS && unique() < EVENTS; kill++) {
        current = spawnBusProcess({
          ...env,
          ...busEnv,
          ...allowReceiver(),
          WORKER_ID: `crash-${kill}`,
        });
        await current.ready;
        const before = r.received.length;
        // Kill once deliveries are flowing, at a random point among them.
        await until(
          () => r.received.length > before || unique() >= EVENTS,
          'a delivery since the last restart',
        );
        const delay = 20 + Math.floor(Math.random() * 300);
        killTimes.push(delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
        current.child.kill('SIGKILL');
        await current.exited;
        current = undefined;
      }
      current = spawnBusProcess({
        ...env,
        ...busEnv,
        ...allowReceiver(),
        WORKER_ID: 'crash-final',
      });
      await current.ready;
      await until(() => unique() >= EVENTS, `all ${EVENTS} events delivered`).catch(
        (error: unknown) => {
          throw new Error(
            `${String(error)}; kills after ${killTimes.join(', ')} ms; stderr: ${current?.stderr().slice(0, 500)}`,
          );
        },
      );

      expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set(ids));
      expect(r.received.every((x) => x.verified)).toBe(true);
      const duplicates = r.received.length - EVENTS;
      expect(duplicates).toBeLessThanOrEqual(killTimes.length * 4 * CONCURRENCY);
    },
    // Four process starts, each opening PGlite from disk: minutes on a loaded machine.
    240_000,
  );
});
