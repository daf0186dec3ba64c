/**
 * Helpers of the multi-process delivery tests: spawn a bus process, seed a
 * tenant with an endpoint pointing at a local receiver, and record events.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { createTargetGuard } from '../../src/delivery/ssrf.ts';
import type { ChangeContext } from '../../src/kernel/change.ts';
import { recordEvent } from '../../src/kernel/outbox.ts';
import { createEndpoint } from '../../src/webhook-endpoints/service.ts';
import { spawnTestProcess, type TestProcess } from '../helpers/spawn.ts';

/** A spawned bus process; `ready` resolves with its pid. */
export type BusProcess = TestProcess<{ pid: number }>;

/**
 * Starts `bus-process.ts` with the given environment.
 *
 * @example
 * const p = spawnBusProcess({ DATABASE_URL: url, TEST_SCHEMA: schema, WORKER_ID: 'w1' });
 * await p.ready;
 */
export function spawnBusProcess(env: Record<string, string>): BusProcess {
  return spawnTestProcess('test/delivery/bus-process.ts', env);
}

/**
 * Creates an endpoint for every event type at `url`; resolves to its secret.
 *
 * @example
 * const secret = await seedEndpoint(db, tenantId, `${receiver.url}/hooks`);
 */
export async function seedEndpoint(db: Kysely<DB>, tenantId: string, url: string): Promise<string> {
  await db
    .insertInto('tenants')
    .values({ id: tenantId, name: 'Multi-process clinic', created_at: new Date() })
    .execute();
  const change: ChangeContext = {
    tenantId,
    actor: { type: 'system', id: 'test' },
    requestId: null,
    now: new Date(),
  };
  const endpoint = await db.transaction().execute((trx) =>
    createEndpoint(trx, change, createTargetGuard({ allowlist: [new URL(url).host] }), {
      url,
      eventTypes: ['*'],
    }),
  );
  return endpoint.secret;
}

/**
 * Records `count` events, `perTransaction` to a transaction, calling
 * `afterCommit` after each commit; resolves to their ids.
 *
 * @example
 * const ids = await recordEvents(db, tenantId, 200);
 */
export async function recordEvents(
  db: Kysely<DB>,
  tenantId: string,
  count: number,
  perTransaction = 10,
  afterCommit: () => void = () => {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += perTransaction) {
    await db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(count, i + perTransaction); j++) {
        const event = await recordEvent(trx, {
          tenantId,
          type: 'inventory.low_stock',
          entityType: 'inventory',
          entityId: `sku-${j}`,
          data: { sku: `sku-${j}`, onHand: j, threshold: 1_000 },
        });
        ids.push(event.id);
      }
    });
    afterCommit();
  }
  return ids;
}
