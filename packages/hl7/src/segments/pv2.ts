/** PV2, patient visit (additional): admit and transfer reasons, expected dates, length of stay. */
import { type Cwe, type Pl, readCwe, readPl } from '../datatypes/composite.ts';
import type { Segment } from '../message/types.ts';
import { one, text } from './fields.ts';

/**
 * The PV2 segment, typed.
 *
 * @example
 * readPv2(pv2Segment).expectedDischargeDateTime; // '20260110'
 */
export interface Pv2 {
  priorPendingLocation: Pl;
  accommodationCode: Cwe;
  admitReason: Cwe;
  transferReason: Cwe;
  /** PV2-8, as written. */
  expectedAdmitDateTime: string;
  /** PV2-9, as written. */
  expectedDischargeDateTime: string;
  estimatedLengthOfInpatientStay: string;
  actualLengthOfInpatientStay: string;
  visitDescription: string;
  visitPriorityCode: string;
}

/**
 * Reads a PV2 segment.
 *
 * @example
 * readPv2(findSegment(message, 'PV2')!).admitReason.text; // 'Chronic pharyngitis'
 */
export function readPv2(segment: Segment): Pv2 {
  return {
    priorPendingLocation: one(segment, 1, readPl),
    accommodationCode: one(segment, 2, readCwe),
    admitReason: one(segment, 3, readCwe),
    transferReason: one(segment, 4, readCwe),
    expectedAdmitDateTime: text(segment, 8),
    expectedDischargeDateTime: text(segment, 9),
    estimatedLengthOfInpatientStay: text(segment, 10),
    actualLengthOfInpatientStay: text(segment, 11),
    visitDescription: text(segment, 12),
    visitPriorityCode: text(segment, 25),
  };
}
