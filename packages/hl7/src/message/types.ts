/**
 * The message model: plain, JSON-friendly arrays of decoded text. A field is
 * a list of repetitions, a repetition a list of components, a component a
 * list of subcomponents; every level has at least one entry, so an empty
 * field is `[['']]` one level down (`[[['']]]`). Values are decoded (escape
 * sequences turned back into the characters they stand for); the serialiser
 * escapes them again, so `parseMessage(serializeMessage(m))` equals `m`.
 */

/**
 * The five encoding characters of a message, read from MSH-1 and MSH-2.
 *
 * @example
 * const standard: Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };
 */
export interface Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
  /** The truncation character of HL7 2.7+ (`#`), when MSH-2 has five characters. */
  readonly truncation?: string;
}

/**
 * A component: its subcomponents (at least one).
 *
 * @example
 * const assigningAuthority: Component = ['HOSP', '2.16.840.1.113883.19', 'ISO'];
 */
export type Component = string[];

/**
 * One repetition of a field: its components (at least one).
 *
 * @example
 * const mrn: Repetition = [['12345'], [''], [''], ['HOSP'], ['MR']];
 */
export type Repetition = Component[];

/**
 * A field: its repetitions (at least one).
 *
 * @example
 * const empty: Field = [[['']]];
 */
export type Field = Repetition[];

/**
 * A segment: a three-character id (`PID`, `ZPV`) and its fields. `fields[0]`
 * is HL7 field 1. In MSH, field 1 is the field separator and field 2 the
 * encoding characters, each held as one value and never escaped.
 *
 * @example
 * const evn: Segment = { name: 'EVN', fields: [[[['A01']]], [[['20260101120000']]]] };
 */
export interface Segment {
  name: string;
  fields: Field[];
}

/**
 * A parsed HL7 v2 message: its delimiters and its segments, MSH first.
 *
 * @example
 * const message: Message = parseMessage('MSH|^~\\&|APP|FAC|||20260101||ADT^A01|1|P|2.5');
 */
export interface Message {
  delimiters: Delimiters;
  segments: Segment[];
}

/**
 * The standard delimiters `|^~\&`.
 *
 * @example
 * const message: Message = { delimiters: STANDARD_DELIMITERS, segments: [] };
 */
export const STANDARD_DELIMITERS: Delimiters = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

/**
 * MSH-2 as written for `delimiters` (`^~\&`, or five characters with truncation).
 *
 * @example
 * encodingCharacters(STANDARD_DELIMITERS); // '^~\\&'
 */
export function encodingCharacters(delimiters: Delimiters): string {
  return `${delimiters.component}${delimiters.repetition}${delimiters.escape}${delimiters.subcomponent}${delimiters.truncation ?? ''}`;
}
