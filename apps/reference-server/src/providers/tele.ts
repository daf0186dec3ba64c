/**
 * The telemedicine provider, one of two: a self-hosted Jitsi Meet with token
 * authentication (`@clinicbridge/adapters/jitsi`), built from its domain,
 * app id and app secret, or LiveKit (`@clinicbridge/adapters/livekit`),
 * built from its server URL, API key and secret and the meeting page
 * participants open. `TELE_PROVIDER` picks one; unset, the configured one is
 * used (Jitsi when both are). Secrets may come from `*_FILE`.
 * `TELE_JITSI_URL` points Jitsi's one call (room occupancy) at another
 * origin, such as a local fake; LiveKit's calls go to `TELE_LIVEKIT_URL`.
 * Without a provider, the tele-rooms feature hands every room to the
 * operators as a manual task.
 */
import type { TeleRoomService } from '@clinicbridge/adapters';
import { createJitsiTeleRooms } from '@clinicbridge/adapters/jitsi';
import { createLiveKitTeleRooms } from '@clinicbridge/adapters/livekit';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup, ProviderShared } from './group.ts';

const secret = z.string().min(32, 'at least 32 characters').optional();

/**
 * The telemedicine provider's section of the environment.
 *
 * @example
 * teleConfig.parse({ TELE_JITSI_DOMAIN: 'meet.clinic.example', TELE_JITSI_APP_ID: 'clinicbridge', TELE_JITSI_SECRET: '…32 characters or more…' });
 */
export const teleConfig = z.object({
  /** `jitsi` or `livekit`; unset: the one configured (Jitsi when both are). */
  TELE_PROVIDER: z.enum(['jitsi', 'livekit']).optional(),
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
  TELE_JITSI_SECRET: secret,
  TELE_JITSI_URL: optionalUrl,
  /** The LiveKit server (`https://…`): its RoomService API, and `wss://` for participants. */
  TELE_LIVEKIT_URL: optionalUrl,
  /** The LiveKit API key (the tokens' issuer). */
  TELE_LIVEKIT_API_KEY: optionalValue,
  /** The LiveKit API secret (HS256), 32 characters or more. */
  TELE_LIVEKIT_API_SECRET: secret,
  /** The meeting page participants open: links are `<page>/<room>?liveKitUrl=…&token=…`. */
  TELE_LIVEKIT_MEET_URL: optionalUrl,
});

type TeleConfig = z.infer<typeof teleConfig>;

/**
 * The telemedicine adapter of a process.
 *
 * @example
 * const room = await providers.teleRooms?.createRoom();
 */
export interface TeleProviders {
  readonly teleRooms?: TeleRoomService;
}

function buildJitsi(config: TeleConfig, shared: ProviderShared): TeleRoomService | undefined {
  const { TELE_JITSI_DOMAIN: domain, TELE_JITSI_APP_ID: appId, TELE_JITSI_SECRET: key } = config;
  if (!domain || !appId || !key) return undefined;
  return createJitsiTeleRooms({
    metrics: shared.metrics,
    audit: shared.audit,
    domain,
    appId,
    secret: key,
    ...(config.TELE_JITSI_URL ? { baseUrl: config.TELE_JITSI_URL } : {}),
  });
}

function buildLiveKit(config: TeleConfig, shared: ProviderShared): TeleRoomService | undefined {
  const {
    TELE_LIVEKIT_URL: url,
    TELE_LIVEKIT_API_KEY: apiKey,
    TELE_LIVEKIT_API_SECRET: apiSecret,
    TELE_LIVEKIT_MEET_URL: meetUrl,
  } = config;
  if (!url || !apiKey || !apiSecret || !meetUrl) return undefined;
  return createLiveKitTeleRooms({
    metrics: shared.metrics,
    audit: shared.audit,
    url,
    apiKey,
    apiSecret,
    meetUrl,
  });
}

/**
 * Builds the chosen (or the configured) video provider.
 *
 * @example
 * const { built, absent } = teleProviders.build(teleConfig.parse(process.env), shared);
 */
export const teleProviders: ProviderGroup<typeof teleConfig, TeleProviders> = {
  config: teleConfig,
  build(config, shared) {
    const teleRooms =
      config.TELE_PROVIDER === 'livekit'
        ? buildLiveKit(config, shared)
        : config.TELE_PROVIDER === 'jitsi'
          ? buildJitsi(config, shared)
          : (buildJitsi(config, shared) ?? buildLiveKit(config, shared));
    if (!teleRooms) return { built: {}, absent: [config.TELE_PROVIDER ?? 'tele'] };
    return { built: { teleRooms }, absent: [] };
  },
};
