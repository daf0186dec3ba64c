/**
 * What the relay tests against NATS JetStream and RabbitMQ share: recording
 * a tenant's events, fanning them out to the relay's marks, a relay with
 * the tests' settings, and running it until nothing is left.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { recordEvent } from '../../src/kernel/outbox.ts';
import { markForRelay } from '../../src/relay/claims.ts';
import { createRelay, type Relay, type RelayOptions } from '../../src/relay/relay.ts';
import { fanOutEvents } from '../../src/scheduler/fanout.ts';

/**
 * Records `count` `inventory.low_stock` events for `tenantId`, one transaction each,
 * and answers their ids in order.
 *
 * @example
 * const ids = await recordInventoryEvents(database.db, 'ten_a', 3);
 */
export async function recordInventoryEvents(
  db: Kysely<DB>,
  tenantId: string,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = await db.transaction().execute((trx) =>
      recordEvent(trx, {
        tenantId,
        type: 'inventory.low_stock',
        entityType: 'inventory',
        entityId: `sku-${i}`,
        data: { sku: `sku-${i}`, onHand: i, threshold: 10 },
      }),
    );
    ids.push(event.id);
  }
  return ids;
}

/**
 * Fans every recorded event out to the relay marks of `sinks` only.
 *
 * @example
 * await fanOutToSinks(database.db, ['rabbitmq']);
 */
export async function fanOutToSinks(
  db: Kysely<DB>,
  sinks: Parameters<typeof markForRelay>[3],
): Promise<void> {
  const targets = [
    (trx: Kysely<DB>, ids: readonly string[], now: Date) => markForRelay(trx, ids, now, sinks),
  ];
  while ((await fanOutEvents(db, [], new Date(), { targets })) > 0) {}
}

/**
 * A relay with a random worker name, a minute's lease and no jitter.
 *
 * @example
 * const relay = testRelay({ db, sink: rabbitMqSink(target), publishTimeoutMs: 2_000 });
 */
export function testRelay(
  options: Pick<RelayOptions, 'db' | 'sink' | 'publishTimeoutMs'> & Partial<RelayOptions>,
): Relay {
  return createRelay({
    worker: `w_${Math.random().toString(36).slice(2, 8)}`,
    leaseMs: 60_000,
    random: () => 0.5,
    ...options,
  });
}

/**
 * Runs the relay until a pass relays nothing.
 *
 * @example
 * await relayUntilIdle(relay);
 */
export async function relayUntilIdle(relay: Relay, at = new Date()): Promise<void> {
  while ((await relay.run(at)) > 0) {}
}
