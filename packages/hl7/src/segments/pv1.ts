/** PV1, patient visit: class, location (ward, room, bed), doctors, service, visit number, admit and discharge times. */
import { type Cx, type Pl, readCx, readPl, readXcn, type Xcn } from '../datatypes/composite.ts';
import type { Segment } from '../message/types.ts';
import { list, one, text } from './fields.ts';

/**
 * The PV1 segment, typed.
 *
 * @example
 * const { assignedLocation, visitNumber } = readPv1(pv1Segment);
 */
export interface Pv1 {
  setId: string;
  /** PV1-2: I (inpatient), O (outpatient), E (emergency), P (preadmit), R, B, C, N, U. */
  patientClass: string;
  /** PV1-3: ward (point of care), room, bed. */
  assignedLocation: Pl;
  admissionType: string;
  preadmitNumber: Cx;
  /** PV1-6: where the patient was before a transfer. */
  priorLocation: Pl;
  attendingDoctors: Xcn[];
  referringDoctors: Xcn[];
  consultingDoctors: Xcn[];
  /** PV1-10: the hospital service (department) code, e.g. MED, SUR, CAR. */
  hospitalService: string;
  temporaryLocation: Pl;
  readmissionIndicator: string;
  admitSource: string;
  vipIndicator: string;
  admittingDoctors: Xcn[];
  patientType: string;
  /** PV1-19: the visit (encounter) number. */
  visitNumber: Cx;
  financialClass: string;
  /** PV1-36: discharge disposition code. */
  dischargeDisposition: string;
  dischargedToLocation: string;
  pendingLocation: Pl;
  /** PV1-44, as written. */
  admitDateTime: string;
  /** PV1-45 (first repetition), as written. */
  dischargeDateTime: string;
  alternateVisitId: Cx;
  visitIndicator: string;
}

/**
 * Reads a PV1 segment.
 *
 * @example
 * readPv1(findSegment(message, 'PV1')!).assignedLocation.bed; // 'Bed 03'
 */
export function readPv1(segment: Segment): Pv1 {
  return {
    setId: text(segment, 1),
    patientClass: text(segment, 2),
    assignedLocation: one(segment, 3, readPl),
    admissionType: text(segment, 4),
    preadmitNumber: one(segment, 5, readCx),
    priorLocation: one(segment, 6, readPl),
    attendingDoctors: list(segment, 7, readXcn),
    referringDoctors: list(segment, 8, readXcn),
    consultingDoctors: list(segment, 9, readXcn),
    hospitalService: text(segment, 10),
    temporaryLocation: one(segment, 11, readPl),
    readmissionIndicator: text(segment, 13),
    admitSource: text(segment, 14),
    vipIndicator: text(segment, 16),
    admittingDoctors: list(segment, 17, readXcn),
    patientType: text(segment, 18),
    visitNumber: one(segment, 19, readCx),
    financialClass: text(segment, 20),
    dischargeDisposition: text(segment, 36),
    dischargedToLocation: text(segment, 37),
    pendingLocation: one(segment, 42, readPl),
    admitDateTime: text(segment, 44),
    dischargeDateTime: text(segment, 45),
    alternateVisitId: one(segment, 50, readCx),
    visitIndicator: text(segment, 51),
  };
}
