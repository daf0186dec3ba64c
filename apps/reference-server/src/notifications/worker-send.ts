/**
 * One send of a queued intent, exactly once per intent id. The server
 * publishes inside its transaction, so the worker first waits (up to 5 s)
 * for the intent row to commit; an intent whose row never appears is
 * retried later, never sent on its own. Then the worker's
 * inbox row (`relay_consumer_inbox`, consumer `notifications`), the
 * provider call, its audit and manual-task rows and the intent's status
 * all share one transaction. A redelivered intent whose send committed
 * finds the inbox row and is only acknowledged; a concurrent redelivery
 * waits on the row's lock; a send that fails transiently rolls the whole
 * transaction back (no inbox row, no manual task) so the retry runs
 * afresh. The one window left is a crash after the provider accepted a
 * message and before the commit: the redelivery sends again, under the same
 * idempotency key (`<intent id>:<channel>`), which providers that keep keys
 * drop; docs/scaling.md says so. Push intents are sent per device
 * (worker-push.ts). A send deferred by a sender's daily quota
 * (`MESSAGING_QUOTA_EXHAUSTED=defer`) rolls back too and marks the intent
 * `deferred` until the next UTC day, when the server publishes it again.
 */
import type { ManualTaskSink, MessagingChannel, PushChannel } from '@clinicbridge/adapters';
import {
  type ComposerResult,
  createMessagingComposer,
  type SenderQuotaOptions,
} from '@clinicbridge/adapters/messaging';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { callForTenant } from '../providers/audit.ts';
import { patientConsent } from '../providers/messaging.ts';
import { consumeOnce } from '../relay/consumer-inbox.ts';
import type { NotificationIntent } from './intent.ts';
import { pushIntentOnce } from './worker-push.ts';

/**
 * What became of one delivery of an intent.
 *
 * @example
 * const outcome: SendOutcome = { kind: 'retry', reason: 'sms:provider_unavailable' };
 */
export type SendOutcome =
  | { kind: 'sent'; providerMessageId: string }
  | { kind: 'repeat' }
  | { kind: 'not_sent'; reason: string }
  /** The sender's daily quota is used up: the intent is `deferred` until `retryAt`. */
  | { kind: 'deferred'; retryAt: string }
  | { kind: 'retry'; reason: string }
  /** The last attempt failed transiently too: a manual task is kept, the intent goes to `<queue>.dead`. */
  | { kind: 'exhausted'; reason: string };

/**
 * The providers a worker sends with.
 *
 * @example
 * const senders: IntentSenders = { channels: providers.channels, manualTasks: providers.manualTasks };
 */
export interface IntentSenders {
  /** Messaging channels in order of preference (WhatsApp, SMS, email). */
  readonly channels: readonly MessagingChannel[];
  readonly manualTasks: ManualTaskSink;
  /** The push provider (FCM), for `push_notifications`. */
  readonly push?: PushChannel;
  /** The senders' daily quotas (the server's messaging configuration). */
  readonly senderQuota?: SenderQuotaOptions;
}

class TransientFailure extends Error {
  override readonly name = 'TransientFailure';
}

class QuotaDeferral extends Error {
  override readonly name = 'QuotaDeferral';
  readonly retryAt: string;
  constructor(retryAt: string) {
    super('sender quota used up');
    this.retryAt = retryAt;
  }
}

const QUEUE_CHANNELS = {
  sms_notifications: ['whatsapp', 'sms'],
  email_notifications: ['email'],
  push_notifications: [],
} as const;

/**
 * The channels of `senders` that serve `queue`.
 *
 * @example
 * channelsFor(providers.channels, 'sms_notifications'); // WhatsApp and SMS, in that order
 */
export function channelsFor(
  channels: readonly MessagingChannel[],
  queue: NotificationIntent['queue'],
): MessagingChannel[] {
  const kinds: readonly string[] = QUEUE_CHANNELS[queue];
  return channels.filter((channel) => kinds.includes(channel.channel));
}

function transientReason(result: ComposerResult): string | null {
  if (result.status !== 'manual') return null;
  const transient = result.attempts.filter(
    (attempt) =>
      attempt.outcome === 'failed' &&
      (attempt.errorCode === 'provider_unavailable' ||
        attempt.errorCode === 'rate_limited' ||
        attempt.errorCode === 'timeout'),
  );
  return transient.length > 0
    ? transient.map((attempt) => `${attempt.channel}:${attempt.errorCode}`).join(',')
    : null;
}

