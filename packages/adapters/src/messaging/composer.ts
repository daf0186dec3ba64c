/**
 * The messaging composer: reaches a patient on the first channel that works,
 * in order of preference (WhatsApp → SMS → email by default). Before each
 * channel it checks opt-out and consent; messages with clinical detail never
 * go to a channel marked unencrypted (a redacted version can, when given).
 * When every permitted channel fails, a manual task is recorded instead of
 * failing the patient's flow.
 */
import { z } from 'zod';
import { correlation } from '../core/call-keys.ts';
import { isProviderError } from '../core/errors.ts';
import type { IdempotencyResultStore } from '../core/idempotency.ts';
import { InMemoryIdempotencyResultStore } from '../core/idempotency.ts';
import type { ManualTaskSink } from '../core/manual-tasks.ts';
import { ReferenceSchema } from '../ports/common.ts';
import {
  type ChannelKind,
  type MessagingChannel,
  TemplatedMessageSchema,
} from '../ports/messaging.ts';
import { parseInput } from '../ports/validate.ts';
import {
  InMemoryQuotaStore,
  nextUtcDay,
  type SenderQuotaOptions,
  senderKey,
  utcDay,
} from './quota.ts';

/**
 * Answer of a consent check for one channel.
 *
 * @example
 * const decision: ConsentDecision = 'opted_out';
 */
export type ConsentDecision = 'granted' | 'opted_out' | 'no_consent';

/**
 * Where the composer asks whether a patient may be contacted on a channel
 * for a purpose. The server answers from its consent records and STOP lists.
 *
 * @example
 * const consent: ConsentChecker = { check: async ({ subjectRef, channel }) => (optOuts.has(`${subjectRef}:${channel}`) ? 'opted_out' : 'granted') };
 */
export interface ConsentChecker {
  check(input: {
    subjectRef: string;
    channel: ChannelKind;
    purpose: 'transactional' | 'marketing';
  }): Promise<ConsentDecision>;
}

const Addressing = z.object({
  template: TemplatedMessageSchema.shape.template,
  variables: z.record(z.string(), z.string().max(1024)).default({}),
});

/**
 * A message to a patient, with every address we have.
 *
 * @example
 * ComposedMessageSchema.parse({
 *   subjectRef: 'pat_1', purpose: 'transactional', template: 'lab_result_ready', locale: 'en',
 *   variables: { test: 'HbA1c' }, containsClinicalDetail: true,
 *   redacted: { template: 'new_message_waiting', variables: {} },
 *   recipient: { phone: '+905551112233', email: 'a@example.com' },
 * });
 */
export const ComposedMessageSchema = Addressing.extend({
  subjectRef: ReferenceSchema,
  purpose: z.enum(['transactional', 'marketing']),
  locale: TemplatedMessageSchema.shape.locale,
  recipient: z.object({
    /** WhatsApp number, when it differs from `phone`. */
    whatsapp: z.string().optional(),
    phone: z.string().optional(),
    email: z.email().optional(),
  }),
  /** True when template or variables say anything about health. */
  containsClinicalDetail: z.boolean(),
  /** A version without clinical detail for unencrypted channels ("you have a new message"). */
  redacted: Addressing.optional(),
  idempotencyKey: z.string().min(1).max(255).optional(),
  correlationId: z.string().optional(),
});

/** @example const message: ComposedMessage = { subjectRef: 'pat_1', purpose: 'transactional', template: 't', locale: 'en', recipient: {}, containsClinicalDetail: false }; */
export type ComposedMessage = z.input<typeof ComposedMessageSchema>;

/**
 * What happened on one channel.
 *
 * @example
 * const attempt: ChannelAttempt = { channel: 'whatsapp', outcome: 'failed', errorCode: 'rejected' };
 */
export interface ChannelAttempt {
  channel: ChannelKind;
  outcome:
    | 'sent'
    | 'failed'
    | 'skipped_opted_out'
    | 'skipped_no_consent'
    | 'skipped_unencrypted'
    | 'skipped_no_address'
    | 'skipped_unsupported_template'
    | 'skipped_quota_exhausted';
  /** Whether the redacted version was used. */
  redacted?: boolean;
  errorCode?: string;
}

