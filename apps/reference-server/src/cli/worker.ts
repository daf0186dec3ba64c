/**
 * `clinicbridge-server worker --queues email_notifications,sms_notifications`:
 * a process that sends queued notification intents with the configured
 * messaging providers (see src/notifications/worker.ts). It shares the
 * server's database (the intents, consent, the inbox and manual tasks), so
 * it runs beside servers on PostgreSQL; run `migrate` (or a server) first.
 */
import { Registry } from 'prom-client';
import { type CoreConfig, publicUrl } from '../config/index.ts';
import type { Database } from '../db/database.ts';
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
  const { config, database, queues, logger } = options;
  const queueConfig = readSection(config, notificationQueueConfig);
  const url = queueConfig.NOTIFICATIONS_QUEUE_URL;
  if (!url)
    throw new CommandError('worker needs NOTIFICATIONS_QUEUE_URL (the RabbitMQ broker, amqp://…)');
  const providers = createProviders(readSection(config, providersConfig), {
    db: database.db,
    registry: new Registry(),
    server: { dataDir: config.DATA_DIR, publicUrl: publicUrl(config) },
  });
  for (const queue of queues) {
    if (queue === 'push_notifications')
      throw new CommandError(
        'worker --queues push_notifications: no push provider is configured in this server yet (see docs/scaling.md)',
      );
    if (channelsFor(providers.channels, queue).length === 0)
      throw new CommandError(
        `worker --queues ${queue}: no provider for it is configured (${queue === 'email_notifications' ? 'SENDGRID_*' : 'WHATSAPP_* or TWILIO_*'})`,
      );
  }
  const worker = await startNotificationWorker({
    db: database.db,
    queues,
    config: { ...queueConfig, NOTIFICATIONS_QUEUE_URL: url },
    senders: {
      channels: providers.channels,
      manualTasks: providers.manualTasks,
      ...(providers.senderQuota ? { senderQuota: providers.senderQuota } : {}),
    },
    logger,
  });
  return {
    counts: worker.counts,
    async stop() {
      await worker.stop();
      await database.close();
    },
  };
}