async function composeIntent(
  trx: Kysely<DB>,
  intent: Exclude<NotificationIntent, { queue: 'push_notifications' }>,
  senders: IntentSenders,
  finalAttempt: boolean,
): Promise<SendOutcome> {
  const composer = createMessagingComposer({
    channels: channelsFor(senders.channels, intent.queue),
    consent: patientConsent(trx),
    sink: senders.manualTasks,
    ...(senders.senderQuota ? { quota: senders.senderQuota } : {}),
  });
  const result = await composer.send({
    subjectRef: intent.subjectRef,
    purpose: 'transactional',
    template: intent.template,
    locale: intent.locale,
    variables: intent.variables,
    recipient:
      intent.queue === 'sms_notifications'
        ? { phone: intent.to.phone }
        : { email: intent.to.email },
    containsClinicalDetail: false,
    idempotencyKey: intent.intentId,
    correlationId: intent.eventId,
  });
  // Rolls back the inbox row, so the send on the next day is not a repeat.
  if (result.status === 'deferred') throw new QuotaDeferral(result.retryAt);
  const transient = transientReason(result);
  // Rolls back the inbox row and the composer's manual task: the retry starts clean.
  if (transient && !finalAttempt) throw new TransientFailure(transient);
  if (transient) return { kind: 'exhausted', reason: transient };
  if (result.status === 'sent')
    return { kind: 'sent', providerMessageId: result.providerMessageId };
  return {
    kind: 'not_sent',
    reason: result.status === 'manual' ? `manual task ${result.manualTaskId}` : result.reason,
  };
}

/** How long a worker waits for the server's transaction that published an intent to commit. */
const RECORD_WAIT_MS = 5_000;

async function intentRecorded(
  db: Kysely<DB>,
  intent: NotificationIntent,
  waitMs: number,
): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
    const row = await db
      .selectFrom('notification_intents')
      .select('id')
      .where('id', '=', intent.intentId)
      .where('tenant_id', '=', intent.tenantId)
      .executeTakeFirst();
    if (row) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * Sends `intent` once (see the module header); a transient provider failure
 * before the last attempt resolves to `retry` with nothing kept.
 *
 * @example
 * const outcome = await sendIntentOnce(db, intent, senders, { finalAttempt: attempt >= 5 });
 */
export async function sendIntentOnce(
  db: Kysely<DB>,
  intent: NotificationIntent,
  senders: IntentSenders,
  options: { finalAttempt: boolean; now?: () => Date; recordWaitMs?: number },
): Promise<SendOutcome> {
  const now = options.now ?? (() => new Date());
  // The server publishes before its transaction commits: wait briefly for the
  // intent row; one that never appears (the handling rolled back and is
  // retried under the same id) is not sent now.
  if (!(await intentRecorded(db, intent, options.recordWaitMs ?? RECORD_WAIT_MS)))
    return { kind: 'retry', reason: 'the intent is not recorded (yet)' };
  if (intent.queue === 'push_notifications') {
    if (!senders.push) return { kind: 'retry', reason: 'no push provider in this worker' };
    const pushed = await pushIntentOnce(db, intent, senders.push, {
      finalAttempt: options.finalAttempt,
      now,
    });
    // The intent's status is its text message's; a push-only intent is marked sent by its push.
    if (pushed.kind === 'sent')
      await db
        .updateTable('notification_intents')
        .set({ status: 'sent', provider_message_id: pushed.providerMessageId, updated_at: now() })
        .where('id', '=', intent.intentId)
        .where('tenant_id', '=', intent.tenantId)
        .where('status', '=', 'queued')
        .execute();
    return pushed;
  }
  let outcome: SendOutcome = { kind: 'repeat' };
  try {
    await consumeOnce(
      db,
      { consumer: 'notifications', eventId: intent.intentId },
      async (trx) => {
        outcome = await callForTenant(
          intent.tenantId,
          () => composeIntent(trx, intent, senders, options.finalAttempt),
          trx,
        );
        await trx
          .updateTable('notification_intents')
          .set(
            outcome.kind === 'sent'
              ? {
                  status: 'sent',
                  provider_message_id: outcome.providerMessageId,
                  updated_at: now(),
                }
              : { status: 'failed', updated_at: now() },
          )
          .where('id', '=', intent.intentId)
          .where('tenant_id', '=', intent.tenantId)
          .execute();
      },
      now(),
    );
  } catch (error) {
    if (error instanceof TransientFailure) return { kind: 'retry', reason: error.message };
    if (error instanceof QuotaDeferral) {
      await db
        .updateTable('notification_intents')
        .set({ status: 'deferred', not_before: new Date(error.retryAt), updated_at: now() })
        .where('id', '=', intent.intentId)
        .where('tenant_id', '=', intent.tenantId)
        .execute();
      return { kind: 'deferred', retryAt: error.retryAt };
    }
    throw error;
  }
  return outcome;
}
