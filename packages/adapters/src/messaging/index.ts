/**
 * @clinicbridge/adapters/messaging — the composer that falls back WhatsApp →
 * SMS → email, respecting opt-out, consent and channel encryption.
 */
export {
  type ChannelAttempt,
  type ComposedMessage,
  ComposedMessageSchema,
  type ComposerResult,
  type ConsentChecker,
  type ConsentDecision,
  createMessagingComposer,
  type MessagingComposer,
  type MessagingComposerOptions,
} from './composer.ts';
export {
  InMemoryQuotaStore,
  nextUtcDay,
  type QuotaStore,
  type SenderQuotaOptions,
  senderKey,
  utcDay,
} from './quota.ts';
