/** IN1, insurance: the plan, the insurer, the policy and the insured. */
import { type Cwe, type Cx, readCwe, readCx, readXpn, type Xpn } from '../datatypes/composite.ts';
import type { Segment } from '../message/types.ts';
import { list, one, text } from './fields.ts';

/**
 * The IN1 segment, typed.
 *
 * @example
 * const { companyName, policyNumber } = readIn1(in1Segment);
 */
export interface In1 {
  setId: string;
  planId: Cwe;
  companyIds: Cx[];
  companyName: string;
  groupNumber: string;
  groupName: string;
  /** IN1-12, as written. */
  planEffectiveDate: string;
  /** IN1-13, as written. */
  planExpirationDate: string;
  planType: Cwe;
  insuredNames: Xpn[];
  insuredRelationshipToPatient: Cwe;
  insuredBirthDate: string;
  coordinationOfBenefits: string;
  coordinationOfBenefitsPriority: string;
  /** IN1-36: the policy number. */
  policyNumber: string;
  insuredIds: Cx[];
}

/**
 * Reads an IN1 segment.
 *
 * @example
 * readIn1(findSegments(message, 'IN1')[0]!).companyName; // 'MEDICARE'
 */
export function readIn1(segment: Segment): In1 {
  return {
    setId: text(segment, 1),
    planId: one(segment, 2, readCwe),
    companyIds: list(segment, 3, readCx),
    companyName: text(segment, 4),
    groupNumber: text(segment, 8),
    groupName: text(segment, 9),
    planEffectiveDate: text(segment, 12),
    planExpirationDate: text(segment, 13),
    planType: one(segment, 15, readCwe),
    insuredNames: list(segment, 16, readXpn),
    insuredRelationshipToPatient: one(segment, 17, readCwe),
    insuredBirthDate: text(segment, 18),
    coordinationOfBenefits: text(segment, 21),
    coordinationOfBenefitsPriority: text(segment, 22),
    policyNumber: text(segment, 36),
    insuredIds: list(segment, 49, readCx),
  };
}
