/**
 * The relay job, one per sink (NATS JetStream, RabbitMQ): on each scheduler
 * pass it leases tenants with events not yet relayed to its sink, publishes each tenant's events one after another in outbox order
 * (tenants side by side), marks an event relayed only after the broker's
 * acknowledgement, and releases the tenants. A crash between publish and
 * mark publishes the event again (JetStream drops the repeat by its
 * `Nats-Msg-Id`; RabbitMQ consumers drop it by `messageId` in an inbox). When the broker fails, the relay stops
 * that tenant at the failed event (so nothing is reordered or lost), backs
 * off exponentially with jitter, and raises one operator alert per outage,
 * resolved when publishing works again.
 */
import { type Kysely, sql } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';
import { envelopeBody } from '../delivery/worker.ts';
import {
  claimRelayTenants,
  markRelayed,
  type RelayRow,
  releaseRelayTenants,
  unrelayedEvents,
} from './claims.ts';
import type { PublishOutcome } from './metrics.ts';
import type { RelayMessage, RelaySink, SinkConnection } from './sink.ts';

/** The kind of the operator alert raised while the broker is unreachable. */
export const RELAY_ALERT_KIND = 'relay_broker_unavailable';

/**
 * Options of {@link createRelay}.
 *
 * @example
 * createRelay({ db, worker: 'w1', sink: jetStreamSink(target), leaseMs: 60_000, publishTimeoutMs: 5_000 });
 */
export interface RelayOptions {
  readonly db: Kysely<DB>;
  /** This process's id in the tenant leases. */
  readonly worker: string;
  /** The broker this relay publishes to; its marks and leases are its own. */
  readonly sink: RelaySink;
  readonly leaseMs: number;
  /** Bound on one publish acknowledgement; a publish starts only while the lease covers it. */
  readonly publishTimeoutMs: number;
  /** Tenants leased per pass (default 16) and events per tenant per pass (default 100). */
  readonly tenantsPerPass?: number;
  readonly eventsPerTenant?: number;
  /** Back-off after a failure: first and longest wait (default 1 s and 60 s). */
  readonly backoffMs?: { readonly first: number; readonly max: number };
  /** Uniform random in [0, 1) for jitter (injectable for tests). */
  readonly random?: () => number;
  readonly onError?: (error: unknown) => void;
  /** Called with the outcome of every publish (metrics). */
  readonly onPublished?: (outcome: PublishOutcome) => void;
  /** The pseudonymised analytics copy of an event, published right after it (`analytics.ts`). */
  readonly analyticsCopy?: (row: RelayRow) => RelayMessage | undefined;
}

/**
 * A relay: `run` is the scheduler job, `close` drops the connection.
 *
 * @example
 * const relayed = await relay.run(new Date()); await relay.close();
 */
