/**
 * @clinicbridge/adapters/deepl — `TranslationService` on the DeepL API
 * (`POST /v2/translate`, `Authorization: DeepL-Auth-Key …`). A translation
 * has no side effect, so it is retried like a read. Clinical requests never
 * reach DeepL: they become an interpreter task. An unavailable DeepL (down
 * past the retries, breaker open) becomes a manual task of kind
 * `translation`; neither task carries the text.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { createProviderClient } from '../core/client.ts';
import { type ManualTaskSink, withManualFallback } from '../core/manual-tasks.ts';
import {
  type TranslationRequest,
  TranslationRequestSchema,
  type TranslationResult,
  type TranslationService,
} from '../ports/translation.ts';
import { parseInput } from '../ports/validate.ts';
import { mapDeepLError } from './errors.ts';

export { mapDeepLError } from './errors.ts';

/**
 * DeepL settings.
 *
 * @example
 * const options: DeepLOptions = { authKey: process.env.DEEPL_AUTH_KEY!, sink };
 */
export interface DeepLOptions extends AdapterOptions {
  authKey: string;
  /** Where interpreter requests and unserved translations go. */
  sink: ManualTaskSink;
  now?: () => Date;
}

const Translated = z.object({
  translations: z
    .array(z.object({ detected_source_language: z.string().optional(), text: z.string() }))
    .length(1),
});

// DeepL's target codes: upper case, with the two regional English and Portuguese variants.
const deeplTarget = (locale: string) => {
  const upper = locale.toUpperCase();
  return upper === 'EN' ? 'EN-GB' : upper === 'PT' ? 'PT-PT' : upper;
};
const deeplSource = (locale: string) => locale.slice(0, 2).toUpperCase();

const outline = (r: TranslationRequest) =>
  `${r.sourceLocale ?? 'auto'} → ${r.targetLocale}, ${r.text.length} characters`;

/**
 * Creates the DeepL translation service. Free-plan keys (ending `:fx`) go to
 * `api-free.deepl.com` unless `baseUrl` is set.
 *
 * @example
 * const translation = createDeepLTranslation({ authKey, sink });
 * await translation.translate({ requestRef: 'tr_1', text: 'Your transfer is at 09:00.', targetLocale: 'tr', purpose: 'administrative' });
 */
export function createDeepLTranslation(options: DeepLOptions): TranslationService {
  const provider = 'deepl';
  const client = createProviderClient({
    provider,
    baseUrl:
      options.baseUrl ??
      (options.authKey.endsWith(':fx') ? 'https://api-free.deepl.com' : 'https://api.deepl.com'),
    auth: {
      authorize: (request) => {
        request.headers.set('Authorization', `DeepL-Auth-Key ${options.authKey}`);
      },
    },
    mapError: mapDeepLError,
    ...pickAdapterOptions(options),
  });

  return {
    provider,
    async translate(raw) {
      const request = parseInput(TranslationRequestSchema, raw, provider, 'translation.translate');
      if (request.purpose === 'clinical') {
        const id = `mt_${crypto.randomUUID()}`;
        await options.sink.record({
          id,
          kind: 'translation',
          provider: 'interpreter',
          operation: 'translation.interpreter',
          subjectRef: request.requestRef,
          summary: `Book an interpreter for clinical request ${request.requestRef} (${outline(request)}); clinical conversations are never machine-translated.`,
          reason: 'clinical_requires_interpreter',
          details: { targetLocale: request.targetLocale },
          createdAt: (options.now?.() ?? new Date()).toISOString(),
        });
        return { status: 'interpreter', manualTaskId: id };
      }
      return withManualFallback(
        {
          sink: options.sink,
          task: {
            kind: 'translation',
            provider,
            operation: 'translation.translate',
            subjectRef: request.requestRef,
            summary: `Have request ${request.requestRef} translated by a person (${outline(request)}).`,
            details: { targetLocale: request.targetLocale },
          },
          ...(options.now ? { now: options.now } : {}),
        },
        async (): Promise<TranslationResult> => {
          const answer = await client.json({
            operation: 'translation.translate',
            method: 'post',
            path: '/v2/translate',
            json: {
              text: [request.text],
              target_lang: deeplTarget(request.targetLocale),
              ...(request.sourceLocale ? { source_lang: deeplSource(request.sourceLocale) } : {}),
            },
            readOnly: true,
            schema: Translated,
          });
          const [first] = answer.translations;
          return {
            status: 'translated',
            text: first?.text ?? '',
            detectedSourceLocale: first?.detected_source_language?.toLowerCase() ?? null,
          };
        },
        (task) => ({ status: 'manual', manualTaskId: task.id }),
      );
    },
  };
}
