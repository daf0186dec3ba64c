/**
 * Worker mode (`clinicbridge-server worker --queues …`): consumes the
 * notification queues and sends each intent once (worker-send.ts). Each
 * queue gets its own consumer with a prefetch bound, which is also how
 * many sends run at once; a message is acknowledged only after its send
 * committed, or after it was moved on: to `<queue>.retry` with a growing
 * per-message TTL after a transient provider failure (RabbitMQ hands it
 * back to the queue when the TTL runs out), or to `<queue>.dead` after the
 * last attempt or when it cannot be read. A lost broker connection is
 * reopened with back-off; unacknowledged messages go back to the queue.
 * `stop()` (SIGTERM) cancels the consumers, lets the sends in flight finish
 * and closes the connection.
 */

import type { ConsumeMessage } from 'amqplib';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../observability/logger.ts';
import {
  MAX_INTENT_BYTES,
  type NotificationIntent,
  NotificationIntentSchema,
  type NotificationQueue,
} from './intent.ts';
import type { NotificationQueueConfig } from './queue-config.ts';
import { connectQueues, type QueueConnection, queueNames } from './queues.ts';
import { type IntentSenders, type SendOutcome, sendIntentOnce } from './worker-send.ts';

/**
 * What a worker needs.
 *
 * @example
 * const worker = await startNotificationWorker({ db, queues: ['sms_notifications'], config, senders, logger });
 */
