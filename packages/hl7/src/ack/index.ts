/**
 * Acknowledgements. In original mode a receiver answers every message with
 * AA (accepted), AE (error in the content) or AR (rejected: unsupported
 * type or version, or the receiver cannot take it now). A sender that
 * fills MSH-15 or MSH-16 asks for enhanced mode: the first answer is a
 * commit acknowledgement — CA once the message is safely stored, CE, CR —
 * sent only when MSH-15 asks for it (AL always, NE never, ER on errors, SU
 * on success). Every ACK echoes MSH-10 in MSA-2 and the processing id
 * (MSH-11) and version (MSH-12) in its own header, swaps sender and
 * receiver, and carries one ERR segment per problem, in the layout of the
 * message's version (ERR-2..8 from 2.5, ERR-1 before).
 */
import { formatHl7DateTime } from '../datatypes/datetime.ts';
import { buildField, buildSegment, copyField, getField, getValue } from '../message/access.ts';
import {
  type Delimiters,
  encodingCharacters,
  type Field,
  type Message,
  type Segment,
  STANDARD_DELIMITERS,
} from '../message/types.ts';
import { type Msh, readMsh } from '../segments/msh.ts';

/**
 * An acknowledgement code (HL7 table 0008).
 *
 * @example
 * const code: AckCode = 'CA';
 */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/**
 * What the receiver decided: accepted, an error in the content, or rejected.
 *
 * @example
 * const outcome: AckOutcome = 'error'; // AE, or CE in enhanced mode
 */
export type AckOutcome = 'accept' | 'error' | 'reject';

/**
 * Original (AA/AE/AR) or enhanced (CA/CE/CR) acknowledgement mode.
 *
 * @example
 * const mode: AckMode = acknowledgementMode(readMsh(message.segments[0]!));
 */
export type AckMode = 'original' | 'enhanced';

/**
 * HL7 table 0357, message error condition codes, with their standard texts.
 *
 * @example
 * hl7ErrorConditions[101]; // 'Required field missing'
 */
export const hl7ErrorConditions = {
  0: 'Message accepted',
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
} as const;

/**
 * One code of {@link hl7ErrorConditions}.
 *
 * @example
 * const condition: Hl7ErrorCondition = 203;
 */
export type Hl7ErrorCondition = keyof typeof hl7ErrorConditions;

/**
 * One problem reported in an ERR segment.
 *
 * @example
 * const missing: AckError = { condition: 101, location: { segment: 'PID', field: 3 }, message: 'PID-3 needs an identifier' };
 */
export interface AckError {
  condition: Hl7ErrorCondition;
  /** E (error, the default), W (warning), I (information) or F (fatal). */
  severity?: 'E' | 'W' | 'I' | 'F';
  /** Where: segment id, its occurrence (default 1), field, repetition, component, subcomponent. */
  location?: {
    segment: string;
    sequence?: number;
    field?: number;
    fieldRepetition?: number;
    component?: number;
    subcomponent?: number;
  };
  /** ERR-8, a message for a person; never put patient data here. */
  message?: string;
}

/**
 * Options of {@link buildAck}.
 *
 * @example
 * const options: BuildAckOptions = { outcome: 'accept', controlId: 'ACK0001', now: new Date() };
 */
export interface BuildAckOptions {
  outcome: AckOutcome;
  /** Force a mode; default from the original's MSH-15/16. */
  mode?: AckMode;
  /** MSA-3, a short text (deprecated from 2.7 but read by most senders). */
  text?: string;
  errors?: readonly AckError[];
  /** MSH-10 of the ACK itself; default 20 random characters. */
  controlId?: string;
  /** MSH-7 of the ACK; default now. */
  now?: Date;
  /** Offset (minutes east of UTC) MSH-7 is written at; default 0. */
  offsetMinutes?: number;
}

/**
 * Enhanced mode when the sender filled MSH-15 or MSH-16, else original.
 *
 * @example
 * acknowledgementMode(readMsh(msh)); // 'enhanced' for MSH-15 = AL
 */
export function acknowledgementMode(msh: Msh): AckMode {
  return msh.acceptAckType !== '' || msh.applicationAckType !== '' ? 'enhanced' : 'original';
}

/**
 * The ACK code of an outcome in a mode.
 *
 * @example
 * ackCode('enhanced', 'accept'); // 'CA'
 */
