/**
 * The `TranslationService` port: text translated between locales for a
 * patient's journey (forms, itineraries, administrative messages). One rule
 * is enforced here, not left to callers: a clinical conversation is never
 * machine-only — a request marked `clinical` goes to a human interpreter (a
 * manual task) and the text never reaches the machine-translation provider.
 * Adapters send the text and locales only, keep nothing after the call, and
 * never put the text in a manual task, a log or an error.
 */
import { z } from 'zod';
import { ReferenceSchema } from './common.ts';

const Locale = z
  .string()
  .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'BCP 47 language[-REGION], e.g. en or pt-BR');

/**
 * A text to translate.
 *
 * @example
 * TranslationRequestSchema.parse({ requestRef: 'tr_1', text: 'Your transfer is at 09:00.', targetLocale: 'tr', purpose: 'administrative' });
 */
export const TranslationRequestSchema = z.strictObject({
  requestRef: ReferenceSchema,
  text: z.string().min(1).max(10_000),
  /** Absent: the provider detects it. */
  sourceLocale: Locale.optional(),
  targetLocale: Locale,
  /** `clinical`: a conversation or document about the patient's care — an interpreter, never a machine. */
  purpose: z.enum(['administrative', 'clinical']),
});

/**
 * Input of {@link TranslationService.translate}.
 *
 * @example
 * const request: TranslationRequest = { requestRef: 'tr_1', text: 'Welcome', targetLocale: 'ar', purpose: 'administrative' };
 */
export type TranslationRequest = z.infer<typeof TranslationRequestSchema>;

/**
 * The outcome: translated, routed to an interpreter (clinical), or left as
 * a manual task because the provider was unavailable.
 *
 * @example
 * if (result.status === 'translated') show(result.text);
 */
export type TranslationResult =
  | { status: 'translated'; text: string; detectedSourceLocale: string | null }
  | { status: 'interpreter'; manualTaskId: string }
  | { status: 'manual'; manualTaskId: string };

/**
 * A translation provider.
 *
 * @example
 * const result = await translation.translate({ requestRef: 'tr_1', text: 'Welcome', targetLocale: 'tr', purpose: 'administrative' });
 */
export interface TranslationService {
  readonly provider: string;
  translate(request: TranslationRequest): Promise<TranslationResult>;
}
