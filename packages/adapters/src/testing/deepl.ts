/**
 * A fake DeepL API for tests: `POST /v2/translate` with `Authorization:
 * DeepL-Auth-Key …`, JSON bodies, DeepL's language codes, source language
 * detection for a few scripts, and its error statuses (403 bad key, 456
 * quota exceeded, 413 too large). Translations come from `dictionary` or
 * are the text tagged with the target (`[TR] …`). `outage()` makes every
 * call a 503 until `restore()`; `exhaustQuota()` answers 456.
 */
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on (the paid plan's).
 *
 * @example
 * server.use(serverErrors({ method: 'post', url: `${DEEPL_API}/v2/translate`, times: 2 }).handler);
 */
export const DEEPL_API = 'https://api.deepl.com';

const TARGETS = new Set([
  'AR',
  'DE',
  'EN-GB',
  'EN-US',
  'ES',
  'FR',
  'IT',
  'NL',
  'PL',
  'PT-PT',
  'PT-BR',
  'RU',
  'TR',
  'UK',
]);

/**
 * State of the fake DeepL.
 *
 * @example
 * const deepl = new FakeDeepL();
 * deepl.dictionary.set('TR:Welcome', 'Hoş geldiniz');
 * server.use(...deepl.handlers());
 */
export class FakeDeepL {
  readonly authKey: string;
  /** Translations by `TARGET:text`. */
  readonly dictionary = new Map<string, string>();
  /** Texts received, to check what left the platform. */
  readonly received: string[] = [];
  readonly requests: string[] = [];
  private down = false;
  private quotaLeft = true;

  constructor(authKey = 'deepl-test-key') {
    this.authKey = authKey;
  }

  outage(): void {
    this.down = true;
  }

  restore(): void {
    this.down = false;
  }

  exhaustQuota(): void {
    this.quotaLeft = false;
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.post(`${DEEPL_API}/v2/translate`, async ({ request }) => {
        this.requests.push(`${request.method} ${new URL(request.url).pathname}`);
        if (this.down)
          return HttpResponse.json({ message: 'Service unavailable' }, { status: 503 });
        if (request.headers.get('authorization') !== `DeepL-Auth-Key ${this.authKey}`)
          return HttpResponse.json({ message: 'Wrong endpoint or key' }, { status: 403 });
        if (!this.quotaLeft)
          return HttpResponse.json({ message: 'Quota exceeded' }, { status: 456 });
        const body = (await request.json()) as {
          text?: unknown;
          target_lang?: unknown;
          source_lang?: unknown;
        };
        if (!Array.isArray(body.text) || typeof body.target_lang !== 'string')
          return HttpResponse.json(
            { message: "Parameter 'text' or 'target_lang' missing" },
            { status: 400 },
          );
        if (!TARGETS.has(body.target_lang))
          return HttpResponse.json(
            { message: "Value for 'target_lang' not supported." },
            { status: 400 },
          );
        const target = body.target_lang;
        const translations = (body.text as unknown[]).map((value) => {
          const text = String(value);
          this.received.push(text);
          const detected =
            typeof body.source_lang === 'string'
              ? body.source_lang
              : /[\u0600-\u06ff]/.test(text)
                ? 'AR'
                : /[ğışçöüĞİŞÇÖÜ]/.test(text)
                  ? 'TR'
                  : 'EN';
          return {
            detected_source_language: detected,
            text: this.dictionary.get(`${target}:${text}`) ?? `[${target}] ${text}`,
          };
        });
        return HttpResponse.json({ translations });
      }),
    ];
  }
}
