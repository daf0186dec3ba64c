/**
 * @clinicbridge/adapters/jitsi — `TeleRoomService` on a self-hosted Jitsi
 * Meet with token authentication. Jitsi has no room-creation API: a room
 * exists once someone joins it, so creating one is generating its name
 * (random, nothing about the patient), and a join link is
 * `https://<domain>/<room>?jwt=<token>` with an HS256 token signed with the
 * app secret (`aud`, `iss` = app id, `sub` = domain, `room`, `exp`,
 * `context.user`). The one network call, the room's occupancy, reads
 * Prosody's `mod_muc_size` (`GET /room-size`) through the resilience core;
 * a room nobody has opened (404) counts 0.
 */
import { SignJWT } from 'jose';
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { createProviderClient } from '../core/client.ts';
import { isProviderError } from '../core/errors.ts';
import {
  TeleJoinRequestSchema,
  TeleRoomNameSchema,
  type TeleRoomService,
} from '../ports/tele-rooms.ts';
import { parseInput } from '../ports/validate.ts';

/**
 * Jitsi settings.
 *
 * @example
 * const options: JitsiOptions = { domain: 'meet.clinic.example', appId: 'clinicbridge', secret: process.env.TELE_JITSI_SECRET! };
 */
export interface JitsiOptions extends AdapterOptions {
  /** Host name of the Jitsi Meet deployment (no scheme). */
  domain: string;
  /** The `app_id` Prosody's token auth is configured with (the token's `iss`). */
  appId: string;
  /** The `app_secret` (HS256 key), at least 32 characters. */
  secret: string;
  /** The token's `aud`; Jitsi's default is `jitsi`. */
  audience?: string;
  now?: () => Date;
}

const Occupancy = z.object({ participants: z.number().int().min(0) });

/**
 * Creates the Jitsi room service. `baseUrl` defaults to `https://<domain>`.
 *
 * @example
 * const tele = createJitsiTeleRooms({ domain: 'meet.clinic.example', appId: 'clinicbridge', secret });
 * const room = await tele.createRoom();
 * const link = await tele.issueJoin({ roomName: room.roomName, role: 'patient', participantRef: 'pat_1' });
 */
export function createJitsiTeleRooms(options: JitsiOptions): TeleRoomService {
  const provider = 'jitsi';
  if (options.secret.length < 32)
    throw new Error('The Jitsi app secret needs 32 characters or more.');
  const key = new TextEncoder().encode(options.secret);
  const origin = `https://${options.domain}`;
  const now = () => options.now?.() ?? new Date();
  const client = createProviderClient({
    provider,
    baseUrl: options.baseUrl ?? origin,
    ...pickAdapterOptions(options),
  });

  const sign = (claims: Record<string, unknown>, subjectRef: string, ttlSeconds: number) => {
    const issuedAt = Math.floor(now().getTime() / 1000);
    const expiresAt = issuedAt + ttlSeconds;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience(options.audience ?? 'jitsi')
      .setIssuer(options.appId)
      .setSubject(options.domain)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt - 30)
      .setExpirationTime(expiresAt)
      .setJti(subjectRef)
      .sign(key)
      .then((token) => ({ token, expiresAt: new Date(expiresAt * 1000).toISOString() }));
  };

  return {
    provider,
    async createRoom() {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      const roomName = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      return { provider, roomName, roomUrl: `${origin}/${roomName}` };
    },
    async issueJoin(raw) {
      const request = parseInput(TeleJoinRequestSchema, raw, provider, 'tele.issueJoin');
      const moderator = request.role === 'host';
      const { token, expiresAt } = await sign(
        {
          room: request.roomName,
          moderator,
          context: {
            user: {
              id: request.participantRef,
              name: request.displayName ?? (moderator ? 'Host' : 'Patient'),
              moderator,
            },
          },
        },
        `${request.participantRef}.${crypto.randomUUID()}`,
        request.ttlSeconds,
      );
      return { url: `${origin}/${request.roomName}?jwt=${token}`, token, expiresAt };
    },
    async participants(rawName) {
      const roomName = parseInput(TeleRoomNameSchema, rawName, provider, 'tele.participants');
      const { token } = await sign({ room: roomName, moderator: true }, 'occupancy', 60);
      try {
        const answer = await client.json({
          operation: 'tele.participants',
          path: '/room-size',
          searchParams: { room: roomName, domain: options.domain, token },
          schema: Occupancy,
        });
        return { roomName, count: answer.participants };
      } catch (error) {
        if (isProviderError(error) && error.code === 'not_found') return { roomName, count: 0 };
        throw error;
      }
    },
  };
}
