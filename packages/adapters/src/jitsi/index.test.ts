/** The Jitsi adapter against the fake: conformance, the token's claims, an unavailable Prosody. */
import { jwtVerify } from 'jose';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { describeTeleRoomServiceConformance } from '../ports/__fixtures__/tele-room-service.case.ts';
import { FakeJitsi, JITSI_DOMAIN } from '../testing/jitsi.ts';
import { createJitsiTeleRooms } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

const build = (fake: FakeJitsi) =>
  createJitsiTeleRooms({
    domain: JITSI_DOMAIN,
    appId: fake.appId,
    secret: fake.secret,
    policies: fast,
  });

const verify = async (fake: FakeJitsi, url: string) => {
  const parsed = new URL(url);
  const { payload } = await jwtVerify(
    parsed.searchParams.get('jwt') ?? '',
    new TextEncoder().encode(fake.secret),
    { issuer: fake.appId, audience: 'jitsi', subject: JITSI_DOMAIN, algorithms: ['HS256'] },
  );
  if (parsed.pathname !== `/${String(payload.room)}`) throw new Error('room mismatch');
  const user = (payload.context as { user: { name: string; moderator: boolean } }).user;
  return {
    room: String(payload.room),
    moderator: user.moderator,
    displayName: user.name,
    expiresAt: new Date((payload.exp ?? 0) * 1000),
  };
};

describeTeleRoomServiceConformance({
  name: 'jitsi',
  occupancyUrl: `https://${JITSI_DOMAIN}/room-size`,
  setup() {
    const fake = new FakeJitsi();
    return {
      tele: build(fake),
      handlers: fake.handlers(),
      verify: (url) => verify(fake, url),
      enter: (room, count) => fake.enter(room, count),
      requests: () => fake.requests,
    };
  },
});

describe('jitsi specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  test('the link is https://<domain>/<room>?jwt=…; the token carries aud/iss/sub/room and no more about the person than asked', async () => {
    const fake = new FakeJitsi();
    const tele = build(fake);
    const { roomName } = await tele.createRoom();
    const link = await tele.issueJoin({ roomName, role: 'patient', participantRef: 'pat_9' });
    expect(link.url).toBe(`https://${JITSI_DOMAIN}/${roomName}?jwt=${link.token}`);
    const { payload, protectedHeader } = await jwtVerify(
      link.token,
      new TextEncoder().encode(fake.secret),
    );
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({
      aud: 'jitsi',
      iss: 'clinicbridge',
      sub: JITSI_DOMAIN,
      room: roomName,
      context: { user: { id: 'pat_9', name: 'Patient', moderator: false } },
    });
    expect(Object.keys((payload.context as { user: object }).user).sort()).toEqual([
      'id',
      'moderator',
      'name',
    ]);
  });

  test('a short secret is refused at construction', () => {
    expect(() =>
      createJitsiTeleRooms({ domain: JITSI_DOMAIN, appId: 'a', secret: 'short' }),
    ).toThrow(/32/);
  });

  test('a Prosody that stays down is provider_unavailable, then the breaker stops calling', async () => {
    const fake = new FakeJitsi();
    server.use(...fake.handlers());
    fake.outage();
    const tele = build(fake);
    const { roomName } = await tele.createRoom();
    expect((await rejection(tele.participants(roomName))).code).toBe('provider_unavailable');
    const before = fake.requests.length;
    expect((await rejection(tele.participants(roomName))).circuitOpen).toBe(true);
    expect(fake.requests.length).toBe(before);
  });
});
