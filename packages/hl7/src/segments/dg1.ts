/** DG1, diagnosis: the code, its type (admitting, working, final) and when. */
import { type Cwe, type Ei, readCwe, readEi, readXcn, type Xcn } from '../datatypes/composite.ts';
import type { Segment } from '../message/types.ts';
import { list, one, text } from './fields.ts';

/**
 * The DG1 segment, typed.
 *
 * @example
 * readDg1(dg1Segment).diagnosisCode.identifier; // '422504002'
 */
export interface Dg1 {
  setId: string;
  codingMethod: string;
  diagnosisCode: Cwe;
  description: string;
  /** DG1-5, as written. */
  dateTime: string;
  /** DG1-6: A (admitting), W (working), F (final). */
  type: string;
  priority: string;
  diagnosingClinicians: Xcn[];
  identifier: Ei;
  actionCode: string;
}

/**
 * Reads a DG1 segment.
 *
 * @example
 * findSegments(message, 'DG1').map(readDg1);
 */
export function readDg1(segment: Segment): Dg1 {
  return {
    setId: text(segment, 1),
    codingMethod: text(segment, 2),
    diagnosisCode: one(segment, 3, readCwe),
    description: text(segment, 4),
    dateTime: text(segment, 5),
    type: text(segment, 6),
    priority: text(segment, 15),
    diagnosingClinicians: list(segment, 16, readXcn),
    identifier: one(segment, 20, readEi),
    actionCode: text(segment, 21),
  };
}
