/**
 * The send intent the notifications feature publishes when queues are on
 * (`NOTIFICATIONS_QUEUE_URL`), version 1. It carries what one send needs
 * and nothing more: the recipient's address for that queue's channels
 * only (phone for `sms_notifications`, email for `email_notifications`,
 * none for `push_notifications`), the template, locale and the
 * template variables (the patient's given name and the event's
 * non-clinical values: times, status, amounts). No full name, date of
 * birth, national id or clinical detail. A push intent carries no address:
 * the worker reads the patient's registered devices (their tokens are
 * encrypted at rest and never leave the database but to the push
 * provider), and its lock-screen title and body, rendered by the server
 * from the push templates. The intent id is the idempotency key: the
 * RabbitMQ `messageId`, the worker inbox key and the providers'
 * idempotency key.
 */
import * as z from 'zod';

/**
 * The queues of the notification service, without the configured prefix.
 *
 * @example
 * NOTIFICATION_QUEUES.includes('sms_notifications'); // true
 */
export const NOTIFICATION_QUEUES = [
  'email_notifications',
  'sms_notifications',
  'push_notifications',
] as const;

/**
 * One of {@link NOTIFICATION_QUEUES}.
 *
 * @example
 * const queue: NotificationQueue = 'email_notifications';
 */
export type NotificationQueue = (typeof NOTIFICATION_QUEUES)[number];

const ref = z.string().min(1).max(128);
const common = {
  v: z.literal(1),
  /** `ntf_…`: the idempotency key of the send. */
  intentId: z.string().regex(/^ntf_[A-Za-z0-9]{8,64}$/),
  tenantId: ref,
  eventId: ref,
  /** The patient id: the composer checks consent against it at send time. */
  subjectRef: ref,
  template: z.string().min(1).max(100),
  locale: z.string().min(2).max(35),
  variables: z.record(z.string().max(64), z.string().max(1024)).default({}),
  createdAt: z.iso.datetime(),
};

/**
 * A send intent: one message to one patient on one queue.
 *
 * @example
 * NotificationIntentSchema.parse({ v: 1, intentId: 'ntf_0123456789abcdef', tenantId: 'ten_1', eventId: 'evt_1', subjectRef: 'pat_1', template: 'appointment_confirmation', locale: 'en', variables: { givenName: 'Ayşe' }, createdAt: '2026-12-07T09:00:00.000Z', queue: 'sms_notifications', to: { phone: '+905551112233' } });
 */
export const NotificationIntentSchema = z.discriminatedUnion('queue', [
  z.strictObject({
    ...common,
    queue: z.literal('sms_notifications'),
    to: z.strictObject({ phone: z.string().min(4).max(32) }),
  }),
  z.strictObject({
    ...common,
    queue: z.literal('email_notifications'),
    to: z.strictObject({ email: z.email().max(254) }),
  }),
  z.strictObject({
    ...common,
    queue: z.literal('push_notifications'),
    /** Lock-screen text, from the push templates (providers/push-templates.ts): short and never clinical. */
    title: z.string().min(1).max(100),
    body: z.string().min(1).max(240),
  }),
]);

/**
 * A parsed send intent.
 *
 * @example
 * const intent: NotificationIntent = NotificationIntentSchema.parse(JSON.parse(text));
 */
export type NotificationIntent = z.infer<typeof NotificationIntentSchema>;

/** Largest intent body a worker reads. */
export const MAX_INTENT_BYTES = 16_384;
