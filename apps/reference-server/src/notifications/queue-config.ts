/**
 * Configuration of the notification queues. Off unless
 * `NOTIFICATIONS_QUEUE_URL` is set: then the notifications feature
 * publishes send intents to RabbitMQ instead of calling providers itself,
 * and `clinicbridge-server worker --queues …` sends them.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The `NOTIFICATIONS_*` queue variables.
 *
 * @example
 * notificationQueueConfig.parse({ NOTIFICATIONS_QUEUE_URL: 'amqp://guest:guest@127.0.0.1:5672' }).NOTIFICATIONS_WORKER_PREFETCH; // 8
 */
export const notificationQueueConfig = z.object({
  /** RabbitMQ broker (`amqp://user:password@host:5672/vhost`); unset keeps sending in-process. */
  NOTIFICATIONS_QUEUE_URL: z.string().min(1).optional(),
  /** Put before every queue name (`<prefix>sms_notifications`), to share one vhost between deployments. */
  NOTIFICATIONS_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{0,64}$/, 'must be at most 64 letters, digits, ., :, - or _')
    .default(''),
  /** Bound on connecting and on each publisher confirm. */
  NOTIFICATIONS_QUEUE_TIMEOUT: durationMs('5s'),
  /** Unacknowledged messages a worker holds per queue (and sends at once). */
  NOTIFICATIONS_WORKER_PREFETCH: z.coerce.number().int().min(1).max(100).default(8),
  /** Attempts of a send before its intent goes to `<queue>.dead`. */
  NOTIFICATIONS_WORKER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  /** Wait before the second attempt; doubled for each further one. */
  NOTIFICATIONS_WORKER_RETRY_DELAY: durationMs('10s'),
  /** Longest wait between attempts. */
  NOTIFICATIONS_WORKER_RETRY_MAX_DELAY: durationMs('15m'),
});

/**
 * The parsed queue section.
 *
 * @example
 * const config: NotificationQueueConfig = notificationQueueConfig.parse(process.env);
 */
export type NotificationQueueConfig = z.infer<typeof notificationQueueConfig>;
