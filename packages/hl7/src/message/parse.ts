/**
 * The HL7 v2 parser. Delimiters come from MSH-1 and MSH-2; segments end at
 * CR, LF or CRLF (senders use all three; files on disk usually LF); a
 * leading byte-order mark is dropped; Z-segments and unknown segments are
 * kept like any other. Every size and count is bounded while reading, and
 * the only thing this module throws is an `Hl7ParseError`, whatever the
 * input (property-tested).
 */
import { Hl7ParseError } from '../errors.ts';
import { unescapeValue } from './escape.ts';
import type { Delimiters, Field, Message, Segment } from './types.ts';

/**
 * Limits of one parse. The defaults fit any real ADT, ORU or SIU message
 * with room to spare; raise them for huge result reports.
 *
 * @example
 * parseMessage(text, { maxLength: 16 * 1024 * 1024 });
 */
export interface ParseOptions {
  /** Largest message in characters (default 4 MiB). */
  readonly maxLength?: number;
  /** Most segments (default 10,000). */
  readonly maxSegments?: number;
  /** Most fields in one segment (default 1,000). */
  readonly maxFieldsPerSegment?: number;
  /** Most values (subcomponents) in the whole message (default 200,000). */
  readonly maxValues?: number;
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Text of a message received as bytes: UTF-8 when the bytes are valid
 * UTF-8 (a BOM is dropped), otherwise Latin-1, one character per byte
 * (what 8859/1 senders mean, and never a decoding failure).
 *
 * @example
 * decodeMessageBytes(new TextEncoder().encode('MSH|^~\\&|…')); // 'MSH|^~\\&|…'
 */
export function decodeMessageBytes(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let text = '';
    for (let i = 0; i < bytes.length; i += 8_192) {
      text += String.fromCharCode(...bytes.subarray(i, i + 8_192));
    }
    return text;
  }
}

function invalidDelimiter(ch: string): boolean {
  return /[\s0-9A-Za-z]/.test(ch) || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f;
}

function readDelimiters(line: string): { delimiters: Delimiters; end: number } {
  const field = line[3];
  if (line.length < 8 || field === undefined) {
    throw new Hl7ParseError(
      'invalid_delimiters',
      'MSH must start with "MSH", the field separator and at least four encoding characters',
      { segment: 'MSH', segmentIndex: 1, line: 1 },
    );
  }
  let end = line.indexOf(field, 4);
  if (end < 0) end = line.length;
  const chars = line.slice(4, end);
  const all = [field, ...chars];
  if (
    (chars.length !== 4 && chars.length !== 5) ||
    new Set(all).size !== all.length ||
    all.some(invalidDelimiter)
  ) {
    throw new Hl7ParseError(
      'invalid_delimiters',
      'MSH-1 and MSH-2 must be five or six distinct punctuation characters, e.g. |^~\\&',
      { segment: 'MSH', segmentIndex: 1, line: 1, field: 2 },
    );
  }
  const [component, repetition, escapeChar, subcomponent, truncation] =
    chars as unknown as string[];
  const delimiters: Delimiters = {
    field,
    component: component!,
    repetition: repetition!,
    escape: escapeChar!,
    subcomponent: subcomponent!,
    ...(truncation === undefined ? {} : { truncation }),
  };
  return { delimiters, end };
}

interface Budget {
  values: number;
  readonly maxValues: number;
}

function parseField(raw: string, d: Delimiters, budget: Budget, at: () => never): Field {
  if (!raw.includes(d.repetition) && !raw.includes(d.component) && !raw.includes(d.subcomponent)) {
    if (++budget.values > budget.maxValues) at();
    return [[[unescapeValue(raw, d)]]];
  }
  return raw.split(d.repetition).map((repetition) =>
    repetition.split(d.component).map((component) =>
      component.split(d.subcomponent).map((sub) => {
        if (++budget.values > budget.maxValues) at();
        return unescapeValue(sub, d);
      }),
    ),
  );
}

