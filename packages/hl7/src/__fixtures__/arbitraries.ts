/**
 * fast-check generators of HL7 v2 message models: random delimiters
 * (sometimes with a truncation character), values full of delimiters,
 * backslashes, formatting escapes and control characters, repetitions,
 * components and subcomponents, Z-segments.
 */
import fc from 'fast-check';
import type { Delimiters, Field, Message, Segment } from '../message/types.ts';

const PUNCTUATION = [...'|^~\\&#!$%*+,-./:;<=>?@[]_{}'];

/** Five (or six) distinct punctuation characters. */
export const delimitersArb: fc.Arbitrary<Delimiters> = fc
  .shuffledSubarray(PUNCTUATION, { minLength: 6, maxLength: 6 })
  .chain((chars) =>
    fc.boolean().map((truncated) => {
      const [field, component, repetition, escapeChar, subcomponent, truncation] =
        chars as string[];
      return {
        field: field!,
        component: component!,
        repetition: repetition!,
        escape: escapeChar!,
        subcomponent: subcomponent!,
        ...(truncated ? { truncation: truncation! } : {}),
      };
    }),
  );

/** The standard delimiters, most of the time; any valid set otherwise. */
const someDelimiters = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constant<Delimiters>({
      field: '|',
      component: '^',
      repetition: '~',
      escape: '\\',
      subcomponent: '&',
    }),
  },
  { weight: 2, arbitrary: delimitersArb },
);

const tricky = fc.constantFrom(
  ...PUNCTUATION,
  '\\H\\',
  '\\N\\',
  '\\.br\\',
  '\\.sp2\\',
  '\\Zabc\\',
  '\\C2842\\',
  '\\X0D\\',
  '\\F',
  '\r',
  '\n',
  '\r\n',
  '\x0b',
  '\x1c',
  '\t',
  '\x00',
  'é',
  '日本',
  '\ufeff',
  ' ',
  '""',
  'H',
  'X',
  '0A',
);

/** One value: plain text, or text stitched from tricky pieces. */
export const valueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 3, arbitrary: fc.array(tricky, { maxLength: 6 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

/** A field with 1–3 repetitions of 1–4 components of 1–3 subcomponents. */
export const fieldArb: fc.Arbitrary<Field> = fc.array(
  fc.array(fc.array(valueArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
  { minLength: 1, maxLength: 3 },
);

const segmentNameArb = fc
  .stringMatching(/^(?:Z[A-Z0-9]{2}|PID|PV1|PV2|OBX|EVN|IN1|DG1|MRG|NTE|[A-Y][A-Z0-9]{2})$/)
  .filter((name) => name !== 'MSH');

/** Any segment but MSH, with 0–8 fields. */
export const segmentArb: fc.Arbitrary<Segment> = fc.record({
  name: segmentNameArb,
  fields: fc.array(fieldArb, { maxLength: 8 }),
});

/** A whole message: MSH (fields 1 and 2 from the delimiters) then 0–6 segments. */
export const messageArb: fc.Arbitrary<Message> = someDelimiters.chain((delimiters) =>
  fc
    .tuple(fc.array(fieldArb, { maxLength: 12 }), fc.array(segmentArb, { maxLength: 6 }))
    .map(([mshFields, segments]) => {
      const enc = `${delimiters.component}${delimiters.repetition}${delimiters.escape}${delimiters.subcomponent}${delimiters.truncation ?? ''}`;
      const msh: Segment = {
        name: 'MSH',
        fields: [[[[delimiters.field]]], [[[enc]]], ...mshFields],
      };
      return { delimiters, segments: [msh, ...segments] };
    }),
);
