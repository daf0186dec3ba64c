/**
 * A fake WhatsApp Cloud API (Graph API) for tests: template sends on
 * `POST /{version}/{phone-number-id}/messages` with Bearer tokens and Meta's
 * error envelope (`{ error: { message, type, code, error_subcode, fbtrace_id } }`).
 */
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'all', url: `${WHATSAPP_API}/*` }).handler);
 */
export const WHATSAPP_API = 'https://graph.facebook.com';

interface GraphTemplateMessage {
  messaging_product?: string;
  to?: string;
  type?: string;
  template?: { name?: string; language?: { code?: string }; components?: unknown[] };
}

/**
 * State of the fake WhatsApp business number.
 *
 * @example
 * const wa = new FakeWhatsApp();
 * server.use(...wa.handlers());
 * wa.sent.length;
 */
export class FakeWhatsApp {
  readonly sent: Array<{
    id: string;
    to: string;
    template: string;
    language: string;
    body: GraphTemplateMessage;
  }> = [];
  readonly requests: Array<{ path: string; body: string }> = [];
  /** Approved template names. */
  readonly approvedTemplates = new Set<string>([
    'appointment_reminder_v2',
    'lab_result_ready_v1',
    'new_message_v1',
  ]);
  /** Numbers (digits only) that are not on WhatsApp. */
  readonly unreachable = new Set<string>();
  private seq = 0;

  readonly accessToken: string;
  readonly phoneNumberId: string;

  constructor(accessToken = 'EAAG-fake-token', phoneNumberId = '106540352242922') {
    this.accessToken = accessToken;
    this.phoneNumberId = phoneNumberId;
  }

  private static error(status: number, code: number, type: string, subcode?: number) {
    return HttpResponse.json(
      {
        error: {
          message: 'See the error code.',
          type,
          code,
          ...(subcode ? { error_subcode: subcode } : {}),
          error_data: { messaging_product: 'whatsapp', details: 'See the error code.' },
          fbtrace_id: 'AbCdEfGhIjK',
        },
      },
      { status },
    );
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.post(`${WHATSAPP_API}/:version/:phoneNumberId/messages`, async ({ request, params }) => {
        const text = await request.text();
        this.requests.push({ path: new URL(request.url).pathname, body: text });
        if (request.headers.get('authorization') !== `Bearer ${this.accessToken}`) {
          return FakeWhatsApp.error(401, 190, 'OAuthException', 463);
        }
        if (params.phoneNumberId !== this.phoneNumberId)
          return FakeWhatsApp.error(400, 100, 'GraphMethodException', 33);
        const body = JSON.parse(text) as GraphTemplateMessage;
        if (body.messaging_product !== 'whatsapp' || body.type !== 'template' || !body.to) {
          return FakeWhatsApp.error(400, 100, 'OAuthException');
        }
        const name = body.template?.name ?? '';
        if (!this.approvedTemplates.has(name))
          return FakeWhatsApp.error(404, 132001, 'OAuthException');
        if (this.unreachable.has(body.to)) return FakeWhatsApp.error(400, 131026, 'OAuthException');
        this.seq += 1;
        const id = `wamid.HBgM${String(this.seq).padStart(8, '0')}`;
        this.sent.push({
          id,
          to: body.to,
          template: name,
          language: body.template?.language?.code ?? '',
          body,
        });
        return HttpResponse.json({
          messaging_product: 'whatsapp',
          contacts: [{ input: body.to, wa_id: body.to }],
          messages: [{ id, message_status: 'accepted' }],
        });
      }),
    ];
  }
}
