/** PID, patient identification: identifiers, names, birth date, sex, contact details. */
import {
  type Cwe,
  type Cx,
  readCwe,
  readCx,
  readXad,
  readXpn,
  readXtn,
  type Xad,
  type Xpn,
  type Xtn,
} from '../datatypes/composite.ts';
import type { Segment } from '../message/types.ts';
import { list, one, text } from './fields.ts';

/**
 * The PID segment, typed (the fields an integration uses; the rest stay in the model).
 *
 * @example
 * const mrn = readPid(pidSegment).identifiers.find((id) => id.identifierTypeCode === 'MR');
 */
export interface Pid {
  setId: string;
  /** PID-3: every identifier of the patient (MRN per assigning authority, national ids). */
  identifiers: Cx[];
  /** PID-2 (withdrawn after 2.3.1, still sent): the external patient id. */
  externalId: Cx;
  names: Xpn[];
  mothersMaidenNames: Xpn[];
  /** PID-7, as written (see `hl7DateToIso`). */
  birthDateTime: string;
  /** PID-8: F, M, O, U, A or N. */
  administrativeSex: string;
  races: Cwe[];
  addresses: Xad[];
  homePhones: Xtn[];
  businessPhones: Xtn[];
  primaryLanguage: Cwe;
  maritalStatus: Cwe;
  religion: Cwe;
  /** PID-18: the patient account number. */
  accountNumber: Cx;
  ethnicGroups: Cwe[];
  citizenship: Cwe[];
  /** PID-29, as written. */
  deathDateTime: string;
  /** PID-30: Y or N. */
  deathIndicator: string;
}

/**
 * Reads a PID segment.
 *
 * @example
 * readPid(findSegment(message, 'PID')!).names[0]?.family; // 'EVERYMAN'
 */
export function readPid(segment: Segment): Pid {
  return {
    setId: text(segment, 1),
    externalId: one(segment, 2, readCx),
    identifiers: list(segment, 3, readCx).filter((cx) => cx.id !== ''),
    names: list(segment, 5, readXpn),
    mothersMaidenNames: list(segment, 6, readXpn),
    birthDateTime: text(segment, 7),
    administrativeSex: text(segment, 8),
    races: list(segment, 10, readCwe),
    addresses: list(segment, 11, readXad),
    homePhones: list(segment, 13, readXtn),
    businessPhones: list(segment, 14, readXtn),
    primaryLanguage: one(segment, 15, readCwe),
    maritalStatus: one(segment, 16, readCwe),
    religion: one(segment, 17, readCwe),
    accountNumber: one(segment, 18, readCx),
    ethnicGroups: list(segment, 22, readCwe),
    citizenship: list(segment, 26, readCwe),
    deathDateTime: text(segment, 29),
    deathIndicator: text(segment, 30),
  };
}
