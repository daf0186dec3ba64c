/**
 * A fake Twilio Messages API for tests: Basic auth with account SID (or API
 * key), form bodies, `201` message resources and Twilio's error shape
 * (`{ code, message, more_info, status }`).
 */
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'all', url: `${TWILIO_API}/*` }).handler);
 */
export const TWILIO_API = 'https://api.twilio.com';

/**
 * State of the fake Twilio account.
 *
 * @example
 * const twilio = new FakeTwilio();
 * server.use(...twilio.handlers());
 * twilio.sent[0]?.Body;
 */
export class FakeTwilio {
  readonly sent: Array<Record<string, string> & { sid: string }> = [];
  readonly requests: Array<{ path: string; body: string }> = [];
  /** Numbers that replied STOP. */
  readonly optedOut = new Set<string>();
  private seq = 0;

  readonly accountSid: string;
  readonly authToken: string;

  constructor(
    accountSid = 'AC00000000000000000000000000000001',
    authToken = 'twilio-auth-token-fake',
  ) {
    this.accountSid = accountSid;
    this.authToken = authToken;
  }

  private static error(status: number, code: number, message: string) {
    return HttpResponse.json(
      { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
      { status, headers: { 'twilio-request-id': 'RQfake' } },
    );
  }

  /** MSW handlers for the fake. */
  handlers() {
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    return [
      http.post(
        `${TWILIO_API}/2010-04-01/Accounts/:accountSid/Messages.json`,
        async ({ request, params }) => {
          const text = await request.text();
          this.requests.push({ path: new URL(request.url).pathname, body: text });
          if (
            request.headers.get('authorization') !== expected ||
            params.accountSid !== this.accountSid
          ) {
            return FakeTwilio.error(401, 20003, 'Authenticate');
          }
          const form = Object.fromEntries(new URLSearchParams(text));
          const to = form.To ?? '';
          // Twilio's real messages quote the number; the adapter must not pass them on.
          if (!/^\+[1-9]\d{6,14}$/.test(to))
            return FakeTwilio.error(
              400,
              21211,
              `The 'To' number ${to} is not a valid phone number.`,
            );
          if (!form.From && !form.MessagingServiceSid)
            return FakeTwilio.error(400, 21603, "A 'From' phone number is required.");
          if (!form.Body) return FakeTwilio.error(400, 21602, 'Message body is required.');
          if (this.optedOut.has(to))
            return FakeTwilio.error(400, 21610, `Attempt to send to unsubscribed recipient ${to}`);
          this.seq += 1;
          const sid = `SM${String(this.seq).padStart(32, '0')}`;
          this.sent.push({ ...form, sid });
          return HttpResponse.json(
            {
              sid,
              account_sid: this.accountSid,
              to,
              from: form.From ?? null,
              messaging_service_sid: form.MessagingServiceSid ?? null,
              body: form.Body,
              status: 'queued',
              num_segments: '1',
              direction: 'outbound-api',
              api_version: '2010-04-01',
              uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}.json`,
            },
            { status: 201 },
          );
        },
      ),
    ];
  }
}
