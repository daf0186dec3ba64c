/**
 * A fake e-Fatura integrator for tests, in the shape the `efatura-rest`
 * adapter documents: bearer API key, `POST /v1/invoices` with
 * `Idempotency-Key` replay (and one invoice per ETTN), `GET
 * /v1/invoices/{ettn}`, `GET /v1/invoices/{ettn}/pdf` (409 `NOT_APPROVED`
 * before approval) and the error shape `{ error: { code, message } }`. GİB's
 * answer is set with `decide()`; `outage()` makes every call a 503 until
 * `restore()`.
 */
import { HttpResponse, http } from 'msw';
import { partnerError, ReplayCache, readIdempotentJson } from './shared.ts';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'post', url: `${EFATURA_API}/v1/invoices`, times: 2 }).handler);
 */
export const EFATURA_API = 'https://api.efatura-integrator.example';

interface StoredInvoice {
  ettn: string;
  reference: string;
  status: 'QUEUED' | 'SENT' | 'APPROVED' | 'REJECTED';
  reason_code: string | null;
  body: Record<string, unknown>;
}

const ETTN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The small PDF the fake answers for an approved invoice.
 *
 * @example
 * expect(Buffer.from(stored).toString('latin1')).toContain(ettn);
 */
export const fakeInvoicePdf = (ettn: string): Uint8Array =>
  new Uint8Array(
    Buffer.from(
      `%PDF-1.4\n% e-Fatura ${ettn}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
      'latin1',
    ),
  );

/**
 * State of the fake integrator.
 *
 * @example
 * const integrator = new FakeEFatura();
 * server.use(...integrator.handlers());
 * integrator.decide(ettn, 'approved');
 */
export class FakeEFatura {
  readonly apiKey: string;
  readonly requests: string[] = [];
  /** Invoices by ETTN. */
  readonly invoices = new Map<string, StoredInvoice>();
  private readonly replay = new ReplayCache();
  private down = false;

  constructor(apiKey = 'efatura-test-key') {
    this.apiKey = apiKey;
  }

  /** GİB's answer about an invoice: approved, or rejected with a code (default `GIB_1163`). */
  decide(ettn: string, outcome: 'approved' | 'rejected', reasonCode = 'GIB_1163'): void {
    const invoice = this.invoices.get(ettn);
    if (!invoice) throw new Error(`no invoice ${ettn}`);
    invoice.status = outcome === 'approved' ? 'APPROVED' : 'REJECTED';
    invoice.reason_code = outcome === 'rejected' ? reasonCode : null;
  }

  /** Every call answers 503 until {@link restore}. */
  outage(): void {
    this.down = true;
  }

  restore(): void {
    this.down = false;
  }

  private static error(status: number, code: string, message: string) {
    return partnerError(status, code, message);
  }

  private static view(invoice: StoredInvoice) {
    return { ettn: invoice.ettn, status: invoice.status, reason_code: invoice.reason_code };
  }

  private gate(request: Request): Response | undefined {
    this.requests.push(`${request.method} ${new URL(request.url).pathname}`);
    if (this.down) return FakeEFatura.error(503, 'UNAVAILABLE', 'Scheduled maintenance');
    if (request.headers.get('authorization') !== `Bearer ${this.apiKey}`)
      return FakeEFatura.error(401, 'UNAUTHORIZED', 'Invalid API key');
    return undefined;
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.post(`${EFATURA_API}/v1/invoices`, async ({ request }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const read = await readIdempotentJson(request, this.replay);
        if (read instanceof Response) return read;
        const { body, key, text } = read;
        const { ettn, reference } = body;
        if (
          typeof ettn !== 'string' ||
          !ETTN.test(ettn) ||
          typeof reference !== 'string' ||
          !Array.isArray(body.lines) ||
          body.lines.length === 0
        )
          return FakeEFatura.error(
            422,
            'VALIDATION_ERROR',
            'ettn, reference and lines are required',
          );
        const existing = this.invoices.get(ettn);
        if (existing) {
          if (existing.reference !== reference)
            return FakeEFatura.error(409, 'ETTN_IN_USE', 'The ETTN belongs to another invoice');
          return HttpResponse.json(FakeEFatura.view(existing), { status: 200 });
        }
        const invoice: StoredInvoice = {
          ettn,
          reference,
          status: 'QUEUED',
          reason_code: null,
          body,
        };
        this.invoices.set(ettn, invoice);
        const answer = FakeEFatura.view(invoice);
        this.replay.store(key, text, 202, answer);
        return HttpResponse.json(answer, { status: 202 });
      }),
      http.get(`${EFATURA_API}/v1/invoices/:ettn`, ({ request, params }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const invoice = this.invoices.get(String(params.ettn));
        if (!invoice) return FakeEFatura.error(404, 'NOT_FOUND', 'No such invoice');
        return HttpResponse.json(FakeEFatura.view(invoice));
      }),
      http.get(`${EFATURA_API}/v1/invoices/:ettn/pdf`, ({ request, params }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const invoice = this.invoices.get(String(params.ettn));
        if (!invoice) return FakeEFatura.error(404, 'NOT_FOUND', 'No such invoice');
        if (invoice.status !== 'APPROVED')
          return FakeEFatura.error(409, 'NOT_APPROVED', 'GİB has not approved the invoice');
        return HttpResponse.json({
          ettn: invoice.ettn,
          content_type: 'application/pdf',
          content_base64: Buffer.from(fakeInvoicePdf(invoice.ettn)).toString('base64'),
        });
      }),
    ];
  }
}
