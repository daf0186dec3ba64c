/**
 * Shared setup of the delivery flow tests: a test database with one tenant,
 * a real receiver on 127.0.0.1, an injectable clock, and helpers to start
 * the bus and create endpoints and events. `clock` and the other bindings
 * are live: read them after `setupDeliveryFlow()` has run its hooks.
 */
import type { EventType } from '@clinicbridge/sdk/contract';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createEventBus, type EventBus } from '../../src/delivery/bus.ts';
import { deliveryConfig } from '../../src/delivery/config.ts';
import { createTargetGuard, type TargetGuard } from '../../src/delivery/ssrf.ts';
import type { ChangeContext } from '../../src/kernel/change.ts';
import { recordEvent } from '../../src/kernel/outbox.ts';
import { createEndpoint } from '../../src/webhook-endpoints/service.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { type Receiver, startReceiver } from './receiver.ts';

/** The test database of the current file. */
export let database: TestDatabase;
/** The receiver of the current file. */
export let receiver: Receiver;
/** The injected clock, in ms; change it with {@link setClock}. */
export let clock = Date.now();
/** The tenant every flow test writes to. */
export const tenantId = 'ten_deliveryflowtenant0000001';
/** The SSRF guard the tests create endpoints with (the receiver's host and port allowed). */
export let guard: TargetGuard;
let bus: EventBus | undefined;
const errors: unknown[] = [];

/**
 * Moves the injected clock.
 *
 * @example
 * setClock(clock + 5_000);
 */
export function setClock(ms: number): void {
  clock = ms;
}

/**
 * The change context of an operator at the current clock.
 *
 * @example
 * await retryDelivery(trx, change(), id);
 */
export const change = (): ChangeContext => ({
  tenantId,
  actor: { type: 'api_key', id: 'tok_test0000000000000000' },
  requestId: null,
  now: new Date(clock),
});

/**
 * Registers the hooks of a flow test file; call once at its top level.
 *
 * @example
 * setupDeliveryFlow();
 */
export function setupDeliveryFlow(): void {
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.db
      .insertInto('tenants')
      .values({ id: tenantId, name: 'Flow clinic', created_at: new Date() })
      .execute();
    receiver = await startReceiver();
    guard = createTargetGuard({ allowlist: [new URL(receiver.url).host] });
  });
  afterAll(async () => {
    await receiver.close();
    await database.close();
  });
  beforeEach(async () => {
    clock = Date.now();
    receiver.received.length = 0;
    receiver.respond = () => 200;
    await database.db.deleteFrom('webhook_endpoints').execute();
  });
  afterEach(async () => {
    expect(errors).toEqual([]);
    await bus?.close();
    bus = undefined;
  });
}

/**
 * Starts the bus on the injected clock, jitter at its midpoint (delays exactly as scheduled).
 *
 * @example
 * const b = await startBus({ WEBHOOK_RETRY_SCHEDULE: '1s,2s' });
 */
export async function startBus(env: Record<string, string> = {}): Promise<EventBus> {
  bus = await createEventBus({
    database,
    config: deliveryConfig.parse({
      WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host,
      WEBHOOK_TIMEOUT_MS: '500',
      ...env,
    }),
    now: () => clock,
    random: () => 0.5,
    listen: false,
    onError: (error) => {
      errors.push(error);
    },
  });
  return bus;
}

/**
 * Creates an endpoint at `receiver.url + path`; the receiver verifies with its secret.
 *
 * @example
 * const endpoint = await newEndpoint('/hooks', ['appointment.created']);
 */
export async function newEndpoint(path: string, eventTypes: (EventType | '*')[] = ['*']) {
  const endpoint = await database.db
    .transaction()
    .execute((trx) =>
      createEndpoint(trx, change(), guard, { url: `${receiver.url}${path}`, eventTypes }),
    );
  receiver.secrets.set(path, [endpoint.secret]);
  return endpoint;
}

/**
 * Records `count` inventory events, one transaction each; resolves to their ids.
 *
 * @example
 * const ids = await recordPings(10);
 */
export async function recordPings(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = await database.db.transaction().execute((trx) =>
      recordEvent(trx, {
        tenantId,
        type: 'inventory.low_stock',
        entityType: 'inventory',
        entityId: `sku-${i}`,
        data: { sku: `sku-${i}`, onHand: i, threshold: 10 },
        occurredAt: new Date(clock),
      }),
    );
    ids.push(event.id);
  }
  return ids;
}
