/** MRG, merge patient information: the identifiers that are being merged away. */
import { type Cx, readCx, readXpn, type Xpn } from '../datatypes/composite.ts';
import type { Segment } from '../message/types.ts';
import { list, one } from './fields.ts';

/**
 * The MRG segment, typed.
 *
 * @example
 * readMrg(mrgSegment).priorPatientIdentifiers[0]?.id; // the MRN that no longer stands alone
 */
export interface Mrg {
  /** MRG-1: the prior patient identifiers (merged into the PID's). */
  priorPatientIdentifiers: Cx[];
  priorAlternatePatientId: Cx;
  priorPatientAccountNumber: Cx;
  priorPatientId: Cx;
  priorVisitNumber: Cx;
  priorAlternateVisitId: Cx;
  priorPatientNames: Xpn[];
}

/**
 * Reads an MRG segment.
 *
 * @example
 * readMrg(findSegment(message, 'MRG')!).priorPatientIdentifiers;
 */
export function readMrg(segment: Segment): Mrg {
  return {
    priorPatientIdentifiers: list(segment, 1, readCx).filter((cx) => cx.id !== ''),
    priorAlternatePatientId: one(segment, 2, readCx),
    priorPatientAccountNumber: one(segment, 3, readCx),
    priorPatientId: one(segment, 4, readCx),
    priorVisitNumber: one(segment, 5, readCx),
    priorAlternateVisitId: one(segment, 6, readCx),
    priorPatientNames: list(segment, 7, readXpn),
  };
}
