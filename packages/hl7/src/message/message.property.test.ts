/**
 * Properties of the parser and serialiser, on generated messages and on
 * hostile input: parse ∘ serialise is the identity on every generated
 * model (any delimiters, any terminator, with or without a BOM); the
 * parser throws nothing but `Hl7ParseError` on any string, any bytes or
 * any mutation of a real sample; and what it accepts, it reads the same
 * way again after serialising.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { messageArb } from '../__fixtures__/arbitraries.ts';
import { isHl7ParseError } from '../errors.ts';
import { type ParseOptions, parseMessage } from './parse.ts';
import { serializeMessage } from './serialize.ts';
import type { Message } from './types.ts';

const fixtures = new URL('../__fixtures__/', import.meta.url);
const samples = readdirSync(fixtures)
  .filter((name) => name.endsWith('.hl7'))
  .map((name) => readFileSync(new URL(name, fixtures)).toString('utf8'));

/** Deep equality through JSON (fast), with vitest's diff when it fails. */
function expectSame(actual: Message, expected: Message): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

/** Parses; returns the model, or null after checking the only error is the typed one. */
function parseOrTypedError(input: string | Uint8Array, options?: ParseOptions): Message | null {
  try {
    return parseMessage(input, options);
  } catch (error) {
    if (!isHl7ParseError(error)) throw error;
    return null;
  }
}

describe('parse ∘ serialise', () => {
  test('is the identity on generated messages', () => {
    fc.assert(
      fc.property(
        messageArb,
        fc.constantFrom<'\r' | '\n' | '\r\n'>('\r', '\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        (message, terminator, trailing, bom) => {
          const text = serializeMessage(message, {
            segmentTerminator: terminator,
            trailingTerminator: trailing,
          });
          expectSame(parseMessage(bom ? `\ufeff${text}` : text), message);
          expectSame(parseMessage(new TextEncoder().encode(text)), message);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('serialised text holds no MLLP control characters and no bare line breaks in values', () => {
    fc.assert(
      fc.property(messageArb, (message) => {
        const text = serializeMessage(message);
        for (const forbidden of ['\x0b', '\x1c', '\n'])
          expect(text.includes(forbidden)).toBe(false);
        expect(text.split('\r').filter(Boolean)).toHaveLength(message.segments.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the parser never throws anything but Hl7ParseError', () => {
  const limits: ParseOptions = { maxLength: 20_000, maxSegments: 200, maxValues: 5_000 };

  test('on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        parseOrTypedError(text, limits);
      }),
      { numRuns: 2_000 },
    );
  });

  test('on anything that starts like a header', () => {
    const alphabet = fc.constantFrom(...'MSHPID|^~\\&#\r\n\ufeff \t0123AZXF.'.split(''));
    fc.assert(
      fc.property(
        fc.constantFrom('MSH|^~\\&|', 'MSH|^~\\&#|', 'MSH*!@%$*', '\ufeffMSH|', 'MSH'),
        fc.string({ unit: alphabet, maxLength: 300 }),
        (head, tail) => {
          const parsed = parseOrTypedError(head + tail, limits);
          // What parses once reads the same after a round trip through the serialiser.
          if (parsed) expectSame(parseMessage(serializeMessage(parsed)), parsed);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  test('on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        parseOrTypedError(bytes, limits);
      }),
      { numRuns: 1_000 },
    );
  });

  test('on real samples with bytes flipped, inserted or cut', () => {
    const edit = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
      char: fc.constantFrom(
        '|',
        '^',
        '~',
        '\\',
        '&',
        '\r',
        '\n',
        'X',
        '\x0b',
        '\x1c',
        '\ufeff',
        'é',
      ),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(edit, { minLength: 1, maxLength: 8 }),
        (sample, edits) => {
          let text = sample;
          for (const { at, kind, char } of edits) {
            const i = at % (text.length + 1);
            if (kind === 'flip') text = text.slice(0, i) + char + text.slice(i + 1);
            else if (kind === 'insert') text = text.slice(0, i) + char + text.slice(i);
            else if (kind === 'delete') text = text.slice(0, i) + text.slice(i + 1);
            else text = text.slice(0, i);
          }
          const parsed = parseOrTypedError(text);
          if (parsed) expectSame(parseMessage(serializeMessage(parsed)), parsed);
        },
      ),
      { numRuns: 400 },
    );
  });
});
