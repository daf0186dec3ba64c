/**
 * @clinicbridge/adapters/livekit — `TeleRoomService` on LiveKit (self-hosted
 * or LiveKit Cloud). Rooms are created through LiveKit's server API (Twirp:
 * `POST /twirp/livekit.RoomService/CreateRoom`, authorised by a short-lived
 * server token with the `roomCreate` grant) under a generated name, nothing
 * about the patient; occupancy is `ListParticipants` (`roomAdmin` for that
 * room), a room LiveKit no longer knows counting 0. A join link is the
 * clinic's meeting page with the LiveKit URL and a participant access token
 * (HS256 with the API secret: `iss` = API key, `sub` = the participant's
 * opaque reference, a `video` grant for that one room). The token also
 * carries the room's settings, so a room LiveKit closed while empty is
 * re-created with them when the first participant comes back.
 */
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
import { signAccessToken } from './access-token.ts';
import { mapTwirpError, roomServicePath } from './twirp.ts';

export { type AccessTokenClaims, signAccessToken, type VideoGrant } from './access-token.ts';
export { mapTwirpError } from './twirp.ts';

/**
 * LiveKit settings.
 *
 * @example
 * const options: LiveKitOptions = {
 *   url: 'https://video.clinic.example',
 *   apiKey: 'APIxxxx',
 *   apiSecret: process.env.TELE_LIVEKIT_API_SECRET!,
 *   meetUrl: 'https://meet.clinic.example/rooms',
 * };
 */
export interface LiveKitOptions extends AdapterOptions {
  /** The LiveKit server (`https://…`); clients connect to it over `wss://`. */
  url: string;
  /** The API key (the tokens' `iss`). */
  apiKey: string;
  /** The API secret (HS256 key), at least 32 characters as LiveKit requires. */
  apiSecret: string;
  /**
   * The meeting page participants open (a LiveKit Meet deployment or the
   * clinic's own): a link is `<meetUrl>/<room>?liveKitUrl=<wss url>&token=<token>`.
   */
  meetUrl: string;
  /** Seconds LiveKit keeps an empty room open (default 1 hour). */
  emptyTimeoutSeconds?: number;
  /** Most participants a room admits (default 4: clinician, patient, companion, interpreter). */
  maxParticipants?: number;
  now?: () => Date;
}

const Room = z.object({ name: z.string(), sid: z.string().optional() });
const Participants = z.object({
  participants: z
    .array(z.object({ state: z.union([z.string(), z.number()]).optional() }))
    .max(10_000)
    .default([]),
});

/** Lifetime of the server's own API tokens: one call, with its retries. */
const SERVER_TOKEN_TTL_SECONDS = 600;

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * Creates the LiveKit room service. `baseUrl` (where API calls go) defaults to `url`.
 *
 * @example
 * const tele = createLiveKitTeleRooms({ url, apiKey, apiSecret, meetUrl });
 * const room = await tele.createRoom();
 * const link = await tele.issueJoin({ roomName: room.roomName, role: 'patient', participantRef: 'pat_1' });
 */
export function createLiveKitTeleRooms(options: LiveKitOptions): TeleRoomService {
  const provider = 'livekit';
  if (options.apiSecret.length < 32)
    throw new Error('The LiveKit API secret needs 32 characters or more.');
  const server = new URL(options.url);
  if (server.protocol !== 'https:' && server.protocol !== 'http:')
    throw new Error('The LiveKit URL must be http(s)://, e.g. https://video.clinic.example.');
  const socketUrl = trimSlash(server.href).replace(/^http/, 'ws');
  const meetUrl = trimSlash(new URL(options.meetUrl).href);
  const roomConfig = {
    emptyTimeout: options.emptyTimeoutSeconds ?? 3600,
    maxParticipants: options.maxParticipants ?? 4,
  };
  const signer = {
    apiKey: options.apiKey,
    key: new TextEncoder().encode(options.apiSecret),
    now: () => options.now?.() ?? new Date(),
  };
  const client = createProviderClient({
    provider,
    baseUrl: options.baseUrl ?? trimSlash(server.href),
    mapError: mapTwirpError,
    ...pickAdapterOptions(options),
  });
  const serverToken = async (video: { roomCreate: true } | { roomAdmin: true; room: string }) =>
    `Bearer ${(await signAccessToken(signer, { video, ttlSeconds: SERVER_TOKEN_TTL_SECONDS })).token}`;

  return {
    provider,
    async createRoom() {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      const roomName = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      const room = await client.json({
        operation: 'tele.createRoom',
        method: 'post',
        path: roomServicePath('CreateRoom'),
        headers: { authorization: await serverToken({ roomCreate: true }) },
        json: { name: roomName, ...roomConfig },
        // CreateRoom of a name that exists answers that room: a retry cannot make two.
        idempotent: true,
        schema: Room,
      });
      return { provider, roomName: room.name, roomUrl: `${meetUrl}/${room.name}` };
    },
    async issueJoin(raw) {
      const request = parseInput(TeleJoinRequestSchema, raw, provider, 'tele.issueJoin');
      const host = request.role === 'host';
      const { token, expiresAt } = await signAccessToken(signer, {
        identity: request.participantRef,
        name: request.displayName ?? (host ? 'Host' : 'Patient'),
        video: {
          roomJoin: true,
          room: request.roomName,
          canPublish: true,
          canSubscribe: true,
          canPublishData: true,
          ...(host ? { roomAdmin: true } : {}),
        },
        roomConfig,
        ttlSeconds: request.ttlSeconds,
      });
      const query = new URLSearchParams({ liveKitUrl: socketUrl, token });
      return { url: `${meetUrl}/${request.roomName}?${query}`, token, expiresAt };
    },
    async participants(rawName) {
      const roomName = parseInput(TeleRoomNameSchema, rawName, provider, 'tele.participants');
      try {
        const answer = await client.json({
          operation: 'tele.participants',
          method: 'post',
          path: roomServicePath('ListParticipants'),
          headers: { authorization: await serverToken({ roomAdmin: true, room: roomName }) },
          json: { room: roomName },
          readOnly: true,
          schema: Participants,
        });
        const present = answer.participants.filter(
          (p) => p.state !== 'DISCONNECTED' && p.state !== 3,
        );
        return { roomName, count: present.length };
      } catch (error) {
        if (isProviderError(error) && error.code === 'not_found') return { roomName, count: 0 };
        throw error;
      }
    },
  };
}
