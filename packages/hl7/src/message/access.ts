/**
 * Reading and building the message model by position: segments by id,
 * values by HL7 numbering (field, repetition, component and subcomponent,
 * all 1-based), terser-style paths (`PID-3[2].4`), and small builders for
 * fields. A position that is not there reads as `''`, as HL7 defines an
 * absent value.
 */
import type { Component, Field, Message, Repetition, Segment } from './types.ts';

/**
 * The first segment named `name`, or undefined.
 *
 * @example
 * const pid = findSegment(message, 'PID');
 */
export function findSegment(message: Message, name: string): Segment | undefined {
  return message.segments.find((segment) => segment.name === name);
}

/**
 * Every segment named `name`, in order.
 *
 * @example
 * for (const obx of findSegments(message, 'OBX')) console.log(readObx(obx).valueType);
 */
export function findSegments(message: Message, name: string): Segment[] {
  return message.segments.filter((segment) => segment.name === name);
}

/**
 * Field `n` (1-based) of a segment, or undefined when the segment is shorter.
 *
 * @example
 * getField(pid, 3)?.length; // number of patient identifiers
 */
export function getField(segment: Segment | undefined, n: number): Field | undefined {
  return segment?.fields[n - 1];
}

/**
 * The repetitions of field `n` that hold anything (an empty field has none).
 *
 * @example
 * const identifiers = getRepetitions(pid, 3).map(readCx);
 */
export function getRepetitions(segment: Segment | undefined, n: number): Repetition[] {
  const field = getField(segment, n);
  if (!field) return [];
  return field.filter((repetition) => repetition.some((c) => c.some((s) => s !== '')));
}

/**
 * One value by position: field `n`, then component and subcomponent
 * (1-based, default 1) of repetition `repetition` (1-based, default 1).
 *
 * @example
 * getValue(msh, 9, { component: 2 }); // 'A01'
 */
export function getValue(
  segment: Segment | undefined,
  n: number,
  position: { repetition?: number; component?: number; subcomponent?: number } = {},
): string {
  const repetition = getField(segment, n)?.[(position.repetition ?? 1) - 1];
  return componentValue(repetition, position.component ?? 1, position.subcomponent ?? 1);
}

/**
 * Subcomponent `s` of component `c` (1-based) of one repetition, or `''`.
 *
 * @example
 * componentValue(readField[0], 4, 1); // the assigning authority's namespace id
 */
export function componentValue(repetition: Repetition | undefined, c = 1, s = 1): string {
  return repetition?.[c - 1]?.[s - 1] ?? '';
}

/**
 * A component as one string: its subcomponents joined with `&`, for
 * comparisons and keys (e.g. a whole HD in MSH-4).
 *
 * @example
 * componentText(msh.fields[3]?.[0], 1); // 'GHHSFacility'
 */
export function componentText(repetition: Repetition | undefined, c = 1, joiner = '&'): string {
  return (repetition?.[c - 1] ?? []).join(joiner);
}

const PATH = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?-(\d+)(?:\[(\d+)\])?(?:\.(\d+))?(?:\.(\d+))?$/;

/**
 * A value by terser-style path: `SEG[occurrence]-field[repetition].component.subcomponent`,
 * every index 1-based and all but the field optional.
 *
 * @example
 * valueAt(message, 'PID-3[2].4'); // assigning authority of the second identifier
 * valueAt(message, 'OBX[2]-5');   // value of the second OBX
 */
export function valueAt(message: Message, path: string): string {
  const match = PATH.exec(path);
  if (!match) throw new TypeError(`"${path}" is not a path like PID-3[2].4.1`);
  const [, name, occurrence, field, repetition, component, subcomponent] = match;
  const segment = findSegments(message, name!)[Number(occurrence ?? 1) - 1];
  return getValue(segment, Number(field), {
    repetition: Number(repetition ?? 1),
    component: Number(component ?? 1),
    subcomponent: Number(subcomponent ?? 1),
  });
}

/**
 * A field of one repetition built from components; a component given as an
 * array is its subcomponents.
 *
 * @example
 * buildField('ACK', 'A01', 'ACK'); // [[['ACK'], ['A01'], ['ACK']]]
 */
export function buildField(...components: readonly (string | readonly string[])[]): Field {
  const built: Component[] = components.map((c) => (typeof c === 'string' ? [c] : [...c]));
  return [built.length === 0 ? [['']] : built];
}

/**
 * A segment built from fields (numbered from 1); a string is a one-value field.
 *
 * @example
 * buildSegment('MSA', ['AA', '42']); // MSA|AA|42
 */
export function buildSegment(name: string, fields: readonly (string | Field)[]): Segment {
  return {
    name,
    fields: fields.map((f) => (typeof f === 'string' ? [[[f]]] : f)),
  };
}

/**
 * A deep copy of a field (the model is mutable plain data).
 *
 * @example
 * ack.segments[0]!.fields[10] = copyField(getField(msh, 11) ?? [[['']]]);
 */
export function copyField(field: Field): Field {
  return field.map((repetition) => repetition.map((component) => [...component]));
}
