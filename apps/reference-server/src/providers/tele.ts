/**
 * The telemedicine provider: a self-hosted Jitsi Meet with token
 * authentication (`@clinicbridge/adapters/jitsi`), built when its domain,
 * app id and app secret are all set (the secret may come from
 * `TELE_JITSI_SECRET_FILE`). `TELE_JITSI_URL` points the one call it makes
 * (room occupancy) at another origin, such as a local fake. Without it, the
 * tele-rooms feature hands every room to the operators as a manual task.
 */
import type { TeleRoomService } from '@clinicbridge/adapters';
import { createJitsiTeleRooms } from '@clinicbridge/adapters/jitsi';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The telemedicine provider's section of the environment.
 *
 * @example
 * teleConfig.parse({ TELE_JITSI_DOMAIN: 'meet.clinic.example', TELE_JITSI_APP_ID: 'clinicbridge', TELE_JITSI_SECRET: '…32 characters or more…' });
 */
export const teleConfig = z.object({
  /** Host name of the Jitsi Meet deployment; join links are `https://<domain>/<room>?jwt=…`. */
  TELE_JITSI_DOMAIN: z
    .string()
    .regex(
      /^[a-z0-9.-]{1,253}(:[0-9]{1,5})?$/,
      'a host name without scheme, e.g. meet.clinic.example',
    )
    .optional(),
  /** The `app_id` Prosody's token authentication is configured with. */
  TELE_JITSI_APP_ID: optionalValue,
  /** The `app_secret` join tokens are signed with (HS256), 32 characters or more. */
  TELE_JITSI_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  TELE_JITSI_URL: optionalUrl,
});

/**
 * The telemedicine adapter of a process.
 *
 * @example
 * const room = await providers.teleRooms?.createRoom();
 */
export interface TeleProviders {
  readonly teleRooms?: TeleRoomService;
}

/**
 * Builds the Jitsi adapter when its domain, app id and secret are set.
 *
 * @example
 * const { built, absent } = teleProviders.build(teleConfig.parse(process.env), shared);
 */
export const teleProviders: ProviderGroup<typeof teleConfig, TeleProviders> = {
  config: teleConfig,
  build(config, shared) {
    const {
      TELE_JITSI_DOMAIN: domain,
      TELE_JITSI_APP_ID: appId,
      TELE_JITSI_SECRET: secret,
    } = config;
    if (!domain || !appId || !secret) return { built: {}, absent: ['tele'] };
    return {
      built: {
        teleRooms: createJitsiTeleRooms({
          metrics: shared.metrics,
          audit: shared.audit,
          domain,
          appId,
          secret,
          ...(config.TELE_JITSI_URL ? { baseUrl: config.TELE_JITSI_URL } : {}),
        }),
      },
      absent: [],
    };
  },
};
