/**
 * The outbox relay feature: publishes every recorded event to NATS
 * JetStream (`<prefix>.<tenantId>.<event type>`) and/or RabbitMQ (a topic
 * exchange, routing key `<tenantId>.<event type>`) with the webhook
 * envelope, one scheduler job per configured sink. Each sink is off unless
 * its URL is set; with none set the feature marks nothing, runs nothing and
 * connects to nothing. Events recorded while a sink is off are not relayed
 * to it later.
 */
import { randomUUID } from 'node:crypto';
import { analyticsConfig } from '../analytics/config.ts';
import { serverPseudonymiser } from '../analytics/pseudonymiser.ts';
import { ConfigError } from '../config/index.ts';
import { type AppContext, type Feature, readSection } from '../feature.ts';
import { schedulerConfig } from '../scheduler/config.ts';
import { analyticsCopy } from './analytics.ts';
import { markForRelay } from './claims.ts';
import { type RelayConfig, relayConfig } from './config.ts';
import { jetStreamSink } from './jetstream.ts';
import { registerRelayMetrics } from './metrics.ts';
import { relayMigrations } from './migrations.ts';
import { rabbitMqSink } from './rabbitmq.ts';
import { createRelay, type Relay, type RelayOptions } from './relay.ts';
import { relayRetentionJob } from './retention.ts';
import type { RelaySink } from './sink.ts';

/** Bound on connecting to a broker and on each publish acknowledgement. */
const TIMEOUT_MS = 5_000;

/**
 * Options of {@link relayFeature}; by default everything comes from the server's configuration.
 *
 * @example
 * relayFeature({ backoffMs: { first: 100, max: 1_000 } });
 */
export interface RelayFeatureOptions {
  readonly backoffMs?: RelayOptions['backoffMs'];
}

/**
 * The sinks the configuration turns on.
 *
 * @example
 * configuredSinks(relayConfig.parse({ RELAY_RABBITMQ_URL: 'amqp://127.0.0.1' })).map((s) => s.name); // ['rabbitmq']
 */
export function configuredSinks(config: RelayConfig): RelaySink[] {
  const sinks: RelaySink[] = [];
  const analytics = config.RELAY_ANALYTICS;
  if (config.RELAY_NATS_URL)
    sinks.push(
      jetStreamSink({
        servers: config.RELAY_NATS_URL,
        stream: config.RELAY_NATS_STREAM,
        subjectPrefix: config.RELAY_NATS_SUBJECT_PREFIX,
        duplicateWindowMs: config.RELAY_NATS_DUPLICATE_WINDOW,
        analyticsSubjectPrefix: analytics ? config.RELAY_ANALYTICS_SUBJECT_PREFIX : undefined,
        timeoutMs: TIMEOUT_MS,
      }),
    );
  if (config.RELAY_RABBITMQ_URL)
    sinks.push(
      rabbitMqSink({
        url: config.RELAY_RABBITMQ_URL,
        exchange: config.RELAY_RABBITMQ_EXCHANGE,
        analyticsExchange: analytics ? config.RELAY_RABBITMQ_ANALYTICS_EXCHANGE : undefined,
        timeoutMs: TIMEOUT_MS,
      }),
    );
  return sinks;
}

/**
 * Refuses analytics settings that cannot work: Avro without a schema id,
 * or analytics subjects or exchange equal to the events' own.
 *
 * @example
 * checkAnalyticsConfig(relayConfig.parse({ RELAY_ANALYTICS: 'true', RELAY_ANALYTICS_FORMAT: 'avro' })); // throws ConfigError
 */
export function checkAnalyticsConfig(config: RelayConfig): void {
  if (!config.RELAY_ANALYTICS) return;
  const issues: string[] = [];
  if (
    config.RELAY_ANALYTICS_FORMAT === 'avro' &&
    config.RELAY_ANALYTICS_AVRO_SCHEMA_ID === undefined
  )
    issues.push(
      'RELAY_ANALYTICS_AVRO_SCHEMA_ID: required when RELAY_ANALYTICS_FORMAT=avro (the id your schema registry gave the analytics schema)',
    );
  if (config.RELAY_ANALYTICS_SUBJECT_PREFIX === config.RELAY_NATS_SUBJECT_PREFIX)
    issues.push('RELAY_ANALYTICS_SUBJECT_PREFIX: must differ from RELAY_NATS_SUBJECT_PREFIX');
  if (config.RELAY_RABBITMQ_ANALYTICS_EXCHANGE === config.RELAY_RABBITMQ_EXCHANGE)
    issues.push('RELAY_RABBITMQ_ANALYTICS_EXCHANGE: must differ from RELAY_RABBITMQ_EXCHANGE');
  if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * The relay feature.
 *
 * @example
 * const features: Feature[] = [...serverFeatures(), relayFeature()];
 */
export function relayFeature(options: RelayFeatureOptions = {}): Feature {
  let relays: Relay[] | undefined;
  let sinkNames: RelaySink['name'][] = [];
  const buildRelays = (context: AppContext): Relay[] => {
    if (relays) return relays;
    const config = readSection(context.config, relayConfig);
    checkAnalyticsConfig(config);
    const sinks = configuredSinks(config);
    const copy =
      config.RELAY_ANALYTICS && sinks.length > 0
        ? analyticsCopy({
            pseudonymiser: serverPseudonymiser(
              context.db,
              readSection(context.config, analyticsConfig).ANALYTICS_PSEUDONYM_KEY,
            ),
            format: config.RELAY_ANALYTICS_FORMAT,
            avroSchemaId: config.RELAY_ANALYTICS_AVRO_SCHEMA_ID,
          })
        : undefined;
    const worker = `relay_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const counterOf =
      sinks.length > 0 ? registerRelayMetrics(context.metrics.registry, context.db) : undefined;
    relays = sinks.map((sink) =>
      createRelay({
        db: context.db,
        worker,
        sink,
        leaseMs: config.RELAY_LEASE,
        ...(copy ? { analyticsCopy: copy } : {}),
        publishTimeoutMs: TIMEOUT_MS,
        ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
        onError: (error) =>
          context.logger.warn({ err: error, sink: sink.name }, 'relay: broker unavailable'),
        ...(counterOf ? { onPublished: counterOf(sink.name) } : {}),
      }),
    );
    sinkNames = sinks.map((sink) => sink.name);
    return relays;
  };
  return {
    name: 'relay',
    tables: ['relay_events', 'relay_tenants', 'relay_consumer_inbox'],
    migrations: relayMigrations,
    config: relayConfig,
    // Marks events only for the sinks that run in this process (jobs() built them).
    fanOut: (trx, ids, now) => markForRelay(trx, ids, now, sinkNames),
    async start(context) {
      // Declare each stream or exchange when the server starts; a broker that
      // is down now is retried by its job with back-off (and alerted once).
      // Processes that run no background work (WEBHOOK_DISPATCHER=false) never relay.
      if (!readSection(context.config, schedulerConfig).WEBHOOK_DISPATCHER) return;
      const now = context.now();
      await Promise.all(buildRelays(context).map((relay) => relay.connectNow(now)));
    },
    jobs(context) {
      const built = buildRelays(context);
      if (built.length === 0) return [];
      const { RELAY_RETENTION } = readSection(context.config, relayConfig);
      return [
        ...built.map((relay) => (now: Date) => relay.run(now)),
        relayRetentionJob(context.db, RELAY_RETENTION),
      ];
    },
    async stop() {
      await Promise.all((relays ?? []).map((relay) => relay.close()));
      relays = undefined;
      sinkNames = [];
    },
  };
}