/**
 * Outcome of {@link MessagingComposer.send}.
 *
 * @example
 * if (result.status === 'manual') showOnOps(result.manualTaskId);
 */
export type ComposerResult =
  | {
      status: 'sent';
      channel: ChannelKind;
      provider: string;
      providerMessageId: string;
      redacted: boolean;
      attempts: ChannelAttempt[];
    }
  | { status: 'manual'; manualTaskId: string; attempts: ChannelAttempt[] }
  /** The sender's daily quota is used up and the quota says `defer`: send again at `retryAt`. */
  | {
      status: 'deferred';
      reason: 'quota_exhausted';
      channel: ChannelKind;
      retryAt: string;
      attempts: ChannelAttempt[];
    }
  | { status: 'not_sent'; reason: 'no_permitted_channel'; attempts: ChannelAttempt[] };

/**
 * Settings of {@link createMessagingComposer}.
 *
 * @example
 * const options: MessagingComposerOptions = { channels: [whatsapp, sms, email], consent, sink };
 */
export interface MessagingComposerOptions {
  /** Channels in order of preference. */
  channels: readonly MessagingChannel[];
  consent: ConsentChecker;
  sink: ManualTaskSink;
  /** Completed sends by idempotency key; a repeat returns the first result. */
  idempotencyStore?: IdempotencyResultStore;
  /**
   * Daily cap per sender (UTC days on `now`); a channel whose sender used it
   * up is skipped like one without consent, or the message is deferred to
   * the next UTC day (`whenExhausted: 'defer'`). No cap when absent.
   */
  quota?: SenderQuotaOptions;
  now?: () => Date;
  newId?: () => string;
}

/**
 * Sends a patient message over the first channel that works.
 *
 * @example
 * const result = await composer.send({ subjectRef: 'pat_1', purpose: 'transactional', template: 'appointment_reminder', locale: 'tr', variables: { time: '09:30' }, containsClinicalDetail: false, recipient: { phone: '+905551112233' } });
 */
export interface MessagingComposer {
  send(message: ComposedMessage): Promise<ComposerResult>;
  /**
   * Sends left today per sender (`channel:provider`), for a gauge; empty
   * when no quota is configured.
   */
  remainingQuota(): Promise<Record<string, number>>;
}

const addressFor = (
  channel: ChannelKind,
  recipient: z.infer<typeof ComposedMessageSchema>['recipient'],
) =>
  channel === 'email'
    ? recipient.email
    : channel === 'whatsapp'
      ? (recipient.whatsapp ?? recipient.phone)
      : recipient.phone;

/**
 * Creates the composer.
 *
 * @example
 * const composer = createMessagingComposer({ channels: [whatsapp, sms, email], consent, sink });
 */
