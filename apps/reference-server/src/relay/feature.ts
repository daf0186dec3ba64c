/**
 * The outbox relay feature: publishes every recorded event to NATS
 * JetStream on `<prefix>.<tenantId>.<event type>` with the webhook
 * envelope, as a scheduler job. Off unless `RELAY_NATS_URL` is set: then it
 * marks nothing, runs nothing and connects to nothing. Events recorded
 * while it is off are not relayed later.
 */
import { randomUUID } from 'node:crypto';
import { type AppContext, type Feature, readSection } from '../feature.ts';
import { schedulerConfig } from '../scheduler/config.ts';
import { markForRelay } from './claims.ts';
import { relayConfig } from './config.ts';
import { connectJetStream, type RelayPublisher } from './jetstream.ts';
import { registerRelayMetrics } from './metrics.ts';
import { relayMigrations } from './migrations.ts';
import { createRelay, type Relay, type RelayOptions } from './relay.ts';
import { relayRetentionJob } from './retention.ts';

/** Bound on connecting to the broker and on each publish acknowledgement. */
const TIMEOUT_MS = 5_000;

/**
 * Options of {@link relayFeature}; by default everything comes from the server's configuration.
 *
 * @example
 * relayFeature({ connect: () => connectJetStream(target) });
 */
export interface RelayFeatureOptions {
  /** Replaces the JetStream connection (tests). */
  readonly connect?: () => Promise<RelayPublisher>;
  readonly backoffMs?: RelayOptions['backoffMs'];
}

/**
 * The relay feature.
 *
 * @example
 * const features: Feature[] = [...serverFeatures(), relayFeature()];
 */
export function relayFeature(options: RelayFeatureOptions = {}): Feature {
  let relay: Relay | undefined;
  const buildRelay = (context: AppContext): Relay | undefined => {
    if (relay) return relay;
    const config = readSection(context.config, relayConfig);
    const servers = config.RELAY_NATS_URL;
    if (!servers) return undefined;
    relay = createRelay({
      db: context.db,
      worker: `relay_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      connect:
        options.connect ??
        (() =>
          connectJetStream({
            servers,
            stream: config.RELAY_NATS_STREAM,
            subjectPrefix: config.RELAY_NATS_SUBJECT_PREFIX,
            duplicateWindowMs: config.RELAY_NATS_DUPLICATE_WINDOW,
            timeoutMs: TIMEOUT_MS,
          })),
      subjectPrefix: config.RELAY_NATS_SUBJECT_PREFIX,
      leaseMs: config.RELAY_LEASE,
      publishTimeoutMs: TIMEOUT_MS,
      ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
      onError: (error) => context.logger.warn({ err: error }, 'relay: broker unavailable'),
      onPublished: registerRelayMetrics(context.metrics.registry, context.db),
    });
    return relay;
  };
  return {
    name: 'relay',
    tables: ['relay_events', 'relay_tenants'],
    migrations: relayMigrations,
    config: relayConfig,
    // Marks events only while the relay runs in this process (jobs() built it).
    fanOut: (trx, ids, now) => (relay ? markForRelay(trx, ids, now) : Promise.resolve()),
    async start(context) {
      // Ensure the stream when the server starts; a broker that is down now
      // is retried by the job with back-off (and alerted once).
      // Processes that run no background work (WEBHOOK_DISPATCHER=false) never relay.
      if (!readSection(context.config, schedulerConfig).WEBHOOK_DISPATCHER) return;
      await buildRelay(context)?.connectNow(context.now());
    },
    jobs(context) {
      const built = buildRelay(context);
      if (!built) return [];
      const { RELAY_RETENTION } = readSection(context.config, relayConfig);
      return [(now: Date) => built.run(now), relayRetentionJob(context.db, RELAY_RETENTION)];
    },
    async stop() {
      await relay?.close();
      relay = undefined;
    },
  };
}