export function ackCode(mode: AckMode, outcome: AckOutcome): AckCode {
  const letter = outcome === 'accept' ? 'A' : outcome === 'error' ? 'E' : 'R';
  return `${mode === 'enhanced' ? 'C' : 'A'}${letter}` as AckCode;
}

/**
 * Whether the sender wants an accept acknowledgement for this outcome:
 * always in original mode; in enhanced mode as MSH-15 says (AL, the
 * default; NE never; ER only on error or reject; SU only on accept).
 *
 * @example
 * if (wantsAcceptAck(readMsh(msh), 'accept')) socket.write(frame(ack));
 */
export function wantsAcceptAck(msh: Msh, outcome: AckOutcome): boolean {
  if (acknowledgementMode(msh) === 'original') return true;
  switch (msh.acceptAckType.toUpperCase()) {
    case 'NE':
      return false;
    case 'ER':
      return outcome !== 'accept';
    case 'SU':
      return outcome === 'accept';
    default:
      return true;
  }
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map((n) => Number.parseInt(n, 10));
  if (a === undefined || Number.isNaN(a)) return true;
  return a > major || (a === major && (b ?? 0) >= minor);
}

function randomControlId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = new Uint8Array(20);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

function errSegment(error: AckError, version: string): Segment {
  const where = error.location;
  const condition = buildField(
    String(error.condition),
    hl7ErrorConditions[error.condition],
    'HL70357',
  );
  if (!versionAtLeast(version, 2, 5)) {
    // ERR-1 (ELD): segment ^ sequence ^ field ^ code&text&table.
    return buildSegment('ERR', [
      buildField(
        where?.segment ?? '',
        where ? String(where.sequence ?? 1) : '',
        where?.field === undefined ? '' : String(where.field),
        [String(error.condition), hl7ErrorConditions[error.condition], 'HL70357'],
      ),
    ]);
  }
  const location: Field = where
    ? buildField(
        where.segment,
        String(where.sequence ?? 1),
        where.field === undefined ? '' : String(where.field),
        where.fieldRepetition === undefined ? '' : String(where.fieldRepetition),
        where.component === undefined ? '' : String(where.component),
        where.subcomponent === undefined ? '' : String(where.subcomponent),
      )
    : [[['']]];
  return buildSegment('ERR', [
    '',
    location,
    condition,
    error.severity ?? 'E',
    '',
    '',
    '',
    error.message ?? '',
  ]);
}

/**
 * Builds the acknowledgement of `original` (or of a message whose header
 * could not be read at all: then MSA-2 is empty and the ACK uses the
 * standard delimiters and version 2.5).
 *
 * @example
 * const ack = buildAck(message, { outcome: 'accept' });
 * socket.write(encodeFrame(serializeMessage(ack)));
 */
export function buildAck(original: Message | undefined, options: BuildAckOptions): Message {
  const header = original?.segments[0]?.name === 'MSH' ? original.segments[0] : undefined;
  const msh = header ? readMsh(header) : undefined;
  const d: Delimiters = original?.delimiters ?? STANDARD_DELIMITERS;
  const mode = options.mode ?? (msh ? acknowledgementMode(msh) : 'original');
  const code = ackCode(mode, options.outcome);
  const version = msh?.versionId || '2.5';
  const field = (n: number, fallback: string): Field => {
    const found = getField(header, n);
    return found ? copyField(found) : [[[fallback]]];
  };
  const fields: Field[] = [
    [[[d.field]]],
    [[[encodingCharacters(d)]]],
    field(5, ''),
    field(6, ''),
    field(3, ''),
    field(4, ''),
    [[[formatHl7DateTime(options.now ?? new Date(), options.offsetMinutes ?? 0)]]],
    [[['']]],
    buildField('ACK', msh?.messageType.triggerEvent ?? '', 'ACK'),
    [[[options.controlId ?? randomControlId()]]],
    field(11, 'P'),
    field(12, version),
  ];
  if (msh?.characterSet) {
    while (fields.length < 17) fields.push([[['']]]);
    fields.push(field(18, ''));
  }
  // MSA-2 echoes MSH-10 exactly as sent (untrimmed), so the sender's match is exact.
  const msa = buildSegment('MSA', [
    code,
    header ? getValue(header, 10) : '',
    ...(options.text ? [options.text] : []),
  ]);
  return {
    delimiters: d,
    segments: [
      { name: 'MSH', fields },
      msa,
      ...(options.errors ?? []).map((error) => errSegment(error, version)),
    ],
  };
}
