/**
 * Two and three server processes on one PostgreSQL share the delivery work:
 * every event reaches the receiver, verified with `standardwebhooks`; no
 * event is sent twice (no process crashes here, so the at-least-once bound
 * is one send); and more than one process made attempts.
 * Runs only with TEST_DATABASE_URL (PGlite is single-process).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { until } from '../helpers/until.ts';
import {
  type BusProcess,
  recordEvents,
  seedEndpoint,
  spawnBusProcess,
  waitFor,
} from './harness.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const url = process.env.TEST_DATABASE_URL;
let database: TestDatabase | undefined;
let receiver: Receiver | undefined;
let processes: BusProcess[] = [];

afterEach(async () => {
  for (const p of processes) p.child.kill('SIGTERM');
  await Promise.all(processes.map((p) => p.exited));
  processes = [];
  await receiver?.close();
  await database?.close();
});

describe.runIf(url)('several server processes on one PostgreSQL', () => {
  test.each([2, 3])(
    '%i processes deliver 200 events, each once, sharing the work',
    async (count) => {
      database = await openTestDatabase();
      receiver = await startReceiver();
      // A little latency so one process cannot finish a batch before the others claim.
      receiver.respond = () => ({ status: 200, delayMs: 5 });
      const tenantId = `ten_multiprocess${count}0000000000`;
      receiver.secrets.set('/hooks', [
        await seedEndpoint(database.db, tenantId, `${receiver.url}/hooks`),
      ]);
      processes = Array.from({ length: count }, (_, i) =>
        spawnBusProcess({
          DATABASE_URL: url as string,
          TEST_SCHEMA: database?.schema as string,
          WORKER_ID: `worker-${i + 1}`,
          WEBHOOK_TARGET_ALLOWLIST: new URL((receiver as Receiver).url).host,
          WEBHOOK_CONCURRENCY: '4',
          WEBHOOK_ENDPOINT_CONCURRENCY: '4',
          WEBHOOK_POLL_INTERVAL: '200ms',
        }),
      );
      await Promise.all(processes.map((p) => p.ready));
      const ids = await recordEvents(database.db, tenantId, 200);
      const r = receiver;
      await waitFor(
        () => new Set(r.received.map((x) => x.headers['webhook-id'])).size >= 200,
        45_000,
      );
      // Each attempt is recorded after its response, in the sender's next batch.
      const db = database.db;
      const workers = await until(async () => {
        const rows = await db
          .selectFrom('delivery_attempts')
          .select(['worker'])
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .groupBy('worker')
          .execute();
        return rows.reduce((sum, w) => sum + Number(w.n), 0) >= 200 ? rows : undefined;
      }, 'every attempt to be recorded');

      expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set(ids));
      expect(r.received.every((x) => x.verified)).toBe(true);
      expect(r.received).toHaveLength(200);
      expect(workers.length).toBeGreaterThanOrEqual(2);
      expect(workers.reduce((sum, w) => sum + Number(w.n), 0)).toBe(200);
    },
    60_000,
  );
});
