/**
 * A fake Jitsi Meet for tests: Prosody's `mod_muc_size` endpoint
 * (`GET /room-size?room=&domain=&token=`) answering `{ participants }`, 404
 * for a room nobody has opened, 403 for a token that does not verify with
 * the app secret (HS256, `iss` = app id, `aud` = `jitsi`). `enter(room, n)`
 * sets a room's occupancy; `outage()` makes every call a 503 until
 * `restore()`.
 */
import { jwtVerify } from 'jose';
import { HttpResponse, http } from 'msw';

/**
 * Domain the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'get', url: `https://${JITSI_DOMAIN}/room-size`, times: 2 }).handler);
 */
export const JITSI_DOMAIN = 'meet.jitsi.test';

/**
 * State of the fake Jitsi.
 *
 * @example
 * const jitsi = new FakeJitsi();
 * jitsi.enter(room.roomName, 2);
 * server.use(...jitsi.handlers());
 */
export class FakeJitsi {
  readonly appId: string;
  readonly secret: string;
  readonly requests: string[] = [];
  private readonly rooms = new Map<string, number>();
  private down = false;

  constructor(appId = 'clinicbridge', secret = 'jitsi-test-secret-0123456789abcdef') {
    this.appId = appId;
    this.secret = secret;
  }

  enter(roomName: string, count: number): void {
    this.rooms.set(roomName, count);
  }

  outage(): void {
    this.down = true;
  }

  restore(): void {
    this.down = false;
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.get(`https://${JITSI_DOMAIN}/room-size`, async ({ request }) => {
        const url = new URL(request.url);
        this.requests.push(`${request.method} ${url.pathname}`);
        if (this.down) return new HttpResponse(null, { status: 503 });
        const room = url.searchParams.get('room') ?? '';
        try {
          const { payload } = await jwtVerify(
            url.searchParams.get('token') ?? '',
            new TextEncoder().encode(this.secret),
            { issuer: this.appId, audience: 'jitsi', algorithms: ['HS256'] },
          );
          if (payload.room !== room && payload.room !== '*') throw new Error('room');
        } catch {
          return new HttpResponse(null, { status: 403 });
        }
        const count = this.rooms.get(room);
        if (count === undefined) return new HttpResponse(null, { status: 404 });
        return HttpResponse.json({ participants: count });
      }),
    ];
  }
}
