/**
 * The conformance suite every `TeleRoomService` adapter must pass, run by
 * each adapter's test against its fake provider: generated room names that
 * carry nothing of the caller, join links whose token verifies for that room
 * and role and expires within the asked lifetime, validation before any
 * call (room creation aside), occupancy (0 for an unopened room), and
 * retries of a 5xx burst.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { serverErrors } from '../../testing/failures.ts';
import type { TeleRoomService } from '../tele-rooms.ts';
import { rejection } from './rejection.ts';

/** What the provider reads from a join link once it has verified its token. */
export interface VerifiedJoin {
  room: string;
  moderator: boolean;
  displayName: string;
  expiresAt: Date;
}

export interface TeleRoomServiceHarness {
  name: string;
  occupancyUrl: string | RegExp;
  /** How the occupancy call is made (Twirp APIs POST); default `get`. */
  occupancyMethod?: 'get' | 'post';
  setup(): {
    tele: TeleRoomService;
    handlers: RequestHandler[];
    /** Verifies a link as the provider would; rejects a forged one. */
    verify(url: string): Promise<VerifiedJoin>;
    enter(roomName: string, count: number): void;
    requests(): string[];
  };
}

export function describeTeleRoomServiceConformance(harness: TeleRoomServiceHarness): void {
  describe(`TeleRoomService conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };

    test('room names are generated, distinct and opaque', async () => {
      const env = start();
      const [a, b] = [await env.tele.createRoom(), await env.tele.createRoom()];
      expect(a.roomName).toMatch(/^[a-z0-9]{16,64}$/);
      expect(a.roomName).not.toBe(b.roomName);
      expect(a.roomUrl.endsWith(`/${a.roomName}`)).toBe(true);
    });

    test('a join link verifies for its room and role, with the given display name and lifetime', async () => {
      const env = start();
      const { roomName } = await env.tele.createRoom();
      const before = Date.now();
      const patient = await env.tele.issueJoin({
        roomName,
        role: 'patient',
        participantRef: 'pat_1',
        ttlSeconds: 600,
      });
      const seen = await env.verify(patient.url);
      expect(seen).toMatchObject({ room: roomName, moderator: false, displayName: 'Patient' });
      expect(seen.expiresAt.getTime()).toBeLessThanOrEqual(before + 601_000);
      expect(new Date(patient.expiresAt).getTime()).toBe(seen.expiresAt.getTime());
      const host = await env.tele.issueJoin({
        roomName,
        role: 'host',
        participantRef: 'usr_1',
        displayName: 'Dr. K',
      });
      expect(await env.verify(host.url)).toMatchObject({ moderator: true, displayName: 'Dr. K' });
    });

    test('a tampered link does not verify', async () => {
      const env = start();
      const { roomName } = await env.tele.createRoom();
      const link = await env.tele.issueJoin({ roomName, role: 'patient', participantRef: 'p' });
      const forged = link.url.replace(/.{4}$/, (tail) => (tail === 'AAAA' ? 'BBBB' : 'AAAA'));
      await expect(env.verify(forged)).rejects.toThrow();
    });

    test('invalid input is invalid_request before any call', async () => {
      const env = start();
      const { roomName } = await env.tele.createRoom();
      const made = env.requests().length;
      const bad = await rejection(
        env.tele.issueJoin({ roomName: 'Jane Doe', role: 'patient', participantRef: 'p' }),
      );
      expect(bad.code).toBe('invalid_request');
      expect(bad.fields).toEqual(['roomName']);
      expect(
        (
          await rejection(
            env.tele.issueJoin({ roomName, role: 'patient', participantRef: 'p', ttlSeconds: 1 }),
          )
        ).fields,
      ).toEqual(['ttlSeconds']);
      expect((await rejection(env.tele.participants('x y'))).code).toBe('invalid_request');
      expect(env.requests()).toHaveLength(made);
    });

    test('occupancy: an unopened room counts 0, an open one its participants', async () => {
      const env = start();
      const { roomName } = await env.tele.createRoom();
      expect(await env.tele.participants(roomName)).toEqual({ roomName, count: 0 });
      env.enter(roomName, 2);
      expect(await env.tele.participants(roomName)).toEqual({ roomName, count: 2 });
    });

    test('a 5xx burst is retried into one answer', async () => {
      const env = start();
      const { roomName } = await env.tele.createRoom();
      env.enter(roomName, 1);
      server.use(
        serverErrors({
          method: harness.occupancyMethod ?? 'get',
          url: harness.occupancyUrl,
          times: 2,
        }).handler,
      );
      expect((await env.tele.participants(roomName)).count).toBe(1);
    });
  });
}