export function createMessagingComposer(options: MessagingComposerOptions): MessagingComposer {
  const store = options.idempotencyStore ?? new InMemoryIdempotencyResultStore();
  const inflight = new Map<string, Promise<ComposerResult>>();
  const quota = options.quota;
  const quotaStore = quota?.store ?? new InMemoryQuotaStore();
  const senderOf = quota?.senderOf ?? senderKey;
  const clock = () => options.now?.() ?? new Date();
  const today = () => utcDay(clock());
  const limitOf = (sender: string): number | undefined =>
    quota === undefined
      ? undefined
      : typeof quota.perSenderPerDay === 'number'
        ? quota.perSenderPerDay
        : quota.perSenderPerDay(sender);

  /** Takes a unit of the sender's quota: `reserved` (give it back on failure), `counted` (count after), or false. */
  async function takeQuota(
    sender: string,
    day: string,
  ): Promise<'reserved' | 'count' | 'free' | false> {
    const limit = limitOf(sender);
    if (limit === undefined) return 'free';
    if (quotaStore.reserve)
      return (await quotaStore.reserve(sender, day, limit)) ? 'reserved' : false;
    return (await quotaStore.used(sender, day)) < limit ? 'count' : false;
  }

  async function compose(message: z.infer<typeof ComposedMessageSchema>): Promise<ComposerResult> {
    const attempts: ChannelAttempt[] = [];
    for (const channel of options.channels) {
      const kind = channel.channel;
      const to = addressFor(kind, message.recipient);
      if (!to) {
        attempts.push({ channel: kind, outcome: 'skipped_no_address' });
        continue;
      }
      const decision = await options.consent.check({
        subjectRef: message.subjectRef,
        channel: kind,
        purpose: message.purpose,
      });
      if (decision !== 'granted') {
        attempts.push({
          channel: kind,
          outcome: decision === 'opted_out' ? 'skipped_opted_out' : 'skipped_no_consent',
        });
        continue;
      }
      let content: z.infer<typeof Addressing> = message;
      let redacted = false;
      if (message.containsClinicalDetail && !channel.encrypted) {
        if (!message.redacted) {
          attempts.push({ channel: kind, outcome: 'skipped_unencrypted' });
          continue;
        }
        content = message.redacted;
        redacted = true;
      }
      if (!channel.supports(content.template)) {
        attempts.push({ channel: kind, outcome: 'skipped_unsupported_template', redacted });
        continue;
      }
      const sender = senderOf(channel);
      const day = today();
      const taken = await takeQuota(sender, day);
      if (taken === false) {
        attempts.push({ channel: kind, outcome: 'skipped_quota_exhausted', redacted });
        if (quota?.whenExhausted === 'defer') {
          return {
            status: 'deferred',
            reason: 'quota_exhausted',
            channel: kind,
            retryAt: nextUtcDay(clock()).toISOString(),
            attempts,
          };
        }
        continue;
      }
      try {
        const sent = await channel.send({
          channel: kind,
          to,
          template: content.template,
          locale: message.locale,
          variables: content.variables,
          ...(message.idempotencyKey
            ? { idempotencyKey: `${message.idempotencyKey}:${kind}` }
            : {}),
          ...correlation(message),
        });
        attempts.push({ channel: kind, outcome: 'sent', redacted });
        if (taken === 'count') await quotaStore.increment(sender, day);
        return {
          status: 'sent',
          channel: kind,
          provider: sent.provider,
          providerMessageId: sent.providerMessageId,
          redacted,
          attempts,
        };
      } catch (error) {
        if (taken === 'reserved') await quotaStore.release?.(sender, day);
        if (!isProviderError(error)) throw error;
        attempts.push({ channel: kind, outcome: 'failed', redacted, errorCode: error.code });
      }
    }
    if (!attempts.some((attempt) => attempt.outcome === 'failed')) {
      return { status: 'not_sent', reason: 'no_permitted_channel', attempts };
    }
    const task = {
      id: options.newId?.() ?? `mt_${crypto.randomUUID()}`,
      kind: 'messaging' as const,
      provider: attempts
        .filter((a) => a.outcome === 'failed')
        .map((a) => a.channel)
        .join('+'),
      operation: 'messages.send',
      subjectRef: message.subjectRef,
      summary: `Contact the patient by hand with "${message.template}" (${message.locale}); every permitted channel failed.`,
      reason: attempts
        .filter((a) => a.errorCode)
        .map((a) => `${a.channel}:${a.errorCode}`)
        .join(','),
      details: { template: message.template, locale: message.locale, purpose: message.purpose },
      createdAt: (options.now?.() ?? new Date()).toISOString(),
      ...correlation(message),
    };
    await options.sink.record(task);
    return { status: 'manual', manualTaskId: task.id, attempts };
  }

  return {
    async remainingQuota() {
      if (!quota) return {};
      const day = today();
      const remaining: Record<string, number> = {};
      for (const channel of options.channels) {
        const sender = senderOf(channel);
        const limit = limitOf(sender);
        if (limit === undefined) continue;
        const used = await quotaStore.used(sender, day);
        remaining[sender] = Math.max(0, limit - used);
      }
      return remaining;
    },
    async send(raw) {
      const message = parseInput(ComposedMessageSchema, raw, 'composer', 'messages.compose');
      const key = message.idempotencyKey ? `composer:${message.idempotencyKey}` : undefined;
      if (!key) return compose(message);
      const stored = (await store.get(key)) as ComposerResult | undefined;
      if (stored) return stored;
      const pending = inflight.get(key);
      if (pending) return pending;
      const running = compose(message);
      inflight.set(key, running);
      try {
        const result = await running;
        // A deferred send is not done: the same key sends when the day comes.
        if (result.status !== 'deferred') await store.set(key, result);
        return result;
      } finally {
        inflight.delete(key);
      }
    },
  };
}
