/**
 * A fake SendGrid v3 Mail Send API for tests: Bearer API key, dynamic
 * templates, `202` with `X-Message-Id`, and SendGrid's error shape
 * (`{ errors: [{ message, field, help }] }`).
 */
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'all', url: `${SENDGRID_API}/*` }).handler);
 */
export const SENDGRID_API = 'https://api.sendgrid.com';

interface MailSend {
  personalizations?: Array<{
    to?: Array<{ email?: string }>;
    dynamic_template_data?: Record<string, unknown>;
  }>;
  from?: { email?: string };
  template_id?: string;
}

/**
 * State of the fake SendGrid account.
 *
 * @example
 * const sendgrid = new FakeSendGrid();
 * server.use(...sendgrid.handlers());
 * sendgrid.sent[0]?.template_id;
 */
export class FakeSendGrid {
  readonly sent: Array<MailSend & { messageId: string }> = [];
  readonly requests: Array<{ body: string }> = [];
  private seq = 0;

  readonly apiKey: string;

  constructor(apiKey = 'SG.fake-key') {
    this.apiKey = apiKey;
  }

  private static error(status: number, field: string | null, message: string) {
    return HttpResponse.json({ errors: [{ message, field, help: null }] }, { status });
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.post(`${SENDGRID_API}/v3/mail/send`, async ({ request }) => {
        const text = await request.text();
        this.requests.push({ body: text });
        if (request.headers.get('authorization') !== `Bearer ${this.apiKey}`) {
          return FakeSendGrid.error(
            401,
            null,
            'The provided authorization grant is invalid, expired, or revoked',
          );
        }
        const body = JSON.parse(text) as MailSend;
        const to = body.personalizations?.[0]?.to?.[0]?.email;
        if (!to?.includes('@'))
          return FakeSendGrid.error(
            400,
            'personalizations.0.to.0.email',
            'Does not contain a valid address.',
          );
        if (!body.from?.email)
          return FakeSendGrid.error(
            400,
            'from.email',
            'The from email does not contain a valid address.',
          );
        if (!body.template_id?.startsWith('d-'))
          return FakeSendGrid.error(400, 'template_id', 'The template_id must be a valid GUID.');
        this.seq += 1;
        const messageId = `sg-msg-${this.seq}`;
        this.sent.push({ ...body, messageId });
        return new HttpResponse(null, { status: 202, headers: { 'x-message-id': messageId } });
      }),
    ];
  }
}
