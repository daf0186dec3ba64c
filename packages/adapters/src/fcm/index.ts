/**
 * @clinicbridge/adapters/fcm — `PushChannel` on Firebase Cloud Messaging
 * HTTP v1 (`POST /v1/projects/{project}/messages:send`). The access token
 * comes from a service account: a jose-signed JWT assertion exchanged with
 * the JWT-bearer grant, cached and refreshed by the core. A send is not
 * retried after a 5xx (FCM has no idempotency key; a retry could notify
 * twice); an unregistered token is reported so the caller drops it; an
 * unavailable FCM becomes a manual task.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { createProviderClient } from '../core/client.ts';
import { isProviderError } from '../core/errors.ts';
import { type ManualTaskSink, withManualFallback } from '../core/manual-tasks.ts';
import { oauth2JwtBearer } from '../core/oauth2.ts';
import type { TokenCache } from '../core/token-cache.ts';
import { type PushChannel, PushMessageSchema, type PushResult } from '../ports/push.ts';
import { parseInput } from '../ports/validate.ts';
import { mapFcmError } from './errors.ts';
import {
  type ServiceAccount,
  ServiceAccountSchema,
  serviceAccountAssertion,
} from './service-account.ts';

export { mapFcmError } from './errors.ts';
export {
  FCM_SCOPE,
  type ServiceAccount,
  ServiceAccountSchema,
  serviceAccountAssertion,
} from './service-account.ts';

/**
 * FCM settings.
 *
 * @example
 * const options: FcmOptions = { serviceAccount: JSON.parse(keyJson), sink };
 */
export interface FcmOptions extends AdapterOptions {
  /** The service-account JSON key (as downloaded from the Google Cloud console). */
  serviceAccount: z.input<typeof ServiceAccountSchema> | ServiceAccount;
  sink: ManualTaskSink;
  tokenCache?: TokenCache;
  now?: () => number;
}

const SendResponse = z.object({ name: z.string().min(1) });

/**
 * Creates the FCM push channel.
 *
 * @example
 * const push = createFcmPushChannel({ serviceAccount, sink });
 * await push.send({ subjectRef: 'pat_1', deviceToken, title: 'Clinic', body: 'You have a new message', data: { threadRef: 'thr_1' } });
 */
export function createFcmPushChannel(options: FcmOptions): PushChannel {
  const account = ServiceAccountSchema.parse(options.serviceAccount);
  const client = createProviderClient({
    provider: 'fcm',
    baseUrl: options.baseUrl ?? 'https://fcm.googleapis.com',
    auth: oauth2JwtBearer({
      provider: 'fcm',
      tokenUrl: account.token_uri,
      assertion: serviceAccountAssertion(account, options.now),
      cacheKey: `fcm:token:${account.project_id}`,
      ...(options.tokenCache ? { cache: options.tokenCache } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.now ? { now: options.now } : {}),
    }),
    mapError: mapFcmError,
    ...pickAdapterOptions(options),
  });
  const path = `/v1/projects/${encodeURIComponent(account.project_id)}/messages:send`;

  return {
    provider: 'fcm',
    async send(raw) {
      const message = parseInput(PushMessageSchema, raw, 'fcm', 'push.send');
      return withManualFallback(
        {
          sink: options.sink,
          task: {
            kind: 'push',
            provider: 'fcm',
            operation: 'push.send',
            subjectRef: message.subjectRef,
            summary: 'A push notification could not be sent; reach the patient on another channel.',
            ...(message.correlationId ? { correlationId: message.correlationId } : {}),
          },
        },
        async (): Promise<PushResult> => {
          try {
            const sent = await client.json({
              operation: 'push.send',
              method: 'post',
              path,
              json: {
                message: {
                  token: message.deviceToken,
                  notification: { title: message.title, body: message.body },
                  data: message.data,
                  ...(message.collapseKey
                    ? {
                        android: { collapse_key: message.collapseKey },
                        apns: { headers: { 'apns-collapse-id': message.collapseKey } },
                      }
                    : {}),
                },
              },
              schema: SendResponse,
              ...(message.correlationId ? { correlationId: message.correlationId } : {}),
            });
            return { status: 'sent', providerMessageId: sent.name };
          } catch (error) {
            if (isProviderError(error) && error.providerCode === 'UNREGISTERED')
              return { status: 'invalid_token' };
            throw error;
          }
        },
        (task) => ({ status: 'manual', manualTaskId: task.id }),
      );
    },
  };
}
