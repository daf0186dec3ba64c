/** MSH, the message header: who sent it to whom, what it is, its control id and version. */
import { type Hd, readHd } from '../datatypes/composite.ts';
import type { Segment } from '../message/types.ts';
import { one, text } from './fields.ts';

/**
 * MSH-9, the message type: code (`ADT`), trigger event (`A01`), structure (`ADT_A01`).
 *
 * @example
 * const type: MessageType = { code: 'ADT', triggerEvent: 'A01', structure: 'ADT_A01' };
 */
export interface MessageType {
  code: string;
  triggerEvent: string;
  structure: string;
}

/**
 * The MSH segment, typed.
 *
 * @example
 * const { controlId, messageType } = readMsh(message.segments[0]!);
 */
export interface Msh {
  fieldSeparator: string;
  encodingCharacters: string;
  sendingApplication: Hd;
  sendingFacility: Hd;
  receivingApplication: Hd;
  receivingFacility: Hd;
  /** MSH-7, as written (see `parseHl7DateTime`). */
  dateTime: string;
  security: string;
  messageType: MessageType;
  /** MSH-10: the sender's id of this message, echoed in MSA-2 of its ACK. */
  controlId: string;
  /** MSH-11.1: P (production), T (training) or D (debugging). */
  processingId: string;
  processingMode: string;
  /** MSH-12.1, e.g. `2.5.1`. */
  versionId: string;
  sequenceNumber: string;
  continuationPointer: string;
  /** MSH-15: AL, NE, ER or SU; present (with MSH-16) in enhanced acknowledgement mode. */
  acceptAckType: string;
  /** MSH-16: AL, NE, ER or SU. */
  applicationAckType: string;
  countryCode: string;
  /** MSH-18, first repetition: the character set (empty means ASCII). */
  characterSet: string;
  principalLanguage: string;
}

/**
 * Reads an MSH segment.
 *
 * @example
 * readMsh(parseMessage(text).segments[0]!).messageType.triggerEvent; // 'A01'
 */
export function readMsh(segment: Segment): Msh {
  return {
    fieldSeparator: text(segment, 1),
    encodingCharacters: text(segment, 2),
    sendingApplication: one(segment, 3, readHd),
    sendingFacility: one(segment, 4, readHd),
    receivingApplication: one(segment, 5, readHd),
    receivingFacility: one(segment, 6, readHd),
    dateTime: text(segment, 7),
    security: text(segment, 8),
    messageType: {
      code: text(segment, 9, 1),
      triggerEvent: text(segment, 9, 2),
      structure: text(segment, 9, 3),
    },
    controlId: text(segment, 10),
    processingId: text(segment, 11, 1),
    processingMode: text(segment, 11, 2),
    versionId: text(segment, 12, 1),
    sequenceNumber: text(segment, 13),
    continuationPointer: text(segment, 14),
    acceptAckType: text(segment, 15),
    applicationAckType: text(segment, 16),
    countryCode: text(segment, 17),
    characterSet: text(segment, 18),
    principalLanguage: text(segment, 19),
  };
}
