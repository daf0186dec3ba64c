/**
 * Typed readers of the segments integrations use most, and one lookup by
 * segment id: `readSegment(message, 'PID')` is the first PID, typed;
 * `readSegments(message, 'OBX')` every OBX.
 */
import { Hl7Error } from '../errors.ts';
import { findSegment, findSegments } from '../message/access.ts';
import type { Message } from '../message/types.ts';
import { type Dg1, readDg1 } from './dg1.ts';
import { type Evn, readEvn } from './evn.ts';
import { type In1, readIn1 } from './in1.ts';
import { type Mrg, readMrg } from './mrg.ts';
import { type Msh, readMsh } from './msh.ts';
import { type Obx, readObx } from './obx.ts';
import { type Pid, readPid } from './pid.ts';
import { type Pv1, readPv1 } from './pv1.ts';
import { type Pv2, readPv2 } from './pv2.ts';

export type { Dg1 } from './dg1.ts';
export type { Evn } from './evn.ts';
export type { In1 } from './in1.ts';
export type { Mrg } from './mrg.ts';
export type { MessageType, Msh } from './msh.ts';
export type { Obx } from './obx.ts';
export type { Pid } from './pid.ts';
export type { Pv1 } from './pv1.ts';
export type { Pv2 } from './pv2.ts';
export { readDg1, readEvn, readIn1, readMrg, readMsh, readObx, readPid, readPv1, readPv2 };

/**
 * The typed view of each segment id this package reads.
 *
 * @example
 * type Visit = TypedSegments['PV1'];
 */
export interface TypedSegments {
  MSH: Msh;
  EVN: Evn;
  PID: Pid;
  PV1: Pv1;
  PV2: Pv2;
  MRG: Mrg;
  IN1: In1;
  DG1: Dg1;
  OBX: Obx;
}

const readers: {
  [K in keyof TypedSegments]: (s: Message['segments'][number]) => TypedSegments[K];
} = {
  MSH: readMsh,
  EVN: readEvn,
  PID: readPid,
  PV1: readPv1,
  PV2: readPv2,
  MRG: readMrg,
  IN1: readIn1,
  DG1: readDg1,
  OBX: readObx,
};

/**
 * The first segment `name` of a message, typed; undefined when there is none.
 *
 * @example
 * const pv1 = readSegment(message, 'PV1');
 * pv1?.assignedLocation.bed;
 */
export function readSegment<K extends keyof TypedSegments>(
  message: Message,
  name: K,
): TypedSegments[K] | undefined {
  const segment = findSegment(message, name);
  return segment ? readers[name](segment) : undefined;
}

/**
 * Every segment `name` of a message, typed, in order.
 *
 * @example
 * const diagnoses = readSegments(message, 'DG1').map((dg1) => dg1.diagnosisCode.identifier);
 */
export function readSegments<K extends keyof TypedSegments>(
  message: Message,
  name: K,
): TypedSegments[K][] {
  return findSegments(message, name).map((segment) => readers[name](segment));
}

/**
 * The MSH of a message, typed (every parsed message has one).
 *
 * @example
 * const { controlId } = readHeader(message);
 */
export function readHeader(message: Message): Msh {
  const [first] = message.segments;
  if (first?.name !== 'MSH') {
    throw new Hl7Error('missing_msh', 'the message has no MSH segment');
  }
  return readMsh(first);
}
