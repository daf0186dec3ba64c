/** The LiveKit adapter against the fake: conformance, the tokens' claims, Twirp errors, an unavailable server. */
import { decodeJwt, jwtVerify } from 'jose';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { describeTeleRoomServiceConformance } from '../ports/__fixtures__/tele-room-service.case.ts';
import { serverErrors } from '../testing/failures.ts';
import { FakeLiveKit, LIVEKIT_API } from '../testing/livekit.ts';
import { createLiveKitTeleRooms } from './index.ts';

const MEET = 'https://meet.clinic.test/rooms';
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };
const CREATE = `${LIVEKIT_API}/twirp/livekit.RoomService/CreateRoom`;
const LIST = `${LIVEKIT_API}/twirp/livekit.RoomService/ListParticipants`;

const build = (fake: FakeLiveKit, secret = fake.apiSecret) =>
  createLiveKitTeleRooms({
    url: LIVEKIT_API,
    apiKey: fake.apiKey,
    apiSecret: secret,
    meetUrl: MEET,
    policies: fast,
  });

const verify = async (fake: FakeLiveKit, url: string) => {
  const parsed = new URL(url);
  const payload = await fake.verifyJoin(parsed.searchParams.get('token') ?? '');
  if (parsed.pathname !== `/rooms/${payload.video.room}`) throw new Error('room mismatch');
  return {
    room: payload.video.room,
    moderator: (payload.video as { roomAdmin?: boolean }).roomAdmin === true,
    displayName: String(payload.name),
    expiresAt: new Date((payload.exp ?? 0) * 1000),
  };
};

describeTeleRoomServiceConformance({
  name: 'livekit',
  occupancyUrl: LIST,
  occupancyMethod: 'post',
  setup() {
    const fake = new FakeLiveKit();
    return {
      tele: build(fake),
      handlers: fake.handlers(),
      verify: (url) => verify(fake, url),
      enter: (room, count) => fake.enter(room, count),
      requests: () => fake.requests,
    };
  },
});

describe('livekit specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const start = () => {
    const fake = new FakeLiveKit();
    server.use(...fake.handlers());
    return { fake, tele: build(fake) };
  };

  test('the room is created on LiveKit with its limits; the join token carries the video grant for that room only', async () => {
    const { fake, tele } = start();
    const room = await tele.createRoom();
    expect(room).toEqual({
      provider: 'livekit',
      roomName: expect.stringMatching(/^[a-f0-9]{32}$/),
      roomUrl: `${MEET}/${room.roomName}`,
    });
    expect(fake.rooms.get(room.roomName)).toMatchObject({ emptyTimeout: 3600, maxParticipants: 4 });
    const link = await tele.issueJoin({
      roomName: room.roomName,
      role: 'patient',
      participantRef: 'pat_9',
      ttlSeconds: 900,
    });
    const url = new URL(link.url);
    expect(url.searchParams.get('liveKitUrl')).toBe('wss://livekit.test');
    expect(url.searchParams.get('token')).toBe(link.token);
    const { payload, protectedHeader } = await jwtVerify(
      link.token,
      new TextEncoder().encode(fake.apiSecret),
    );
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({
      iss: fake.apiKey,
      sub: 'pat_9',
      name: 'Patient',
      video: { roomJoin: true, room: room.roomName, canPublish: true, canSubscribe: true },
      roomConfig: { emptyTimeout: 3600, maxParticipants: 4 },
    });
    expect((payload.video as Record<string, unknown>).roomAdmin).toBeUndefined();
    expect((payload.exp ?? 0) - (payload.nbf ?? 0)).toBe(900 + 30);
    expect(Object.keys(payload).sort()).toEqual(
      ['exp', 'iss', 'jti', 'name', 'nbf', 'roomConfig', 'sub', 'video'].sort(),
    );
  });

  test('server calls carry a short-lived token with only the grant they need', async () => {
    const { fake, tele } = start();
    const seen: Record<string, unknown>[] = [];
    server.events.on('request:start', ({ request }) => {
      const header = request.headers.get('authorization');
      if (header) seen.push(decodeJwt(header.slice('Bearer '.length)));
    });
    const { roomName } = await tele.createRoom();
    await tele.participants(roomName);
    server.events.removeAllListeners();
    expect(seen.map((claims) => claims.video)).toEqual([
      { roomCreate: true },
      { roomAdmin: true, room: roomName },
    ]);
    for (const claims of seen) {
      expect(claims.iss).toBe(fake.apiKey);
      expect(claims.sub).toBeUndefined();
      expect(Number(claims.exp) - Date.now() / 1000).toBeLessThanOrEqual(600);
    }
  });

  test('Twirp errors map to internal codes, keeping the Twirp code and never its message', async () => {
    const { fake } = start();
    const wrong = build(fake, 'another-secret-0123456789abcdefghijkl');
    const denied = await rejection(wrong.createRoom());
    expect([denied.code, denied.providerCode, denied.status]).toEqual([
      'auth_failed',
      'unauthenticated',
      401,
    ]);
    expect(denied.message).not.toContain('invalid token');
    server.use(
      serverErrors({
        method: 'post',
        url: CREATE,
        status: 500,
        body: { code: 'internal', msg: 'boom' },
        times: 5,
      }).handler,
    );
    const internal = await rejection(build(fake).createRoom());
    expect([internal.code, internal.providerCode]).toEqual(['provider_unavailable', 'internal']);
  });

  test('a short secret or a non-http URL is refused at construction', () => {
    const base = { url: LIVEKIT_API, apiKey: 'k', meetUrl: MEET };
    expect(() => createLiveKitTeleRooms({ ...base, apiSecret: 'short' })).toThrow(/32/);
    expect(() =>
      createLiveKitTeleRooms({
        ...base,
        url: 'ftp://livekit.test',
        apiSecret: 'x'.repeat(32),
      }),
    ).toThrow(/http/);
  });

  test('a LiveKit that stays down is provider_unavailable, then the breaker stops calling', async () => {
    const { fake, tele } = start();
    fake.outage();
    expect((await rejection(tele.createRoom())).code).toBe('provider_unavailable');
    const before = fake.requests.length;
    expect((await rejection(tele.createRoom())).circuitOpen).toBe(true);
    expect(fake.requests.length).toBe(before);
  });
});
