/**
 * The `PushChannel` port: one notification to one device. Push text shows
 * on a locked screen, so it is short and says nothing clinical ("You have a
 * new message"); `data` carries only opaque references for the app to fetch
 * the rest after sign-in. A device token the provider no longer knows is a
 * result (`invalid_token`, drop it), not an error.
 */
import { z } from 'zod';
import { ReferenceSchema } from './common.ts';

/**
 * One push notification.
 *
 * @example
 * PushMessageSchema.parse({ subjectRef: 'pat_1', deviceToken: 'fcm-token', title: 'ClinicBridge', body: 'You have a new message', data: { threadRef: 'thr_1' } });
 */
export const PushMessageSchema = z.strictObject({
  subjectRef: ReferenceSchema,
  deviceToken: z.string().min(8).max(4096),
  title: z.string().min(1).max(100),
  body: z.string().min(1).max(240),
  /** Opaque references only (ids the app resolves after sign-in). */
  data: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/), ReferenceSchema).default({}),
  /** Replaces an earlier notification with the same key on the device. */
  collapseKey: z.string().min(1).max(64).optional(),
  correlationId: z.string().max(128).optional(),
});

/** @example const message: PushMessage = { subjectRef: 'pat_1', deviceToken: 't', title: 'Clinic', body: 'New message' }; */
export type PushMessage = z.input<typeof PushMessageSchema>;

/**
 * Outcome of a push.
 *
 * @example
 * if (result.status === 'invalid_token') await devices.forget(token);
 */
export type PushResult =
  | { status: 'sent'; providerMessageId: string }
  | { status: 'invalid_token' }
  | { status: 'manual'; manualTaskId: string };

/**
 * A push provider.
 *
 * @example
 * const result = await push.send({ subjectRef: 'pat_1', deviceToken, title: 'Clinic', body: 'You have a new message' });
 */
export interface PushChannel {
  readonly provider: string;
  send(message: PushMessage): Promise<PushResult>;
}
