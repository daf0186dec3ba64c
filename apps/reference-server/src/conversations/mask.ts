/**
 * Masking a patient's message before it leaves the platform as
 * `whatsapp.inbound`: links, email addresses, every number of three digits
 * or more (phone numbers, passport and record numbers, dates of birth —
 * in any script's digits) and the patient's own names become `[link]`,
 * `[email]`, `[number]` and `[name]`; control characters become spaces and
 * the result is cut to 1,000 characters. What is left must match the
 * catalogue's `maskedText` shape, or no text is sent at all.
 */
import { maskedText } from '@clinicbridge/sdk/contract';

const MAX_LENGTH = 1_000;
const LINK = /(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|www\.)\S*/gi;
const EMAIL = /\S*@\S*/g;
// Three digits or more, with up to two separators between them (`+90 (555) 123-45-67`, `01.02.1980`).
const NUMBER = /\p{Nd}(?:[\s()./+-]{0,2}\p{Nd}){2,}/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces.
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F]/g;

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function maskNames(text: string, names: readonly string[]): string {
  const words = new Set(
    names
      .flatMap((name) => name.split(/[\s,.'’-]+/u))
      .filter((word) => Array.from(word).length >= 2)
      .slice(0, 20),
  );
  let out = text;
  for (const word of words) {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'giu');
    out = out.replace(pattern, '[name]');
  }
  return out;
}

/**
 * The text masked for `whatsapp.inbound`, or null when nothing safe is left
 * (an empty message, or one the masking could not make fit the shape).
 *
 * @example
 * maskMessageText('I am Ayse, call 0555 123 45 67', ['Ayşe', 'Ayse Yilmaz']);
 * // 'I am [name], call [number]'
 */
export function maskMessageText(text: string, names: readonly string[] = []): string | null {
  let out = text.normalize('NFC').replace(CONTROL, ' ');
  out = out.replace(LINK, '[link]').replace(EMAIL, '[email]');
  out = maskNames(
    out,
    names.map((name) => name.normalize('NFC')),
  );
  out = out.replace(NUMBER, '[number]').trim();
  if (out.length > MAX_LENGTH) {
    // Cut on a code point, not inside a surrogate pair.
    let cut = '';
    for (const char of out) {
      if (cut.length + char.length > MAX_LENGTH) break;
      cut += char;
    }
    out = cut.trimEnd();
  }
  if (out === '') return null;
  return maskedText.safeParse(out).success ? out : null;
}
