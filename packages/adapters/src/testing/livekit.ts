/**
 * A fake LiveKit server for tests: the RoomService over Twirp
 * (`POST /twirp/livekit.RoomService/CreateRoom` and `ListParticipants`,
 * JSON bodies, `Authorization: Bearer <access token>`), answering as
 * LiveKit documents it — a `Room` (`sid`, `name`, `empty_timeout`,
 * `max_participants`, `creation_time` as an int64 string), `{ participants }`
 * (left out when empty), and Twirp errors `{ code, msg }`: `unauthenticated`
 * (401) for a token that does not verify with the API secret (HS256,
 * `iss` = API key), `permission_denied` (403) for a grant that does not
 * cover the call, `not_found` (404) for a room it does not know,
 * `invalid_argument` (400), `bad_route` (404) for a body that is not JSON.
 * `enter(room, n)` puts participants in a room (creating it, as a join
 * does); `outage()` answers `unavailable` (503) until `restore()`;
 * `verifyJoin(token)` checks a join token as the server would on connect.
 */
import { type JWTPayload, jwtVerify } from 'jose';
import { HttpResponse, http } from 'msw';

/**
 * Origin the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'post', url: `${LIVEKIT_API}/twirp/livekit.RoomService/ListParticipants` }).handler);
 */
export const LIVEKIT_API = 'https://livekit.test';

/**
 * A room the fake holds.
 *
 * @example
 * expect(livekit.rooms.get(roomName)?.maxParticipants).toBe(4);
 */
export interface FakeLiveKitRoom {
  sid: string;
  name: string;
  emptyTimeout: number;
  maxParticipants: number;
  createdAt: number;
  participants: number;
}

type Grant = {
  roomCreate?: boolean;
  roomAdmin?: boolean;
  roomJoin?: boolean;
  room?: string;
};

const twirpError = (status: number, code: string, msg: string) =>
  HttpResponse.json({ code, msg }, { status });

const readInt = (body: Record<string, unknown>, camel: string, snake: string, fallback: number) => {
  const value = body[camel] ?? body[snake];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
};

/**
 * State of the fake LiveKit.
 *
 * @example
 * const livekit = new FakeLiveKit();
 * server.use(...livekit.handlers());
 * const tele = createLiveKitTeleRooms({ url: LIVEKIT_API, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret, meetUrl });
 */
export class FakeLiveKit {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly requests: string[] = [];
  readonly rooms = new Map<string, FakeLiveKitRoom>();
  private down = false;

  constructor(apiKey = 'APIclinicbridge', apiSecret = 'livekit-test-secret-0123456789abcdef') {
    this.apiKey = apiKey;
    this.apiSecret = apiSecret;
  }

  /** Puts `count` participants in a room, creating it as a participant's join would. */
  enter(roomName: string, count: number): void {
    const room = this.rooms.get(roomName) ?? this.create(roomName, 300, 0);
    room.participants = count;
  }

  outage(): void {
    this.down = true;
  }

  restore(): void {
    this.down = false;
  }

  /**
   * Verifies a participant's join token as LiveKit does on connect: HS256
   * with the API secret, `iss` the API key, a `roomJoin` grant for a room.
   */
  async verifyJoin(
    token: string,
  ): Promise<JWTPayload & { video: Grant & { room: string }; name?: string }> {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(this.apiSecret), {
      issuer: this.apiKey,
      algorithms: ['HS256'],
    });
    const video = payload.video as Grant | undefined;
    if (!video?.roomJoin || typeof video.room !== 'string' || !payload.sub)
      throw new Error('not a join token');
    return payload as JWTPayload & { video: Grant & { room: string }; name?: string };
  }

  private create(name: string, emptyTimeout: number, maxParticipants: number): FakeLiveKitRoom {
    const room: FakeLiveKitRoom = {
      sid: `RM_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`,
      name,
      emptyTimeout,
      maxParticipants,
      createdAt: Math.floor(Date.now() / 1000),
      participants: 0,
    };
    this.rooms.set(name, room);
    return room;
  }

  private async grant(request: Request): Promise<Grant | Response> {
    const header = request.headers.get('authorization') ?? '';
    if (!header.startsWith('Bearer '))
      return twirpError(401, 'unauthenticated', 'authorization header is missing');
    try {
      const { payload } = await jwtVerify(
        header.slice('Bearer '.length),
        new TextEncoder().encode(this.apiSecret),
        { issuer: this.apiKey, algorithms: ['HS256'] },
      );
      return (payload.video as Grant | undefined) ?? {};
    } catch {
      return twirpError(401, 'unauthenticated', 'invalid token');
    }
  }

  private async body(request: Request): Promise<Record<string, unknown> | Response> {
    if (!(request.headers.get('content-type') ?? '').startsWith('application/json'))
      return twirpError(404, 'bad_route', 'unexpected Content-Type');
    try {
      const parsed = (await request.json()) as unknown;
      if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      // falls through to malformed
    }
    return twirpError(400, 'malformed', 'the json request could not be decoded');
  }

  private roomJson(room: FakeLiveKitRoom) {
    return {
      sid: room.sid,
      name: room.name,
      empty_timeout: room.emptyTimeout,
      max_participants: room.maxParticipants,
      creation_time: String(room.createdAt),
      num_participants: room.participants,
    };
  }

  /** MSW handlers for the fake. */
  handlers() {
    const method = (
      name: string,
      answer: (grant: Grant, body: Record<string, unknown>) => Response,
    ) =>
      http.post(`${LIVEKIT_API}/twirp/livekit.RoomService/${name}`, async ({ request }) => {
        this.requests.push(`POST ${new URL(request.url).pathname}`);
        if (this.down) return twirpError(503, 'unavailable', 'the service is unavailable');
        const grant = await this.grant(request);
        if (grant instanceof Response) return grant;
        const body = await this.body(request);
        if (body instanceof Response) return body;
        return answer(grant, body);
      });
    return [
      method('CreateRoom', (grant, body) => {
        if (!grant.roomCreate) return twirpError(403, 'permission_denied', 'permissions denied');
        if (typeof body.name !== 'string' || body.name === '')
          return twirpError(400, 'invalid_argument', 'room name is required');
        const room =
          this.rooms.get(body.name) ??
          this.create(
            body.name,
            readInt(body, 'emptyTimeout', 'empty_timeout', 300),
            readInt(body, 'maxParticipants', 'max_participants', 0),
          );
        return HttpResponse.json(this.roomJson(room));
      }),
      method('ListParticipants', (grant, body) => {
        if (!grant.roomAdmin || grant.room !== body.room)
          return twirpError(403, 'permission_denied', 'permissions denied');
        const room = typeof body.room === 'string' ? this.rooms.get(body.room) : undefined;
        if (!room) return twirpError(404, 'not_found', 'requested room does not exist');
        if (room.participants === 0) return HttpResponse.json({});
        return HttpResponse.json({
          participants: Array.from({ length: room.participants }, (_, i) => ({
            sid: `PA_${i}`,
            identity: `participant-${i}`,
            state: 'ACTIVE',
            joined_at: String(room.createdAt),
          })),
        });
      }),
    ];
  }
}
