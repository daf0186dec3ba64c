/**
 * The parser and serialiser on real samples (../__fixtures__, copied from
 * Microsoft's FHIR-Converter sample data: LF endings, a BOM, trailing
 * spaces, an escaped `&`) and on hand-written messages for every rule:
 * segment terminators, escapes, repetitions, components, subcomponents,
 * Z-segments, custom delimiters, and each parse error with its code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { isHl7Error, isHl7ParseError } from '../errors.ts';
import { readHeader, readSegment, readSegments } from '../segments/index.ts';
import { findSegment, findSegments, getRepetitions, getValue, valueAt } from './access.ts';
import { parseMessage } from './parse.ts';
import { serializeMessage } from './serialize.ts';
import type { Message } from './types.ts';

const fixtures = new URL('../__fixtures__/', import.meta.url);
const fixtureNames = readdirSync(fixtures).filter((name) => name.endsWith('.hl7'));
const fixture = (name: string) => readFileSync(new URL(name, fixtures));

function parseError(input: string | Uint8Array, options = {}) {
  try {
    parseMessage(input, options);
  } catch (error) {
    expect(isHl7ParseError(error)).toBe(true);
    return error as import('../errors.ts').Hl7ParseError;
  }
  throw new Error('expected a parse error');
}

describe('sample messages', () => {
  test.each(fixtureNames)('%s parses, and serialising it loses nothing', (name) => {
    const message = parseMessage(fixture(name));
    expect(message.segments[0]?.name).toBe('MSH');
    expect(readHeader(message).messageType.code).toBe('ADT');
    expect(parseMessage(serializeMessage(message))).toEqual(message);
    // Written back with the file's own LF endings, the text is byte for byte the same
    // (less the BOM, and the final newline only one sample had).
    const text = fixture(name)
      .toString('utf8')
      .replace(/^\ufeff/, '');
    const written = serializeMessage(message, {
      segmentTerminator: '\n',
      trailingTerminator: text.endsWith('\n'),
    });
    expect(written).toBe(text);
  });

  test('the v2.8 A01 reads as the file says', () => {
    const message = parseMessage(fixture('ADT-A01-01.hl7'));
    expect(message.segments.map((s) => s.name)).toEqual([
      'MSH',
      'SFT',
      'EVN',
      'PID',
      'PD1',
      'ARV',
      'ROL',
      'NK1',
      'PV1',
      'PV2',
      'ARV',
      'ROL',
      'DB1',
      'OBX',
      'AL1',
      'DG1',
      'PR1',
      'ROL',
      'GT1',
      'IN1',
      'IN2',
      'RF1',
      'ACC',
      'PDA',
    ]);
    const header = readHeader(message);
    expect(header).toMatchObject({
      sendingApplication: { namespaceId: 'ADTApp' },
      sendingFacility: {
        namespaceId: 'GHHSFacility',
        universalId: '2.16.840.1.122848.1.30',
        universalIdType: 'ISO',
      },
      controlId: 'MSG00001',
      processingId: 'P',
      versionId: '2.8',
      messageType: { code: 'ADT', triggerEvent: 'A01', structure: 'ADT_A01' },
    });
    // PV1-14 holds `A\T\E`: the escaped subcomponent separator decodes to `&`.
    expect(getValue(findSegment(message, 'PV1'), 14)).toBe(
      'NHS Provider-General (inc.A&E-this Hosp)',
    );
    // Repetitions and subcomponents.
    const pid = findSegment(message, 'PID');
    expect(getRepetitions(pid, 3)).toHaveLength(2);
    expect(valueAt(message, 'PID-3[1].4.2')).toBe('2.16.1');
    expect(valueAt(message, 'PID-3[2].5')).toBe('SS');
    expect(valueAt(message, 'PID-5[2].1.5')).toBe('Bing');
    expect(valueAt(message, 'OBX-5[2]')).toBe('120');
  });

  test('a BOM, LF endings and trailing spaces (ADT01-23, v2.3)', () => {
    const bytes = fixture('ADT01-23.hl7');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const message = parseMessage(bytes);
    expect(message.segments.map((s) => s.name)).toEqual([
      'MSH',
      'EVN',
      'PID',
      'NK1',
      'PV1',
      'GT1',
      'DG1',
      'IN1',
      'IN2',
      'IN1',
      'IN2',
      'IN1',
    ]);
    // MSH-15 is a single space: not enhanced mode once trimmed.
    expect(readHeader(message)).toMatchObject({
      controlId: '599102',
      versionId: '2.3',
      acceptAckType: '',
    });
    expect(readSegment(message, 'PID')?.identifiers[0]).toMatchObject({
      id: '10006579',
      assigningAuthority: { namespaceId: '1' },
      identifierTypeCode: 'MR',
    });
    expect(readSegments(message, 'IN1').map((in1) => in1.companyName)).toEqual([
      'MEDICARE',
      'MEDICAL MUTUAL CALIF.',
      'SELF PAY',
    ]);
    // A string with the BOM as its first character is read the same way.
    expect(parseMessage(bytes.toString('utf8'))).toEqual(message);
  });

  test('the same message under another MSH-10 differs only there', () => {
    const a = parseMessage(fixture('ADT-A01-02.hl7'));
    const b = parseMessage(
      fixture('ADT-A01-02.hl7').toString('utf8').replace('MSG00001', 'MSG00002'),
    );
    expect(readHeader(b).controlId).toBe('MSG00002');
    expect(b.segments.slice(1)).toEqual(a.segments.slice(1));
  });
});

/** A segment line with the given fields at their HL7 positions (the rest empty). */
function line(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
}

