/**
 * The HL7 v2 serialiser: the inverse of `parseMessage`. Values are escaped
 * for the message's own delimiters, MSH-1 and MSH-2 are written from them,
 * and segments end with CR (the standard; LF on request for files).
 */
import { Hl7SerializeError } from '../errors.ts';
import { valueEscaper } from './escape.ts';
import { type Delimiters, encodingCharacters, type Field, type Message } from './types.ts';

/**
 * How to write a message.
 *
 * @example
 * serializeMessage(message, { segmentTerminator: '\n' }); // for a .hl7 file
 */
export interface SerializeOptions {
  /** Segment terminator (default CR, as on the wire). */
  readonly segmentTerminator?: '\r' | '\n' | '\r\n';
  /** End the last segment with the terminator too (default true). */
  readonly trailingTerminator?: boolean;
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;

function checkDelimiters(d: Delimiters): void {
  const all = [d.field, d.component, d.repetition, d.escape, d.subcomponent];
  if (d.truncation !== undefined) all.push(d.truncation);
  if (
    all.some((c) => typeof c !== 'string' || c.length !== 1 || /[\s0-9A-Za-z]/.test(c)) ||
    new Set(all).size !== all.length
  ) {
    throw new Hl7SerializeError(
      'invalid_model',
      'delimiters must be distinct single punctuation characters',
    );
  }
}

function writeField(field: Field, d: Delimiters, escapeValue: (v: string) => string): string {
  if (field.length === 0) {
    throw new Hl7SerializeError('invalid_model', 'a field needs at least one repetition');
  }
  return field
    .map((repetition) => {
      if (repetition.length === 0) {
        throw new Hl7SerializeError('invalid_model', 'a repetition needs at least one component');
      }
      return repetition
        .map((component) => {
          if (component.length === 0) {
            throw new Hl7SerializeError(
              'invalid_model',
              'a component needs at least one subcomponent',
            );
          }
          return component.length === 1
            ? escapeValue(component[0]!)
            : component.map(escapeValue).join(d.subcomponent);
        })
        .join(d.component);
    })
    .join(d.repetition);
}

/**
 * Writes a message as HL7 v2 text.
 *
 * @example
 * const text = serializeMessage(parseMessage(received)); // CR-terminated, escapes normalised
 */
export function serializeMessage(message: Message, options: SerializeOptions = {}): string {
  const d = message.delimiters;
  checkDelimiters(d);
  const escapeValue = valueEscaper(d);
  const terminator = options.segmentTerminator ?? '\r';
  const [first] = message.segments;
  if (first?.name !== 'MSH') {
    throw new Hl7SerializeError('invalid_model', 'a message must start with an MSH segment');
  }
  const lines = message.segments.map((segment, index) => {
    if (!SEGMENT_ID.test(segment.name)) {
      throw new Hl7SerializeError(
        'invalid_model',
        `segment ${index + 1} has an invalid id; use three capitals or digits`,
      );
    }
    if (segment.name === 'MSH') {
      if (index > 0) {
        throw new Hl7SerializeError('invalid_model', 'a message holds one MSH segment');
      }
      // MSH-1 and MSH-2 are the delimiters themselves, never escaped.
      const rest = segment.fields.slice(2).map((field) => writeField(field, d, escapeValue));
      return [`MSH${d.field}${encodingCharacters(d)}`, ...rest].join(d.field);
    }
    if (segment.fields.length === 0) return segment.name;
    return [segment.name, ...segment.fields.map((field) => writeField(field, d, escapeValue))].join(
      d.field,
    );
  });
  const text = lines.join(terminator);
  return options.trailingTerminator === false ? text : text + terminator;
}
