/**
 * The push provider: Firebase Cloud Messaging HTTP v1
 * (`@clinicbridge/adapters/fcm`, which reaches APNs for iOS devices too),
 * built when a service-account key is set (`FCM_SERVICE_ACCOUNT`, the JSON
 * key as downloaded, or `FCM_SERVICE_ACCOUNT_FILE`). `FCM_API_URL` points
 * the sends at another origin (a proxy or a local fake); the token endpoint
 * is the key's `token_uri`. `PUSH_TEMPLATES` replaces the lock-screen texts
 * (push-templates.ts).
 */
import type { PushChannel } from '@clinicbridge/adapters';
import { createFcmPushChannel, ServiceAccountSchema } from '@clinicbridge/adapters/fcm';
import * as z from 'zod';
import { jsonValue, optionalUrl } from './config-values.ts';
import type { ProviderGroup } from './group.ts';
import { pushTemplatesSchema } from './push-templates.ts';

/**
 * The push provider's section of the environment.
 *
 * @example
 * pushConfig.parse({ FCM_SERVICE_ACCOUNT: JSON.stringify(serviceAccountKey) });
 */
export const pushConfig = z.object({
  /** The FCM service-account JSON key (`project_id`, `client_email`, `private_key`, `token_uri`). */
  FCM_SERVICE_ACCOUNT: jsonValue(ServiceAccountSchema),
  FCM_API_URL: optionalUrl,
  /** Template → locale → `{ title, body }` lock-screen texts (see push-templates.ts). */
  PUSH_TEMPLATES: jsonValue(pushTemplatesSchema),
});

/**
 * The push adapter of a process.
 *
 * @example
 * await providers.push?.send({ subjectRef: 'pat_1', deviceToken, title: 'Appointment', body: 'Open the app' });
 */
export interface PushProviders {
  readonly push?: PushChannel;
}

/**
 * Builds the FCM channel when its service account is set.
 *
 * @example
 * const { built, absent } = pushProviders.build(pushConfig.parse(process.env), shared);
 */
export const pushProviders: ProviderGroup<typeof pushConfig, PushProviders> = {
  config: pushConfig,
  build(config, shared) {
    if (!config.FCM_SERVICE_ACCOUNT) return { built: {}, absent: ['push'] };
    return {
      built: {
        push: createFcmPushChannel({
          metrics: shared.metrics,
          audit: shared.audit,
          serviceAccount: config.FCM_SERVICE_ACCOUNT,
          sink: shared.manualTasks,
          ...(shared.tokenCache ? { tokenCache: shared.tokenCache } : {}),
          ...(config.FCM_API_URL ? { baseUrl: config.FCM_API_URL } : {}),
        }),
      },
      absent: [],
    };
  },
};