export interface Relay {
  /** One pass; resolves to the number of events relayed (0 while backing off). */
  run(now: Date): Promise<number>;
  /** Connects and declares the sink's stream or exchange now (the feature's start); false when the broker is down. */
  connectNow(now: Date): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Creates the relay.
 *
 * @example
 * const relay = createRelay(options);
 * const job: BusJob = (now) => relay.run(now);
 */
export function createRelay(options: RelayOptions): Relay {
  const random = options.random ?? Math.random;
  const backoff = options.backoffMs ?? { first: 1_000, max: 60_000 };
  const { sink } = options;
  let publisher: SinkConnection | undefined;
  let failures = 0;
  let retryAt = 0;
  let alerted = false;

  const dropPublisher = async () => {
    const current = publisher;
    publisher = undefined;
    await current?.close().catch(() => undefined);
  };

  const failed = async (error: unknown, now: Date) => {
    options.onError?.(error);
    await dropPublisher();
    failures += 1;
    const wait = Math.min(backoff.max, backoff.first * 2 ** (failures - 1));
    retryAt = now.getTime() + Math.round(wait * (0.5 + random() / 2));
    if (alerted) return;
    alerted = true;
    await raiseAlert(options.db, {
      tenantId: null,
      kind: RELAY_ALERT_KIND,
      message: `The event relay cannot publish to ${sink.label}; events wait in the outbox and are relayed when the broker answers again. Check ${sink.setting} and the broker.`,
      details: {
        sink: sink.name,
        worker: options.worker,
        error: describe(error),
        retryAt: new Date(retryAt),
      },
      now,
    }).catch((alertError: unknown) => options.onError?.(alertError));
  };

  const succeeded = async (now: Date) => {
    failures = 0;
    retryAt = 0;
    if (!alerted) return;
    alerted = false;
    await options.db
      .updateTable('operator_alerts')
      .set({ resolved_at: now })
      .where('kind', '=', RELAY_ALERT_KIND)
      .where('resolved_at', 'is', null)
      .where(sql<boolean>`details->>'sink' = ${sink.name}`)
      .execute();
  };

  let connecting: Promise<SinkConnection> | undefined;
  // Single flight: the start's connection and a pass's never open two.
  const ensureConnected = async (): Promise<SinkConnection> => {
    if (publisher) return publisher;
    connecting ??= sink.connect().finally(() => {
      connecting = undefined;
    });
    publisher = await connecting;
    return publisher;
  };

  // Publishes one tenant's events in order; stops at the first failure or
  // when the lease no longer covers a publish. Returns the acknowledged ids.
  const publishTenant = async (
    target: SinkConnection,
    rows: readonly RelayRow[],
    leaseUntil: number,
  ): Promise<{ acked: string[]; error?: unknown }> => {
    const acked: string[] = [];
    for (const row of rows) {
      if (Date.now() + options.publishTimeoutMs >= leaseUntil) break;
      try {
        const ack = await target.publish({
          id: row.event_id,
          tenantId: row.tenant_id,
          type: row.event_type,
          body: envelopeBody(row),
        });
        options.onPublished?.(ack.duplicate ? 'duplicate' : 'relayed');
        // The copy goes before the tenant's next event; a failure here leaves
        // the event unmarked, so both are published again (the envelope as a
        // duplicate by its id).
        const copy = options.analyticsCopy?.(row);
        if (copy) await target.publish(copy);
      } catch (error) {
        options.onPublished?.('failed');
        return { acked, error };
      }
      acked.push(row.event_id);
    }
    return { acked };
  };

  return {
    async run(now) {
      if (now.getTime() < retryAt) return 0;
      let target: SinkConnection;
      try {
        target = await ensureConnected();
      } catch (error) {
        await failed(error, now);
        return 0;
      }
      const tenants = await claimRelayTenants(options.db, {
        sink: sink.name,
        worker: options.worker,
        limit: options.tenantsPerPass ?? 16,
        now,
        leaseMs: options.leaseMs,
      });
      if (tenants.length === 0) return 0;
      // The lease is checked against the wall clock: publishing takes real time.
      const leaseUntil = Date.now() + options.leaseMs;
      try {
        const rows = await unrelayedEvents(
          options.db,
          sink.name,
          tenants,
          options.eventsPerTenant ?? 100,
        );
        const byTenant = new Map<string, RelayRow[]>();
        for (const row of rows) {
          const list = byTenant.get(row.tenant_id) ?? [];
          list.push(row);
          byTenant.set(row.tenant_id, list);
        }
        const results = await Promise.all(
          [...byTenant.values()].map((list) => publishTenant(target, list, leaseUntil)),
        );
        const acked = results.flatMap((result) => result.acked);
        await markRelayed(options.db, sink.name, acked, now);
        const failure = results.find((result) => 'error' in result);
        if (failure) await failed(failure.error, now);
        else await succeeded(now);
        return acked.length;
      } finally {
        await releaseRelayTenants(options.db, sink.name, options.worker, tenants);
      }
    },
    async connectNow(now) {
      try {
        await ensureConnected();
        return true;
      } catch (error) {
        await failed(error, now);
        return false;
      }
    },
    close: dropPublisher,
  };
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 300);
}
