/**
 * Configuration of the outbox relay to NATS JetStream and RabbitMQ. Each
 * sink is off unless its URL (`RELAY_NATS_URL`, `RELAY_RABBITMQ_URL`) is set.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The relay's section of the environment.
 *
 * @example
 * relayConfig.parse({ RELAY_NATS_URL: 'nats://127.0.0.1:4222' }).RELAY_NATS_STREAM; // 'CLINICBRIDGE_EVENTS'
 */
export const relayConfig = z.object({
  /** NATS server(s), comma-separated; the relay is off when unset. */
  RELAY_NATS_URL: z.string().min(1).optional(),
  /** The JetStream stream the relay creates (or updates) on start. */
  RELAY_NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be letters, digits, - or _')
    .default('CLINICBRIDGE_EVENTS'),
  /** First token of every subject: `<prefix>.<tenantId>.<event type>`. */
  RELAY_NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be one subject token: letters, digits, - or _')
    .default('clinicbridge'),
  /** The stream's duplicate window: a repeat of an event id inside it is dropped. */
  RELAY_NATS_DUPLICATE_WINDOW: durationMs('2m'),
  /** RabbitMQ broker (`amqp://user:password@host:5672/vhost`); the RabbitMQ relay is off when unset. */
  RELAY_RABBITMQ_URL: z.string().min(1).optional(),
  /** The durable topic exchange the relay declares and publishes to (`<tenantId>.<event type>` keys). */
  RELAY_RABBITMQ_EXCHANGE: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,127}$/, 'must be letters, digits, ., :, - or _')
    .default('clinicbridge.events'),
  /** Publish a pseudonymised copy of analytics events (user_events, system_metrics, business_metrics) on analytics subjects. */
  RELAY_ANALYTICS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** First token of the NATS analytics subjects: `<prefix>.<category>.<tenantId>.<event type>`. */
  RELAY_ANALYTICS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be one subject token: letters, digits, - or _')
    .default('clinicbridge_analytics'),
  /** The durable topic exchange of the RabbitMQ analytics copies (`<category>.<tenantId>.<event type>` keys). */
  RELAY_RABBITMQ_ANALYTICS_EXCHANGE: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,127}$/, 'must be letters, digits, ., :, - or _')
    .default('clinicbridge.analytics'),
  /** Payload of the analytics copies: JSON, or Avro in the schema-registry wire format. */
  RELAY_ANALYTICS_FORMAT: z.enum(['json', 'avro']).default('json'),
  /** The registry id of the analytics Avro schema, written into every Avro payload (required with `avro`). */
  RELAY_ANALYTICS_AVRO_SCHEMA_ID: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
  /** How long one process holds a tenant's unrelayed events before another may take them. */
  RELAY_LEASE: durationMs('60s'),
  /** Marks of relayed events older than this are deleted, hourly (the backlog never is). */
  RELAY_RETENTION: durationMs('7d'),
});

/**
 * The parsed relay section.
 *
 * @example
 * const config: RelayConfig = relayConfig.parse(process.env);
 */
export type RelayConfig = z.infer<typeof relayConfig>;