export interface NotificationWorkerOptions {
  readonly db: Kysely<DB>;
  readonly queues: readonly NotificationQueue[];
  readonly config: NotificationQueueConfig & { NOTIFICATIONS_QUEUE_URL: string };
  readonly senders: IntentSenders;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * Counts of what a worker did, by outcome (for its log line and tests).
 *
 * @example
 * worker.counts.sent; // 12
 */
export type WorkerCounts = Record<SendOutcome['kind'] | 'dead', number>;

/**
 * A running worker.
 *
 * @example
 * process.once('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
 */
export interface RunningWorker {
  readonly counts: WorkerCounts;
  stop(): Promise<void>;
}

/**
 * The wait before attempt `attempt + 1`: the configured delay, doubled per attempt, capped.
 *
 * @example
 * retryDelayMs(config, 1); // NOTIFICATIONS_WORKER_RETRY_DELAY
 */
export function retryDelayMs(config: NotificationQueueConfig, attempt: number): number {
  const delay = config.NOTIFICATIONS_WORKER_RETRY_DELAY * 2 ** Math.min(attempt - 1, 20);
  return Math.min(delay, config.NOTIFICATIONS_WORKER_RETRY_MAX_DELAY);
}

function attemptOf(message: ConsumeMessage): number {
  const value = Number(message.properties.headers?.['x-attempt'] ?? 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

function readIntent(
  message: ConsumeMessage,
  queue: NotificationQueue,
): NotificationIntent | string {
  if (message.content.byteLength > MAX_INTENT_BYTES) return `larger than ${MAX_INTENT_BYTES} bytes`;
  let json: unknown;
  try {
    json = JSON.parse(message.content.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  const parsed = NotificationIntentSchema.safeParse(json);
  if (!parsed.success) return 'not a version 1 notification intent';
  if (parsed.data.queue !== queue) return `an intent for ${parsed.data.queue}`;
  return parsed.data;
}

/**
 * Connects and starts consuming; resolves once every queue has its consumer.
 *
 * @example
 * const worker = await startNotificationWorker(options);
 */
export async function startNotificationWorker(
  options: NotificationWorkerOptions,
): Promise<RunningWorker> {
  const { config, logger } = options;
  const counts: WorkerCounts = {
    sent: 0,
    repeat: 0,
    not_sent: 0,
    deferred: 0,
    retry: 0,
    exhausted: 0,
    dead: 0,
  };
  let consumerTags: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let connection: QueueConnection | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const target = {
    url: config.NOTIFICATIONS_QUEUE_URL,
    prefix: config.NOTIFICATIONS_QUEUE_PREFIX,
    timeoutMs: config.NOTIFICATIONS_QUEUE_TIMEOUT,
  };

  async function moveOn(
    broker: QueueConnection,
    message: ConsumeMessage,
    queue: string,
    headers: Record<string, string | number>,
    expiration?: number,
  ) {
    await broker.send(queue, message.content, {
      messageId: message.properties.messageId ?? 'unknown',
      headers,
      ...(expiration === undefined ? {} : { expiration: String(expiration) }),
    });
  }

  async function handle(
    broker: QueueConnection,
    queue: NotificationQueue,
    message: ConsumeMessage,
  ) {
    const names = queueNames(config.NOTIFICATIONS_QUEUE_PREFIX, queue);
    const attempt = attemptOf(message);
    const intent = readIntent(message, queue);
    if (typeof intent === 'string') {
      logger.warn(
        { queue, messageId: message.properties.messageId, reason: intent },
        'notifications worker: unreadable intent dead-lettered',
      );
      await moveOn(broker, message, names.dead, { 'x-attempt': attempt, 'x-reason': intent });
      counts.dead += 1;
      broker.channel.ack(message);
      return;
    }
    const finalAttempt = attempt >= config.NOTIFICATIONS_WORKER_MAX_ATTEMPTS;
    let outcome: SendOutcome;
    try {
      outcome = await sendIntentOnce(options.db, intent, options.senders, {
        finalAttempt,
        ...(options.now ? { now: options.now } : {}),
      });
    } catch (error) {
      // The database or an unexpected fault: the next attempt may succeed.
      logger.warn(
        { err: error, queue, intentId: intent.intentId },
        'notifications worker: send failed',
      );
      outcome = { kind: 'retry', reason: 'error' };
    }
    counts[outcome.kind] += 1;
    logger.debug(
      { queue, intentId: intent.intentId, attempt, outcome: outcome.kind },
      'notifications worker: intent handled',
    );
    if (outcome.kind === 'exhausted' || (outcome.kind === 'retry' && finalAttempt)) {
      await moveOn(broker, message, names.dead, {
        'x-attempt': attempt,
        'x-reason': outcome.reason,
      });
      counts.dead += 1;
      logger.warn(
        { queue, intentId: intent.intentId, attempt },
        'notifications worker: intent dead-lettered after its last attempt',
      );
    } else if (outcome.kind === 'retry') {
      await moveOn(
        broker,
        message,
        names.retry,
        { 'x-attempt': attempt + 1, 'x-reason': outcome.reason },
        retryDelayMs(config, attempt),
      );
    }
    broker.channel.ack(message);
  }

  function track(work: Promise<void>) {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  async function open(): Promise<void> {
    const broker = await connectQueues(target);
    connection = broker;
    await broker.channel.prefetch(config.NOTIFICATIONS_WORKER_PREFETCH, false);
    const onLost = () => {
      if (stopping || connection !== broker) return;
      connection = undefined;
      logger.warn('notifications worker: lost the RabbitMQ connection; reconnecting');
      scheduleReconnect(1);
    };
    broker.model.on('close', onLost);
    broker.channel.on('close', onLost);
    consumerTags = [];
    for (const queue of options.queues) {
      const { consumerTag } = await broker.channel.consume(
        queueNames(config.NOTIFICATIONS_QUEUE_PREFIX, queue).main,
        (message) => {
          if (!message) return;
          track(
            handle(broker, queue, message).catch((error: unknown) => {
              // Not acknowledged: RabbitMQ redelivers it when this channel closes.
              logger.warn(
                { err: error, queue },
                'notifications worker: message left for redelivery',
              );
            }),
          );
        },
      );
      consumerTags.push(consumerTag);
    }
  }

  function scheduleReconnect(attempt: number) {
    const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
    reconnectTimer = setTimeout(() => {
      open().catch((error: unknown) => {
        logger.warn({ err: error }, 'notifications worker: RabbitMQ does not answer; retrying');
        if (!stopping) scheduleReconnect(attempt + 1);
      });
    }, delay);
  }

  await open();
  logger.info(
    { queues: options.queues, prefetch: config.NOTIFICATIONS_WORKER_PREFETCH },
    'notifications worker ready',
  );
  return {
    counts,
    async stop() {
      stopping = true;
      logger.info({ inFlight: inFlight.size }, 'notifications worker stopping');
      clearTimeout(reconnectTimer);
      const broker = connection;
      if (broker) {
        // No new deliveries; the prefetched ones not started go back to the queue on close.
        for (const tag of consumerTags) await broker.channel.cancel(tag).catch(() => undefined);
      }
      await Promise.allSettled([...inFlight]);
      await broker?.close();
      logger.info({ counts }, 'notifications worker stopped');
    },
  };
}
