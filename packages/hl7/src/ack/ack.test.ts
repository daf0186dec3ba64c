/**
 * Acknowledgements: original and enhanced mode, the echoes HL7 requires
 * (MSA-2 = MSH-10, MSH-11 and MSH-12 copied, sender and receiver swapped),
 * ERR segments in the 2.5+ and the pre-2.5 layout, which outcomes a sender
 * asked to hear about (MSH-15), and an ACK for a message with no readable header.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { findSegment, getValue, valueAt } from '../message/access.ts';
import { parseMessage } from '../message/parse.ts';
import { serializeMessage } from '../message/serialize.ts';
import { readHeader } from '../segments/index.ts';
import { ackCode, acknowledgementMode, buildAck, wantsAcceptAck } from './index.ts';

const now = new Date('2026-03-01T04:45:00Z');
const original = parseMessage(
  'MSH|^~\\&|ADT1|CITYHOSP^1.2.3^ISO|CB|CBFAC|20260301101500||ADT^A02^ADT_A02|MSG-77 |T^I|2.5.1|||||IND|UNICODE UTF-8\rPID|1||MRN1^^^CITYHOSP^MR',
);
const enhanced = parseMessage(
  'MSH|^~\\&|ADT1|CITYHOSP|CB|CBFAC|20260301101500||ADT^A01|E-1|P|2.6|||ER|NE\rPID|1||MRN1',
);

describe('buildAck', () => {
  test('AA echoes MSH-10 exactly, MSH-11 and MSH-12, and swaps sender and receiver', () => {
    const ack = buildAck(original, {
      outcome: 'accept',
      controlId: 'ACK-1',
      now,
      offsetMinutes: 330,
    });
    const text = serializeMessage(ack);
    expect(text).toBe(
      'MSH|^~\\&|CB|CBFAC|ADT1|CITYHOSP^1.2.3^ISO|20260301101500+0530||ACK^A02^ACK|ACK-1|T^I|2.5.1||||||UNICODE UTF-8\r' +
        'MSA|AA|MSG-77 \r',
    );
    const header = readHeader(parseMessage(text));
    expect(header.controlId).toBe('ACK-1');
    expect(header.processingId).toBe('T');
  });

  test('AE and AR carry ERR segments (2.5+ layout: location, condition, severity, message)', () => {
    const ack = buildAck(original, {
      outcome: 'error',
      controlId: 'ACK-2',
      now,
      text: 'content error',
      errors: [
        {
          condition: 101,
          location: { segment: 'PID', field: 3 },
          message: 'PID-3 needs an identifier with an assigning authority',
        },
        { condition: 102, severity: 'W', location: { segment: 'PV1', field: 44, component: 1 } },
      ],
    });
    const parsed = parseMessage(serializeMessage(ack));
    expect(valueAt(parsed, 'MSA-1')).toBe('AE');
    expect(valueAt(parsed, 'MSA-3')).toBe('content error');
    expect(serializeMessage(ack).split('\r').slice(2, 4)).toEqual([
      'ERR||PID^1^3^^^|101^Required field missing^HL70357|E||||PID-3 needs an identifier with an assigning authority',
      'ERR||PV1^1^44^^1^|102^Data type error^HL70357|W||||',
    ]);
    const reject = buildAck(original, { outcome: 'reject', errors: [{ condition: 200 }] });
    expect(valueAt(reject, 'MSA-1')).toBe('AR');
    expect(valueAt(reject, 'ERR-3.1')).toBe('200');
    expect(valueAt(reject, 'ERR-3.2')).toBe('Unsupported message type');
  });

  test('before 2.5 the error goes in ERR-1 (ELD)', () => {
    const v23 = parseMessage(
      readFileSync(new URL('../__fixtures__/ADT01-23.hl7', import.meta.url)),
    );
    const ack = buildAck(v23, {
      outcome: 'error',
      controlId: 'X',
      now,
      errors: [{ condition: 101, location: { segment: 'PV1', field: 19 } }],
    });
    expect(serializeMessage(ack).split('\r')[2]).toBe(
      'ERR|PV1^1^19^101&Required field missing&HL70357',
    );
    expect(valueAt(ack, 'MSA-2')).toBe('599102');
    expect(valueAt(ack, 'MSH-12')).toBe('2.3');
  });

  test('enhanced mode (MSH-15/16 filled) answers CA, CE, CR', () => {
    const header = readHeader(enhanced);
    expect(acknowledgementMode(header)).toBe('enhanced');
    expect(acknowledgementMode(readHeader(original))).toBe('original');
    expect(valueAt(buildAck(enhanced, { outcome: 'accept' }), 'MSA-1')).toBe('CA');
    expect(valueAt(buildAck(enhanced, { outcome: 'error' }), 'MSA-1')).toBe('CE');
    expect(valueAt(buildAck(enhanced, { outcome: 'reject' }), 'MSA-1')).toBe('CR');
    // A mode can be forced.
    expect(valueAt(buildAck(enhanced, { outcome: 'accept', mode: 'original' }), 'MSA-1')).toBe(
      'AA',
    );
    expect(ackCode('original', 'reject')).toBe('AR');
  });

  test('MSH-15 decides which accept acknowledgements a sender wants', () => {
    const withAccept = (value: string) =>
      readHeader(parseMessage(`MSH|^~\\&|A|B|C|D|||ADT^A01|1|P|2.5|||${value}|AL`));
    expect([
      wantsAcceptAck(withAccept('AL'), 'accept'),
      wantsAcceptAck(withAccept('AL'), 'error'),
    ]).toEqual([true, true]);
    expect([
      wantsAcceptAck(withAccept('NE'), 'accept'),
      wantsAcceptAck(withAccept('NE'), 'reject'),
    ]).toEqual([false, false]);
    expect([
      wantsAcceptAck(withAccept('ER'), 'accept'),
      wantsAcceptAck(withAccept('ER'), 'error'),
    ]).toEqual([false, true]);
    expect([
      wantsAcceptAck(withAccept('SU'), 'accept'),
      wantsAcceptAck(withAccept('SU'), 'reject'),
    ]).toEqual([true, false]);
    // Enhanced mode with MSH-15 empty (MSH-16 only): accept acknowledgements as AL.
    expect(wantsAcceptAck(withAccept(''), 'accept')).toBe(true);
    expect(wantsAcceptAck(readHeader(original), 'accept')).toBe(true);
  });

  test('keeps the message delimiters, escapes the text, and has a fresh control id by default', () => {
    const custom = parseMessage('MSH*!@%$*APP*FAC*RCV*RFAC***ADT!A08*C-9*P*2.5');
    const ack = buildAck(custom, { outcome: 'error', text: 'bad * field', now });
    const text = serializeMessage(ack);
    expect(text.startsWith('MSH*!@%$*RCV*RFAC*APP*FAC*')).toBe(true);
    expect(text).toContain('MSA*AE*C-9*bad %F% field');
    const a = getValue(findSegment(buildAck(custom, { outcome: 'accept' }), 'MSH'), 10);
    const b = getValue(findSegment(buildAck(custom, { outcome: 'accept' }), 'MSH'), 10);
    expect(a).toMatch(/^[A-Z0-9]{20}$/);
    expect(a).not.toBe(b);
  });

  test('a message with no readable header still gets an ACK (empty MSA-2, version 2.5)', () => {
    const ack = buildAck(undefined, {
      outcome: 'reject',
      controlId: 'R1',
      now,
      errors: [{ condition: 100 }],
    });
    expect(serializeMessage(ack)).toBe(
      'MSH|^~\\&|||||20260301044500+0000||ACK^^ACK|R1|P|2.5\rMSA|AR|\rERR|||100^Segment sequence error^HL70357|E||||\r',
    );
  });
});
