/**
 * HL7 escape sequences. Decoding turns `\F\ \S\ \T\ \R\ \E\` (and `\P\`
 * when the message declares a truncation character) back into the
 * delimiter they stand for, and `\Xhh…\` into the bytes it spells (UTF-8
 * when they form valid UTF-8, else one character per byte, as Latin-1).
 * Formatting and character-set escapes (`\H\ \N\ \.br\ \Zxx\ \Cxxxx\
 * \Mxxxxxx\`) are kept as written, as HAPI does: they are instructions to
 * the display, not text. Any other backslash sequence is taken literally.
 *
 * Encoding is the inverse: delimiter characters become their escapes,
 * control characters (CR and LF would end the segment; VT and FS would end
 * an MLLP frame) become `\Xhh\`, and a kept formatting escape is written
 * as is, so `decode(encode(text)) === text` for every string.
 */
import type { Delimiters } from './types.ts';

/** Escapes kept verbatim in decoded text (HL7 v2.x chapter 2, formatted text and character sets). */
const KEPT =
  /^(?:H|N|\.(?:sp|br|fi|nf|in|ti|sk|ce)[+-]?\d*|Z[0-9A-Za-z]*|C[0-9A-Fa-f]{4}|M[0-9A-Fa-f]{4}(?:[0-9A-Fa-f]{2})?)$/;
const HEX = /^[0-9A-Fa-f]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeHex(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  try {
    return utf8.decode(bytes);
  } catch {
    let latin1 = '';
    for (const byte of bytes) latin1 += String.fromCharCode(byte);
    return latin1;
  }
}

/**
 * Decodes the escape sequences of one value (a subcomponent as written).
 *
 * @example
 * unescapeValue('A\\T\\E \\X0D\\', STANDARD_DELIMITERS); // 'A&E \r'
 */
export function unescapeValue(raw: string, d: Delimiters): string {
  const e = d.escape;
  let start = raw.indexOf(e);
  if (start < 0) return raw;
  let out = '';
  let from = 0;
  while (start >= 0) {
    const end = raw.indexOf(e, start + 1);
    if (end < 0) break;
    out += raw.slice(from, start);
    const body = raw.slice(start + 1, end);
    switch (body) {
      case 'F':
        out += d.field;
        break;
      case 'S':
        out += d.component;
        break;
      case 'T':
        out += d.subcomponent;
        break;
      case 'R':
        out += d.repetition;
        break;
      case 'E':
        out += e;
        break;
      default:
        if (body === 'P' && d.truncation !== undefined) out += d.truncation;
        else if (
          body.length > 1 &&
          body[0] === 'X' &&
          body.length % 2 === 1 &&
          HEX.test(body.slice(1))
        )
          out += decodeHex(body.slice(1));
        // A kept formatting escape, or an unknown sequence taken literally: as written.
        else out += raw.slice(start, end + 1);
    }
    from = end + 1;
    start = raw.indexOf(e, from);
  }
  return out + raw.slice(from);
}

/**
 * A function that escapes values for one set of delimiters (built once per message).
 *
 * @example
 * const escape: ValueEscaper = valueEscaper(STANDARD_DELIMITERS);
 */
export type ValueEscaper = (value: string) => string;

const hex2 = (code: number) => code.toString(16).toUpperCase().padStart(2, '0');

/**
 * Builds the escaper of `d`: it leaves plain text alone (one scan) and
 * writes every special character as its escape sequence.
 *
 * @example
 * valueEscaper(STANDARD_DELIMITERS)('A&E|ICU'); // 'A\\T\\E\\F\\ICU'
 */
export function valueEscaper(d: Delimiters): ValueEscaper {
  const e = d.escape;
  const special = new Map<string, string>([
    [d.field, `${e}F${e}`],
    [d.component, `${e}S${e}`],
    [d.subcomponent, `${e}T${e}`],
    [d.repetition, `${e}R${e}`],
  ]);
  if (d.truncation !== undefined) special.set(d.truncation, `${e}P${e}`);
  const delimiterChars = [
    d.field,
    d.component,
    d.subcomponent,
    d.repetition,
    e,
    d.truncation ?? '',
  ].join('');
  const needsWork = (value: string): boolean => {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20) return true;
      if (delimiterChars.includes(value[i]!)) return true;
    }
    return false;
  };
  const keptAt = (value: string, i: number): number => {
    const end = value.indexOf(e, i + 1);
    if (end < 0) return -1;
    const body = value.slice(i + 1, end);
    if (!KEPT.test(body)) return -1;
    for (const ch of body) if (delimiterChars.includes(ch)) return -1;
    return end;
  };
  return (value) => {
    if (!needsWork(value)) return value;
    let out = '';
    for (let i = 0; i < value.length; i++) {
      const ch = value[i]!;
      const code = ch.charCodeAt(0);
      if (ch === e) {
        const end = keptAt(value, i);
        if (end >= 0) {
          out += value.slice(i, end + 1);
          i = end;
        } else out += `${e}E${e}`;
      } else if (code < 0x20) out += `${e}X${hex2(code)}${e}`;
      else out += special.get(ch) ?? ch;
    }
    return out;
  };
}
