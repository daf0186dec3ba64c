/**
 * What the relay core publishes to: a sink is a broker (NATS JetStream,
 * RabbitMQ) the relay connects to, publishes one event at a time to, and
 * waits on for the broker's acknowledgement. The core (claims, marks,
 * leases, back-off, alerts) is the same for every sink; each sink keeps its
 * own marks, so an event relayed to one broker and not yet to another is
 * retried only for the other.
 */
import type { AnalyticsCategory } from '../analytics/pseudonymiser.ts';

/**
 * One event as the relay hands it to a sink: the routing parts and the
 * webhook envelope as the body.
 *
 * @example
 * const message: RelayMessage = { id: 'evt_1', tenantId: 'ten_1', type: 'appointment.created', body: '{"id":"evt_1",…}' };
 */
export interface RelayMessage {
  /** The event id: the broker's message id, for duplicate detection and consumers' inboxes. */
  readonly id: string;
  readonly tenantId: string;
  /** The dotted event type (`appointment.created`). */
  readonly type: string;
  /** The JSON envelope, the same as a webhook delivery's body; or the analytics copy's payload. */
  readonly body: string | Uint8Array;
  /**
   * Set on the pseudonymised analytics copy of an event (see `analytics.ts`):
   * the sink publishes it on its analytics subject or exchange, under the
   * category, with this content type; `id` is then the event's pseudonym.
   */
  readonly analytics?: {
    readonly category: AnalyticsCategory;
    readonly contentType: string;
  };
}

/**
 * A live connection to a sink; `publish` resolves once the broker acknowledged the message.
 *
 * @example
 * const ack = await connection.publish(message); // { duplicate: false }
 */
export interface SinkConnection {
  publish(message: RelayMessage): Promise<{ duplicate: boolean }>;
  close(): Promise<void>;
}

/**
 * A broker the relay publishes to.
 *
 * @example
 * const sink: RelaySink = { name: 'nats', label: 'NATS JetStream', connect: () => connectJetStream(target) };
 */
export interface RelaySink {
  /** The key of this sink's marks and leases in the database, and its metrics label. */
  readonly name: RelaySinkName;
  /** How alerts name the broker (`NATS JetStream`, `RabbitMQ`). */
  readonly label: string;
  /** The configuration variable an operator checks when the broker is down. */
  readonly setting: string;
  /** Connects, declares what the relay publishes to, and resolves to a connection. */
  connect(): Promise<SinkConnection>;
}

/**
 * The sinks the relay knows; stored in `relay_events.sink` and `relay_tenants.sink`.
 *
 * @example
 * const name: RelaySinkName = 'rabbitmq';
 */
export type RelaySinkName = 'nats' | 'rabbitmq';