const A01 = [
  'MSH|^~\\&|ADT1|CITYHOSP|CLINICBRIDGE|CB|20260301101500+0530||ADT^A01^ADT_A01|MSG-0001|P|2.5.1',
  'EVN|A01|20260301101500+0530',
  'PID|1||MRN001^^^CITYHOSP^MR~9876^^^NATID^NI||Sharma^Asha^K||19800512|F|||12 MG Road^^Pune^MH^411001^IN',
  line('PV1', {
    1: '1',
    2: 'I',
    3: 'W4^402^B^CITYHOSP',
    7: 'D123^Rao^Vikram',
    10: 'MED',
    19: 'V0001^^^CITYHOSP^VN',
    44: '20260301100000+0530',
  }),
  'ZPV|custom^value|second',
].join('\r');

describe('hand-written messages', () => {
  test.each([
    ['CR', '\r'],
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('segments ending in %s read the same', (_label, end) => {
    const message = parseMessage(A01.replaceAll('\r', end));
    expect(message).toEqual(parseMessage(A01));
    expect(message.segments).toHaveLength(5);
  });

  test('a final terminator, blank lines between segments and a leading newline are ignored', () => {
    const text = `\r\n${A01.replace('\rEVN', '\r\r\nEVN')}\r\n\r\n`;
    expect(parseMessage(text)).toEqual(parseMessage(A01));
  });

  test('Z-segments are kept with their fields, in place', () => {
    const message = parseMessage(A01);
    const z = findSegment(message, 'ZPV');
    expect(z?.fields).toEqual([[[['custom'], ['value']]], [[['second']]]]);
    expect(serializeMessage(message)).toBe(`${A01}\r`);
  });

  test('repetitions, components and subcomponents', () => {
    const message = parseMessage(A01);
    const pid = readSegment(message, 'PID')!;
    expect(
      pid.identifiers.map((id) => [
        id.id,
        id.assigningAuthority.namespaceId,
        id.identifierTypeCode,
      ]),
    ).toEqual([
      ['MRN001', 'CITYHOSP', 'MR'],
      ['9876', 'NATID', 'NI'],
    ]);
    expect(pid.names[0]).toMatchObject({ family: 'Sharma', given: 'Asha', middle: 'K' });
    const pv1 = readSegment(message, 'PV1')!;
    expect(pv1.assignedLocation).toMatchObject({
      pointOfCare: 'W4',
      room: '402',
      bed: 'B',
      facility: { namespaceId: 'CITYHOSP' },
    });
    expect(pv1.visitNumber).toMatchObject({ id: 'V0001', identifierTypeCode: 'VN' });
    expect(pv1.attendingDoctors[0]).toMatchObject({ id: 'D123', family: 'Rao', given: 'Vikram' });
    expect(pv1.admitDateTime).toBe('20260301100000+0530');
  });

  test.each([
    ['\\F\\', '|'],
    ['\\S\\', '^'],
    ['\\T\\', '&'],
    ['\\R\\', '~'],
    ['\\E\\', '\\'],
    ['\\X0D\\', '\r'],
    ['\\X0D0A\\', '\r\n'],
    ['\\X41\\', 'A'],
    ['\\xc3a9\\', '\\xc3a9\\'], // lower-case x is not the hex escape
    ['\\XC3A9\\', 'é'], // UTF-8 bytes
    ['\\XE9\\', 'é'], // not UTF-8: one Latin-1 character per byte
    ['\\X0\\', '\\X0\\'], // odd hex: taken literally
    ['\\.br\\', '\\.br\\'], // formatting escapes are kept
    ['\\H\\bold\\N\\', '\\H\\bold\\N\\'],
    ['\\Zcustom\\', '\\Zcustom\\'],
    ['\\C2842\\', '\\C2842\\'],
    ['\\Q\\', '\\Q\\'], // unknown: literal
    ['a\\F', 'a\\F'], // unterminated: literal
    ['\\P\\', '\\P\\'], // no truncation character declared
  ])('the escape %s reads as %j', (escaped, decoded) => {
    const message = parseMessage(`MSH|^~\\&|A|B|||||ADT^A08|1|P|2.5\rNTE|1||x${escaped}y`);
    expect(getValue(findSegment(message, 'NTE'), 3)).toBe(`x${decoded}y`);
    // Written back, the value survives another parse.
    expect(parseMessage(serializeMessage(message))).toEqual(message);
  });

  test('serialising escapes delimiters, backslashes and control characters', () => {
    const message = parseMessage('MSH|^~\\&|A|B|||||ADT^A08|1|P|2.5\rNTE|1||plain');
    findSegment(message, 'NTE')!.fields[2] = [[['A|B^C~D&E\\F\r\n\x0b\x1c \\.br\\ end']]];
    const text = serializeMessage(message);
    expect(text).toContain(
      'NTE|1||A\\F\\B\\S\\C\\R\\D\\T\\E\\E\\F\\X0D\\\\X0A\\\\X0B\\\\X1C\\ \\.br\\ end\r',
    );
    expect(text.includes('\x0b') || text.includes('\x1c')).toBe(false);
    expect(parseMessage(text)).toEqual(message);
  });

  test('custom delimiters and a truncation character (2.7) come from MSH-1 and MSH-2', () => {
    const text = 'MSH*!@%$#*APP*FAC*****ADT!A01*7*P*2.7\rPID*1**a!b$c@d*x%F%y%P%z';
    const message = parseMessage(text);
    expect(message.delimiters).toEqual({
      field: '*',
      component: '!',
      repetition: '@',
      escape: '%',
      subcomponent: '$',
      truncation: '#',
    });
    expect(readHeader(message).messageType.triggerEvent).toBe('A01');
    const pid = findSegment(message, 'PID');
    expect(pid?.fields[2]).toEqual([[['a'], ['b', 'c']], [['d']]]);
    expect(getValue(pid, 4)).toBe('x*y#z');
    expect(serializeMessage(message)).toBe(`${text}\r`);
  });

  test('empty fields, trailing separators and the HL7 null are kept as written', () => {
    const text = 'MSH|^~\\&|A|B|||||ADT^A08|1|P|2.5\rPID|1||""||||||||\rZZZ';
    const message = parseMessage(text);
    expect(findSegment(message, 'PID')?.fields).toHaveLength(11);
    expect(getValue(findSegment(message, 'PID'), 3)).toBe('""');
    expect(findSegment(message, 'ZZZ')?.fields).toEqual([]);
    expect(serializeMessage(message)).toBe(`${text}\r`);
  });

  test('findSegments keeps order; valueAt reads the n-th occurrence', () => {
    const message = parseMessage(
      `${A01}\rOBX|1|NM|8867-4^HR^LN||72\rOBX|2|NM|8310-5^Temp^LN||37.2`,
    );
    expect(findSegments(message, 'OBX')).toHaveLength(2);
    expect(valueAt(message, 'OBX[2]-5')).toBe('37.2');
    expect(valueAt(message, 'OBX[3]-5')).toBe('');
    expect(() => valueAt(message, 'bad path')).toThrow(TypeError);
  });
});

describe('parse errors', () => {
  test.each<[string, string | Uint8Array, string]>([
    ['empty', '', 'empty_message'],
    ['only newlines', '\r\n\r\n', 'empty_message'],
    ['no MSH', 'PID|1||123', 'missing_msh'],
    ['too short for delimiters', 'MSH|^~', 'invalid_delimiters'],
    ['duplicate delimiters', 'MSH|^^\\&|A', 'invalid_delimiters'],
    ['alphanumeric delimiters', 'MSH|^~\\a|A', 'invalid_delimiters'],
    ['a bad segment id', 'MSH|^~\\&|A\rpid|1', 'invalid_segment'],
    ['a segment id without its separator', 'MSH|^~\\&|A\rPID1', 'invalid_segment'],
    ['two messages', 'MSH|^~\\&|A\rPID|1\rMSH|^~\\&|B', 'multiple_messages'],
  ])('%s → %s', (_label, input, code) => {
    expect(parseError(input, {}).code).toBe(code);
  });

  test('errors after MSH carry the header, so an ACK can still echo MSH-10', () => {
    const error = parseError('MSH|^~\\&|A|B|||||ADT^A01|CTRL9|P|2.5\rPID|1\r!!!|bad');
    expect(error.location).toMatchObject({ line: 3, segmentIndex: 3 });
    expect(error.header && readHeader(error.header).controlId).toBe('CTRL9');
    // The error message never quotes the message.
    expect(error.message).not.toContain('bad');
  });

  test.each<[string, string, object]>([
    ['message_too_large', `MSH|^~\\&|${'x'.repeat(200)}`, { maxLength: 100 }],
    ['too_many_segments', `MSH|^~\\&|A${'\rNTE|1'.repeat(20)}`, { maxSegments: 10 }],
    ['too_many_fields', `MSH|^~\\&|A\rNTE${'|x'.repeat(50)}`, { maxFieldsPerSegment: 20 }],
    ['too_many_values', `MSH|^~\\&|A\rNTE|${'x^'.repeat(500)}`, { maxValues: 100 }],
  ])('limits are enforced while reading: %s', (code, text, options) => {
    const error = parseError(text, options);
    expect(error.code).toBe(code);
    expect(isHl7Error(error)).toBe(true);
  });

  test('bytes that are not UTF-8 are read as Latin-1, never refused', () => {
    const bytes = Uint8Array.from([
      ...Buffer.from('MSH|^~\\&|A|B|||||ADT^A08|1|P|2.5\rNTE|1||caf'),
      0xe9,
    ]);
    const message: Message = parseMessage(bytes);
    expect(getValue(findSegment(message, 'NTE'), 3)).toBe('café');
  });
});
