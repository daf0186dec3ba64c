/**
 * `@clinicbridge/hl7`: HL7 v2 messages for any runtime — parse and
 * serialise, read segments by position or typed (MSH, PID, PV1, PV2, EVN,
 * MRG, IN1, DG1, OBX), and build acknowledgements. MLLP framing is in
 * `@clinicbridge/hl7/mllp`, the Node listener and client in
 * `@clinicbridge/hl7/node`.
 */
export {
  type AckCode,
  type AckError,
  type AckMode,
  type AckOutcome,
  ackCode,
  acknowledgementMode,
  type BuildAckOptions,
  buildAck,
  type Hl7ErrorCondition,
  hl7ErrorConditions,
  wantsAcceptAck,
} from './ack/index.ts';
export {
  type Cwe,
  type Cx,
  type Ei,
  type Hd,
  hdKey,
  isEmptyPl,
  type Pl,
  readCwe,
  readCx,
  readEi,
  readHd,
  readHdComponent,
  readPl,
  readXad,
  readXcn,
  readXpn,
  readXtn,
  type Xad,
  type Xcn,
  type Xpn,
  type Xtn,
} from './datatypes/composite.ts';
export {
  formatHl7DateTime,
  type Hl7DateTime,
  type Hl7DateTimePrecision,
  hl7DateTimeToDate,
  hl7DateToIso,
  parseHl7DateTime,
} from './datatypes/datetime.ts';
export {
  Hl7Error,
  type Hl7ErrorCode,
  type Hl7Location,
  Hl7ParseError,
  Hl7SerializeError,
  isHl7Error,
  isHl7ParseError,
  isHl7SerializeError,
  isMllpFrameError,
  MllpFrameError,
} from './errors.ts';
export {
  buildField,
  buildSegment,
  componentText,
  componentValue,
  copyField,
  findSegment,
  findSegments,
  getField,
  getRepetitions,
  getValue,
  valueAt,
} from './message/access.ts';
export { unescapeValue, type ValueEscaper, valueEscaper } from './message/escape.ts';
export { decodeMessageBytes, type ParseOptions, parseMessage } from './message/parse.ts';
export { type SerializeOptions, serializeMessage } from './message/serialize.ts';
export {
  type Component,
  type Delimiters,
  encodingCharacters,
  type Field,
  type Message,
  type Repetition,
  type Segment,
  STANDARD_DELIMITERS,
} from './message/types.ts';
export {
  type Dg1,
  type Evn,
  type In1,
  type MessageType,
  type Mrg,
  type Msh,
  type Obx,
  type Pid,
  type Pv1,
  type Pv2,
  readDg1,
  readEvn,
  readHeader,
  readIn1,
  readMrg,
  readMsh,
  readObx,
  readPid,
  readPv1,
  readPv2,
  readSegment,
  readSegments,
  type TypedSegments,
} from './segments/index.ts';