/**
 * Parses one HL7 v2 message (text, or bytes as received).
 *
 * @example
 * const message = parseMessage('MSH|^~\\&|LAB|HOSP|||20260101120000||ADT^A01|42|P|2.5\rPID|1||123^^^HOSP^MR');
 * message.segments[1]?.name; // 'PID'
 */
export function parseMessage(input: string | Uint8Array, options: ParseOptions = {}): Message {
  const maxLength = options.maxLength ?? 4 * 1024 * 1024;
  const maxSegments = options.maxSegments ?? 10_000;
  const maxFields = options.maxFieldsPerSegment ?? 1_000;
  const budget: Budget = { values: 0, maxValues: options.maxValues ?? 200_000 };
  if (typeof input !== 'string' && input.length > maxLength * 4) {
    throw new Hl7ParseError('message_too_large', `the message is over ${maxLength} characters`);
  }
  let text = typeof input === 'string' ? input : decodeMessageBytes(input);
  if (text.length > maxLength) {
    throw new Hl7ParseError('message_too_large', `the message is over ${maxLength} characters`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  let index = 0;
  while (index < lines.length && lines[index]!.trim() === '') index++;
  if (index === lines.length) throw new Hl7ParseError('empty_message', 'the message is empty');
  const first = lines[index]!;
  if (!first.startsWith('MSH')) {
    throw new Hl7ParseError('missing_msh', 'a message must start with an MSH segment', {
      line: index + 1,
    });
  }
  const { delimiters: d, end } = readDelimiters(first);
  const tooMany = (where: { segment: string; segmentIndex: number; line: number }) => (): never => {
    throw new Hl7ParseError(
      'too_many_values',
      `the message holds more than ${budget.maxValues} values`,
      where,
    );
  };

  const mshFields: Field[] = [[[[d.field]]], [[[first.slice(4, end)]]]];
  if (end < first.length) {
    const rest = first.slice(end + 1).split(d.field);
    if (rest.length + 2 > maxFields) {
      throw new Hl7ParseError('too_many_fields', `MSH has more than ${maxFields} fields`, {
        segment: 'MSH',
        segmentIndex: 1,
        line: index + 1,
      });
    }
    const at = tooMany({ segment: 'MSH', segmentIndex: 1, line: index + 1 });
    for (const raw of rest) mshFields.push(parseField(raw, d, budget, at));
  }
  const msh: Segment = { name: 'MSH', fields: mshFields };
  const header: Message = { delimiters: d, segments: [msh] };
  const segments: Segment[] = [msh];

  for (let i = index + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const where = { segmentIndex: segments.length + 1, line: i + 1 };
    const name = line.slice(0, 3);
    if (!SEGMENT_ID.test(name) || (line.length > 3 && line[3] !== d.field)) {
      throw new Hl7ParseError(
        'invalid_segment',
        `line ${i + 1} does not start with a segment id (three capitals or digits) and the field separator`,
        where,
        header,
      );
    }
    if (name === 'MSH') {
      throw new Hl7ParseError(
        'multiple_messages',
        `line ${i + 1} starts a second message; send one message per frame`,
        { ...where, segment: name },
        header,
      );
    }
    if (segments.length >= maxSegments) {
      throw new Hl7ParseError(
        'too_many_segments',
        `the message has more than ${maxSegments} segments`,
        { ...where, segment: name },
        header,
      );
    }
    const raws = line.length > 3 ? line.slice(4).split(d.field) : [];
    if (raws.length > maxFields) {
      throw new Hl7ParseError(
        'too_many_fields',
        `${name} has more than ${maxFields} fields`,
        { ...where, segment: name },
        header,
      );
    }
    const at = (): never => {
      throw new Hl7ParseError(
        'too_many_values',
        `the message holds more than ${budget.maxValues} values`,
        { ...where, segment: name },
        header,
      );
    };
    segments.push({ name, fields: raws.map((raw) => parseField(raw, d, budget, at)) });
  }
  return { delimiters: d, segments };
}
