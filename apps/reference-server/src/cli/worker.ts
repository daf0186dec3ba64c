/**
 * `clinicbridge-server worker --queues email_notifications,sms_notifications`:
 * a process that sends queued notification intents with the configured
 * messaging providers, and push intents with FCM (see
 * src/notifications/worker.ts). It shares the
 * server's database (the intents, consent, the inbox and manual tasks), so
 * it runs beside servers on PostgreSQL; run `migrate` (or a server) first.
 */
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { type CoreConfig, publicUrl } from '../config/index.ts';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import { readSection } from '../feature.ts';
import { NOTIFICATION_QUEUES, type NotificationQueue } from '../notifications/intent.ts';
import { notificationQueueConfig } from '../notifications/queue-config.ts';
import { type RunningWorker, startNotificationWorker } from '../notifications/worker.ts';
import { channelsFor } from '../notifications/worker-send.ts';
import type { Logger } from '../observability/logger.ts';
import { createProviders, providersConfig } from '../providers/index.ts';
import { CommandError } from './commands.ts';

/**
 * Parses `--queues` (comma-separated names from {@link NOTIFICATION_QUEUES}).
 *
 * @example
 * parseQueues('sms_notifications,email_notifications'); // ['sms_notifications', 'email_notifications']
 */
export function parseQueues(value: string | undefined): NotificationQueue[] {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0)
    throw new CommandError(
      `worker needs --queues, one or more of: ${NOTIFICATION_QUEUES.join(', ')}`,
    );
  for (const name of names) {
    if (!(NOTIFICATION_QUEUES as readonly string[]).includes(name))
      throw new CommandError(
        `worker --queues: "${name.slice(0, 60)}" is not a notification queue; use ${NOTIFICATION_QUEUES.join(', ')}`,
      );
  }
  return [...new Set(names)] as NotificationQueue[];
}

/**
 * Starts consuming `queues` on `db` with the providers `config` configures;
 * fails with a clear message when the broker or a queue's provider is not
 * configured. `stop()` leaves the database open.
 *
 * @example
 * const worker = await startQueueWorker({ config, db: database.db, queues: ['push_notifications'], logger });
 */
export async function startQueueWorker(options: {
  config: CoreConfig;
  db: Kysely<DB>;
  queues: readonly NotificationQueue[];
  logger: Logger;
}): Promise<RunningWorker> {
  const { config, db, queues, logger } = options;
  const queueConfig = readSection(config, notificationQueueConfig);
  const url = queueConfig.NOTIFICATIONS_QUEUE_URL;
  if (!url)
    throw new CommandError('worker needs NOTIFICATIONS_QUEUE_URL (the RabbitMQ broker, amqp://…)');
  const providers = createProviders(readSection(config, providersConfig), {
    db,
    registry: new Registry(),
    server: { dataDir: config.DATA_DIR, publicUrl: publicUrl(config) },
  });
  for (const queue of queues) {
    if (queue === 'push_notifications') {
      if (!providers.push)
        throw new CommandError(
          'worker --queues push_notifications: no push provider is configured (FCM_SERVICE_ACCOUNT)',
        );
      continue;
    }
    if (channelsFor(providers.channels, queue).length === 0)
      throw new CommandError(
        `worker --queues ${queue}: no provider for it is configured (${queue === 'email_notifications' ? 'SENDGRID_*' : 'WHATSAPP_* or TWILIO_*'})`,
      );
  }
  return startNotificationWorker({
    db,
    queues,
    config: { ...queueConfig, NOTIFICATIONS_QUEUE_URL: url },
    senders: {
      channels: providers.channels,
      manualTasks: providers.manualTasks,
      ...(providers.push ? { push: providers.push } : {}),
      ...(providers.senderQuota ? { senderQuota: providers.senderQuota } : {}),
    },
    logger,
  });
}

/**
 * Builds the providers and starts consuming `queues`; `stop()` also closes the database.
 *
 * @example
 * const worker = await startWorkerProcess({ config, database, queues: ['sms_notifications'], logger });
 */
export async function startWorkerProcess(options: {
  config: CoreConfig;
  database: Database;
  queues: readonly NotificationQueue[];
  logger: Logger;
}): Promise<RunningWorker> {
  const { database } = options;
  const worker = await startQueueWorker({ ...options, db: database.db });
  return {
    counts: worker.counts,
    async stop() {
      await worker.stop();
      await database.close();
    },
  };
}
