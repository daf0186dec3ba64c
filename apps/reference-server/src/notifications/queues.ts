/**
 * The RabbitMQ side of the notification queues: each queue
 * (`<prefix>sms_notifications`, …) is durable and comes with two more, both
 * durable: `<queue>.retry`, where a failed send waits out its back-off (a
 * per-message TTL, then RabbitMQ dead-letters it back to the queue), and
 * `<queue>.dead`, where an intent lands after its last attempt or when it
 * cannot be read. The server and the workers declare the same three queues
 * with the same arguments, whichever starts first. Intents are published
 * persistent on a confirm channel, with the intent id as `messageId`; a
 * publish resolves only once the broker confirmed it.
 */
import { type Channel, type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import type { NotificationIntent, NotificationQueue } from './intent.ts';

/**
 * The three queue names of one notification queue.
 *
 * @example
 * queueNames('', 'sms_notifications'); // { main: 'sms_notifications', retry: 'sms_notifications.retry', dead: 'sms_notifications.dead' }
 */
export function queueNames(prefix: string, queue: NotificationQueue) {
  const main = `${prefix}${queue}`;
  return { main, retry: `${main}.retry`, dead: `${main}.dead` };
}

/**
 * Declares a queue with its retry and dead-letter queues (idempotent).
 *
 * @example
 * await assertNotificationQueue(channel, '', 'email_notifications');
 */
export async function assertNotificationQueue(
  channel: Channel,
  prefix: string,
  queue: NotificationQueue,
): Promise<void> {
  const names = queueNames(prefix, queue);
  await channel.assertQueue(names.main, { durable: true });
  await channel.assertQueue(names.dead, { durable: true });
  await channel.assertQueue(names.retry, {
    durable: true,
    deadLetterExchange: '',
    deadLetterRoutingKey: names.main,
  });
}

/**
 * Where intents are published.
 *
 * @example
 * const target: QueueTarget = { url: 'amqp://guest:guest@127.0.0.1:5672', prefix: '', timeoutMs: 5_000 };
 */
export interface QueueTarget {
  readonly url: string;
  readonly prefix: string;
  /** Bound on connecting and on each publisher confirm. */
  readonly timeoutMs: number;
}

/**
 * A confirming connection to RabbitMQ with the notification queues declared.
 *
 * @example
 * const broker = await connectQueues(target);
 * await broker.send('sms_notifications', Buffer.from('{}'), { messageId: 'ntf_1' });
 */
export interface QueueConnection {
  readonly model: ChannelModel;
  readonly channel: ConfirmChannel;
  /** Publishes to one of `<queue>`, `<queue>.retry`, `<queue>.dead` and waits for the confirm. */
  send(queue: string, body: Buffer, options: PublishOptions): Promise<void>;
  /** The error that broke the connection, once it broke. */
  lost(): Error | undefined;
  close(): Promise<void>;
}

/**
 * Publish options the queues use.
 *
 * @example
 * const options: PublishOptions = { messageId: 'ntf_1', headers: { 'x-attempt': 2 }, expiration: '10000' };
 */
export interface PublishOptions {
  readonly messageId: string;
  readonly headers?: Record<string, string | number>;
  /** Per-message TTL in ms (the back-off in `<queue>.retry`). */
  readonly expiration?: string;
}

/**
 * Connects, declares every notification queue and resolves to a confirming connection.
 *
 * @example
 * const broker = await connectQueues({ url, prefix: '', timeoutMs: 5_000 });
 */
export async function connectQueues(target: QueueTarget): Promise<QueueConnection> {
  const connecting = connect(target.url, { timeout: target.timeoutMs });
  let model: ChannelModel;
  try {
    model = await withTimeout(connecting, target.timeoutMs, 'connecting');
  } catch (error) {
    connecting.then((late) => late.close()).catch(() => undefined);
    throw error;
  }
  let lost: Error | undefined;
  const lose = (error?: Error) => {
    lost ??= error ?? new Error('the RabbitMQ connection closed');
  };
  model.on('error', lose);
  model.on('close', lose);
  let channel: ConfirmChannel;
  try {
    channel = await withTimeout(
      (async () => {
        const confirming = await model.createConfirmChannel();
        for (const queue of [
          'email_notifications',
          'sms_notifications',
          'push_notifications',
        ] as const)
          await assertNotificationQueue(confirming, target.prefix, queue);
        return confirming;
      })(),
      target.timeoutMs,
      'declaring the notification queues',
    );
  } catch (error) {
    await model.close().catch(() => undefined);
    throw error;
  }
  channel.on('error', lose);
  channel.on('close', () => lose(new Error('the RabbitMQ channel closed')));
  return {
    model,
    channel,
    lost: () => lost,
    async send(queue, body, options) {
      if (lost) throw lost;
      const confirmed = new Promise<void>((resolve, reject) => {
        channel.sendToQueue(
          queue,
          body,
          {
            persistent: true,
            contentType: 'application/json',
            messageId: options.messageId,
            ...(options.headers ? { headers: options.headers } : {}),
            ...(options.expiration ? { expiration: options.expiration } : {}),
          },
          (error: unknown) =>
            error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      });
      await withTimeout(confirmed, target.timeoutMs, 'waiting for the publisher confirm');
    },
    async close() {
      lost ??= new Error('closed');
      await model.close().catch(() => undefined);
    },
  };
}

/**
 * Publishes intents, connecting on first use and again after a lost connection.
 *
 * @example
 * const publisher = intentPublisher(target);
 * await publisher.publish(intent);
 */
export interface IntentPublisher {
  publish(intent: NotificationIntent): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates the server's intent publisher.
 *
 * @example
 * const publisher = intentPublisher({ url: config.NOTIFICATIONS_QUEUE_URL, prefix: '', timeoutMs: 5_000 });
 */
export function intentPublisher(target: QueueTarget): IntentPublisher {
  let connection: Promise<QueueConnection> | undefined;
  // One connection attempt shared by concurrent publishes; a failed or lost
  // one is replaced on the next publish.
  const connected = async (): Promise<QueueConnection> => {
    const pending = connection;
    if (pending) {
      const current = await pending.catch(() => undefined);
      if (current && !current.lost()) return current;
      if (connection === pending) {
        connection = undefined;
        void current?.close();
      }
      if (connection) return connected();
    }
    connection = connectQueues(target);
    return connection;
  };
  return {
    async publish(intent) {
      try {
        const broker = await connected();
        await broker.send(
          queueNames(target.prefix, intent.queue).main,
          Buffer.from(JSON.stringify(intent)),
          { messageId: intent.intentId, headers: { 'x-attempt': 1 } },
        );
      } catch (error) {
        // The handling is retried; the operator sees this on the subscriber's inbox row.
        throw new Error(
          `RabbitMQ did not take the notification intent (check NOTIFICATIONS_QUEUE_URL): ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
        );
      }
    },
    async close() {
      const current = connection ? await connection.catch(() => undefined) : undefined;
      connection = undefined;
      await current?.close();
    },
  };
}

/**
 * Races `promise` against a timer; the error names what did not answer.
 *
 * @example
 * await withTimeout(channel.assertQueue('q'), 5_000, 'declaring the queue');
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
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
