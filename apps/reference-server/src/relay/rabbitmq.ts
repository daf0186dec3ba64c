/**
 * The RabbitMQ side of the relay: connects, declares a durable topic
 * exchange and publishes each event on a confirm channel, persistent, with
 * the event id as `messageId`, resolving only when the broker confirmed it.
 * The routing key is `<tenantId>.<event type>`, so a queue binds to
 * `*.payment.#` (every tenant's payment events), `ten_4f2c….#` (one tenant)
 * or `#` (everything). RabbitMQ drops no repeats by id: consumers that must
 * not act twice keep an inbox keyed by the message id (see consumer-inbox.ts).
 */
import { type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import type { RelaySink, SinkConnection } from './sink.ts';

/**
 * Where and how the relay publishes to RabbitMQ.
 *
 * @example
 * const target: RabbitMqTarget = { url: 'amqp://guest:guest@127.0.0.1:5672', exchange: 'clinicbridge.events', timeoutMs: 5_000 };
 */
export interface RabbitMqTarget {
  /** `amqp://user:password@host:port/vhost` (or `amqps://`). */
  readonly url: string;
  /** The topic exchange the relay declares (durable) and publishes to. */
  readonly exchange: string;
  /** The topic exchange of analytics copies (`<category>.<tenantId>.<event type>` keys); set when they are on. */
  readonly analyticsExchange?: string | undefined;
  /** Bound on connecting and on each publisher confirm. */
  readonly timeoutMs: number;
}

/**
 * The routing key of an event: `<tenantId>.<event type>`.
 *
 * @example
 * rabbitMqRoutingKey('ten_1', 'appointment.created'); // 'ten_1.appointment.created'
 */
export function rabbitMqRoutingKey(tenantId: string, eventType: string): string {
  return `${tenantId}.${eventType}`;
}

/**
 * Connects, declares the exchange and resolves to a confirming connection; throws when the broker does not answer.
 *
 * @example
 * const connection = await connectRabbitMq(target);
 * await connection.publish({ id: 'evt_1', tenantId: 'ten_1', type: 'appointment.created', body: '{}' });
 */
export async function connectRabbitMq(target: RabbitMqTarget): Promise<SinkConnection> {
  const connecting = connect(target.url, { timeout: target.timeoutMs });
  let model: ChannelModel;
  try {
    model = await withTimeout(connecting, target.timeoutMs, 'connecting');
  } catch (error) {
    // A connection that opens after the timeout is closed, never leaked.
    connecting.then((late) => late.close()).catch(() => undefined);
    throw error;
  }
  // A lost connection or channel fails every later publish at once; the
  // relay then drops this connection, backs off and connects again itself.
  let lost: Error | undefined;
  const lose = (error?: Error) => {
    lost ??= error ?? new Error('the RabbitMQ connection closed');
  };
  model.on('error', lose);
  model.on('close', lose);
  let channel: ConfirmChannel;
  try {
    channel = await withTimeout(
      declare(model, target.exchange, target.analyticsExchange),
      target.timeoutMs,
      'declaring the exchange',
    );
  } catch (error) {
    await model.close().catch(() => undefined);
    throw error;
  }
  channel.on('error', lose);
  channel.on('close', () => lose(new Error('the RabbitMQ channel closed')));
  return {
    async publish(message) {
      if (lost) throw lost;
      const analytics = message.analytics;
      if (analytics && !target.analyticsExchange)
        throw new Error('analytics copies need RELAY_RABBITMQ_ANALYTICS_EXCHANGE');
      const confirmed = new Promise<void>((resolve, reject) => {
        channel.publish(
          analytics ? (target.analyticsExchange ?? '') : target.exchange,
          analytics
            ? `${analytics.category}.${rabbitMqRoutingKey(message.tenantId, message.type)}`
            : rabbitMqRoutingKey(message.tenantId, message.type),
          typeof message.body === 'string' ? Buffer.from(message.body) : Buffer.from(message.body),
          {
            persistent: true,
            messageId: message.id,
            contentType: analytics ? analytics.contentType : 'application/json',
            type: message.type,
            headers: { 'x-tenant-id': message.tenantId },
          },
          (error: unknown) =>
            error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      });
      await withTimeout(confirmed, target.timeoutMs, 'waiting for the publisher confirm');
      return { duplicate: false };
    },
    async close() {
      lost ??= new Error('closed');
      await model.close().catch(() => undefined);
    },
  };
}

async function declare(
  model: ChannelModel,
  exchange: string,
  analyticsExchange: string | undefined,
): Promise<ConfirmChannel> {
  const channel = await model.createConfirmChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  if (analyticsExchange)
    await channel.assertExchange(analyticsExchange, 'topic', { durable: true });
  return channel;
}

/**
 * The RabbitMQ sink of the relay.
 *
 * @example
 * const relay = createRelay({ ...options, sink: rabbitMqSink(target) });
 */
export function rabbitMqSink(target: RabbitMqTarget): RelaySink {
  return {
    name: 'rabbitmq',
    label: 'RabbitMQ',
    setting: 'RELAY_RABBITMQ_URL',
    connect: () => connectRabbitMq(target),
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`RabbitMQ did not answer ${what} within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
