/**
 * A fake visa-processing partner for tests: bearer API key, `POST
 * /v1/applications` with `Idempotency-Key` replay (and one application per
 * platform reference), `GET /v1/applications/{id}`, invitation letters as
 * small PDFs, withdrawal (409 `ALREADY_DECIDED` once decided), and the error
 * shape `{ error: { code, message } }`. Outcomes are scripted per
 * application reference (the state it reaches after a number of status
 * reads); `outage()` makes every call answer 503 until `restore()`.
 */
import { HttpResponse, http } from 'msw';
import { partnerError, ReplayCache, readIdempotentJson } from './shared.ts';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'post', url: `${VISA_PARTNER_API}/v1/*`, times: 5 }).handler);
 */
export const VISA_PARTNER_API = 'https://api.visa-partner.example';

/**
 * What the partner decides about an application: its final status, the
 * refusal codes, and after how many status reads it decides (default 0: at
 * the next read).
 *
 * @example
 * const outcome: VisaScriptedOutcome = { status: 'REFUSED', refusalCodes: ['PASSPORT_INVALID'], afterReads: 1 };
 */
export interface VisaScriptedOutcome {
  status: 'PROCESSING' | 'ADDITIONAL_DOCUMENTS' | 'APPROVED' | 'REFUSED';
  refusalCodes?: string[];
  afterReads?: number;
}

interface StoredApplication {
  id: string;
  reference: string;
  status: string;
  medical_reference: string;
  refusal_codes: string[];
  visa: { number: string; valid_until: string } | null;
  reads: number;
  body: Record<string, unknown>;
}

/** A minimal valid PDF, as the partner's generated letters are. */
const LETTER_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');

/**
 * State of the fake partner.
 *
 * @example
 * const partner = new FakeVisaPartner();
 * partner.script('visa_1', { status: 'APPROVED' });
 * server.use(...partner.handlers());
 */
export class FakeVisaPartner {
  readonly apiKey: string;
  readonly requests: string[] = [];
  /** Applications by partner id. */
  readonly applications = new Map<string, StoredApplication>();
  private readonly scripts = new Map<string, VisaScriptedOutcome>();
  private readonly replay = new ReplayCache();
  private down = false;
  private seq = 0;

  constructor(apiKey = 'visa-test-key') {
    this.apiKey = apiKey;
  }

  /** Scripts the outcome of the application with this platform reference. */
  script(reference: string, outcome: VisaScriptedOutcome): void {
    this.scripts.set(reference, outcome);
  }

  /** Every call answers 503 until {@link restore}. */
  outage(): void {
    this.down = true;
  }

  restore(): void {
    this.down = false;
  }

  /** The application with this platform reference, if submitted. */
  byReference(reference: string): StoredApplication | undefined {
    return [...this.applications.values()].find((a) => a.reference === reference);
  }

  private static error(status: number, code: string, message: string) {
    return partnerError(status, code, message);
  }

  private static view(a: StoredApplication) {
    return {
      id: a.id,
      status: a.status,
      medical_reference: a.medical_reference,
      refusal_codes: a.refusal_codes,
      visa: a.visa,
    };
  }

  /** Checks the outage switch and the key; a Response when the call stops there. */
  private gate(request: Request): Response | undefined {
    this.requests.push(`${request.method} ${new URL(request.url).pathname}`);
    if (this.down) return FakeVisaPartner.error(503, 'UNAVAILABLE', 'Scheduled maintenance');
    if (request.headers.get('authorization') !== `Bearer ${this.apiKey}`)
      return FakeVisaPartner.error(401, 'UNAUTHORIZED', 'Invalid API key');
    return undefined;
  }

  private advance(a: StoredApplication): void {
    a.reads += 1;
    const script = this.scripts.get(a.reference);
    if (!script || a.status === 'WITHDRAWN' || a.status === 'APPROVED' || a.status === 'REFUSED')
      return;
    if (a.reads <= (script.afterReads ?? 0)) {
      a.status = 'PROCESSING';
      return;
    }
    a.status = script.status;
    a.refusal_codes = script.status === 'REFUSED' ? (script.refusalCodes ?? ['OTHER']) : [];
    if (script.status === 'ADDITIONAL_DOCUMENTS') a.refusal_codes = script.refusalCodes ?? [];
    if (script.status === 'APPROVED')
      a.visa = { number: `MV${a.id.slice(-6)}`, valid_until: '2027-12-31' };
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.post(`${VISA_PARTNER_API}/v1/applications`, async ({ request }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const read = await readIdempotentJson(request, this.replay);
        if (read instanceof Response) return read;
        const { body, key, text } = read;
        const reference = body.reference;
        if (typeof reference !== 'string' || !Array.isArray(body.documents))
          return FakeVisaPartner.error(
            422,
            'VALIDATION_ERROR',
            'reference and documents are required',
          );
        const existing = this.byReference(reference);
        if (existing) return HttpResponse.json(FakeVisaPartner.view(existing), { status: 200 });
        this.seq += 1;
        const application: StoredApplication = {
          id: `va_${String(this.seq).padStart(6, '0')}`,
          reference,
          status: 'RECEIVED',
          medical_reference: `MED-${String(this.seq).padStart(6, '0')}`,
          refusal_codes: [],
          visa: null,
          reads: 0,
          body,
        };
        this.applications.set(application.id, application);
        const answer = FakeVisaPartner.view(application);
        this.replay.store(key, text, 201, answer);
        return HttpResponse.json(answer, { status: 201 });
      }),
      http.get(`${VISA_PARTNER_API}/v1/applications/:id`, ({ request, params }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const application = this.applications.get(String(params.id));
        if (!application) return FakeVisaPartner.error(404, 'NOT_FOUND', 'No such application');
        this.advance(application);
        return HttpResponse.json(FakeVisaPartner.view(application));
      }),
      http.post(
        `${VISA_PARTNER_API}/v1/applications/:id/invitation-letters`,
        async ({ request, params }) => {
          const stop = this.gate(request);
          if (stop) return stop;
          const application = this.applications.get(String(params.id));
          if (!application) return FakeVisaPartner.error(404, 'NOT_FOUND', 'No such application');
          const body = (await request.json()) as { clinic_reference?: unknown };
          if (typeof body.clinic_reference !== 'string')
            return FakeVisaPartner.error(422, 'VALIDATION_ERROR', 'clinic_reference is required');
          return HttpResponse.json({
            id: `il_${application.id}_${body.clinic_reference}`,
            content_type: 'application/pdf',
            content_base64: LETTER_PDF,
          });
        },
      ),
      http.post(`${VISA_PARTNER_API}/v1/applications/:id/withdraw`, ({ request, params }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const application = this.applications.get(String(params.id));
        if (!application) return FakeVisaPartner.error(404, 'NOT_FOUND', 'No such application');
        if (application.status === 'APPROVED' || application.status === 'REFUSED')
          return FakeVisaPartner.error(409, 'ALREADY_DECIDED', 'The application is decided');
        application.status = 'WITHDRAWN';
        return HttpResponse.json(FakeVisaPartner.view(application));
      }),
    ];
  }
}
