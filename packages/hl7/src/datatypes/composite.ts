/**
 * Readers of the composite data types the typed segments use: HD, EI, CX,
 * XPN, XCN, PL, CWE (also CE), XAD and XTN. Each takes one repetition of a
 * field (its components) — or, for an HD nested in another type, one
 * component (its subcomponents) — and returns trimmed strings, `''` where
 * the sender left a position empty.
 */
import type { Component, Repetition } from '../message/types.ts';

const v = (repetition: Repetition | undefined, c: number, s = 1) =>
  (repetition?.[c - 1]?.[s - 1] ?? '').trim();
const sub = (component: Component | undefined, s: number) => (component?.[s - 1] ?? '').trim();

/**
 * HD, hierarchic designator: an application, facility or assigning authority.
 *
 * @example
 * const facility: Hd = { namespaceId: 'GHH', universalId: '2.16.840.1.122848.1.30', universalIdType: 'ISO' };
 */
export interface Hd {
  namespaceId: string;
  universalId: string;
  universalIdType: string;
}

/**
 * An HD held as a field (MSH-3, MSH-4): its components.
 *
 * @example
 * readHd(getField(msh, 4)?.[0]).namespaceId; // 'GHHSFacility'
 */
export function readHd(repetition: Repetition | undefined): Hd {
  return {
    namespaceId: v(repetition, 1),
    universalId: v(repetition, 2),
    universalIdType: v(repetition, 3),
  };
}

/**
 * An HD nested in another type (CX-4, PL-4): the subcomponents of one component.
 *
 * @example
 * readHdComponent(pid3[3]).namespaceId; // 'HOSP'
 */
export function readHdComponent(component: Component | undefined): Hd {
  return {
    namespaceId: sub(component, 1),
    universalId: sub(component, 2),
    universalIdType: sub(component, 3),
  };
}

/**
 * The text an HD is known by: its namespace id, else its universal id.
 *
 * @example
 * hdKey({ namespaceId: '', universalId: '1.2.3', universalIdType: 'ISO' }); // '1.2.3'
 */
export function hdKey(hd: Hd): string {
  return hd.namespaceId || hd.universalId;
}

/**
 * CX, extended composite id: a patient, account or visit identifier.
 *
 * @example
 * const mrn: Cx = readCx(getRepetitions(pid, 3)[0]);
 */
export interface Cx {
  id: string;
  checkDigit: string;
  checkDigitScheme: string;
  assigningAuthority: Hd;
  identifierTypeCode: string;
  assigningFacility: Hd;
}

/**
 * Reads a CX.
 *
 * @example
 * readCx([['12345'], [''], [''], ['HOSP'], ['MR']]).identifierTypeCode; // 'MR'
 */
export function readCx(repetition: Repetition | undefined): Cx {
  return {
    id: v(repetition, 1),
    checkDigit: v(repetition, 2),
    checkDigitScheme: v(repetition, 3),
    assigningAuthority: readHdComponent(repetition?.[3]),
    identifierTypeCode: v(repetition, 5),
    assigningFacility: readHdComponent(repetition?.[5]),
  };
}

/**
 * XPN, a person's name.
 *
 * @example
 * const name: Xpn = readXpn(getRepetitions(pid, 5)[0]);
 */
export interface Xpn {
  family: string;
  given: string;
  middle: string;
  suffix: string;
  prefix: string;
  degree: string;
  nameTypeCode: string;
}

/**
 * Reads an XPN (the family name is the first subcomponent of component 1).
 *
 * @example
 * readXpn([['EVERYMAN'], ['ADAM'], ['A']]).given; // 'ADAM'
 */
export function readXpn(repetition: Repetition | undefined): Xpn {
  return {
    family: v(repetition, 1),
    given: v(repetition, 2),
    middle: v(repetition, 3),
    suffix: v(repetition, 4),
    prefix: v(repetition, 5),
    degree: v(repetition, 6),
    nameTypeCode: v(repetition, 7),
  };
}

/**
 * XCN, a person with an id: a provider (attending, referring, ordering).
 *
 * @example
 * const attending: Xcn = readXcn(getRepetitions(pv1, 7)[0]);
 */
export interface Xcn {
  id: string;
  family: string;
  given: string;
  middle: string;
  suffix: string;
  prefix: string;
  degree: string;
  assigningAuthority: Hd;
  nameTypeCode: string;
  identifierTypeCode: string;
}

/**
 * Reads an XCN.
 *
 * @example
 * readXcn([['1122334'], ['Alaz'], ['Mohammed']]).id; // '1122334'
 */
export function readXcn(repetition: Repetition | undefined): Xcn {
  return {
    id: v(repetition, 1),
    family: v(repetition, 2),
    given: v(repetition, 3),
    middle: v(repetition, 4),
    suffix: v(repetition, 5),
    prefix: v(repetition, 6),
    degree: v(repetition, 7),
    assigningAuthority: readHdComponent(repetition?.[8]),
    nameTypeCode: v(repetition, 10),
    identifierTypeCode: v(repetition, 13),
  };
}

/**
 * PL, a person's location: point of care (ward), room, bed, facility.
 *
 * @example
 * const bed: Pl = readPl(getField(pv1, 3)?.[0]);
 */
export interface Pl {
  pointOfCare: string;
  room: string;
  bed: string;
  facility: Hd;
  locationStatus: string;
  personLocationType: string;
  building: string;
  floor: string;
  description: string;
}

/**
 * Reads a PL.
 *
 * @example
 * readPl([['4E'], ['136'], ['B']]).bed; // 'B'
 */
export function readPl(repetition: Repetition | undefined): Pl {
  return {
    pointOfCare: v(repetition, 1),
    room: v(repetition, 2),
    bed: v(repetition, 3),
    facility: readHdComponent(repetition?.[3]),
    locationStatus: v(repetition, 5),
    personLocationType: v(repetition, 6),
    building: v(repetition, 7),
    floor: v(repetition, 8),
    description: v(repetition, 9),
  };
}

/**
 * True when a PL names no place at all.
 *
 * @example
 * isEmptyPl(readPl(undefined)); // true
 */
export function isEmptyPl(pl: Pl): boolean {
  return !pl.pointOfCare && !pl.room && !pl.bed && !pl.building && !pl.floor && !hdKey(pl.facility);
}

/**
 * CWE (and CE), a coded element: code, text and coding system, with an alternate.
 *
 * @example
 * const diagnosis: Cwe = readCwe(getField(dg1, 3)?.[0]);
 */
export interface Cwe {
  identifier: string;
  text: string;
  codingSystem: string;
  alternateIdentifier: string;
  alternateText: string;
  alternateCodingSystem: string;
}

/**
 * Reads a CWE or CE.
 *
 * @example
 * readCwe([['8867-4'], ['heartrate'], ['LN']]).codingSystem; // 'LN'
 */
export function readCwe(repetition: Repetition | undefined): Cwe {
  return {
    identifier: v(repetition, 1),
    text: v(repetition, 2),
    codingSystem: v(repetition, 3),
    alternateIdentifier: v(repetition, 4),
    alternateText: v(repetition, 5),
    alternateCodingSystem: v(repetition, 6),
  };
}

/**
 * EI, an entity identifier (a placer or filler order number, a message profile).
 *
 * @example
 * const order: Ei = readEi(getField(orc, 2)?.[0]);
 */
export interface Ei {
  entityId: string;
  namespaceId: string;
  universalId: string;
  universalIdType: string;
}

/**
 * Reads an EI.
 *
 * @example
 * readEi([['ORD1'], ['LAB']]).namespaceId; // 'LAB'
 */
export function readEi(repetition: Repetition | undefined): Ei {
  return {
    entityId: v(repetition, 1),
    namespaceId: v(repetition, 2),
    universalId: v(repetition, 3),
    universalIdType: v(repetition, 4),
  };
}

/**
 * XAD, an address.
 *
 * @example
 * const home: Xad = readXad(getRepetitions(pid, 11)[0]);
 */
export interface Xad {
  street: string;
  otherDesignation: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  addressType: string;
}

/**
 * Reads an XAD (the street is the first subcomponent of component 1).
 *
 * @example
 * readXad([['111 DUCK ST'], [''], ['FOWL'], ['CA']]).city; // 'FOWL'
 */
export function readXad(repetition: Repetition | undefined): Xad {
  return {
    street: v(repetition, 1),
    otherDesignation: v(repetition, 2),
    city: v(repetition, 3),
    state: v(repetition, 4),
    postalCode: v(repetition, 5),
    country: v(repetition, 6),
    addressType: v(repetition, 7),
  };
}

/**
 * XTN, a telecom address: a number (as sent, or from its parts) or an email.
 *
 * @example
 * const phone: Xtn = readXtn(getRepetitions(pid, 13)[0]);
 */
export interface Xtn {
  number: string;
  useCode: string;
  equipmentType: string;
  email: string;
}

/**
 * Reads an XTN; `number` is XTN-1, else country + area + local number.
 *
 * @example
 * readXtn([['8885551212']]).number; // '8885551212'
 */
export function readXtn(repetition: Repetition | undefined): Xtn {
  const parts = [v(repetition, 5), v(repetition, 6), v(repetition, 7)].filter(Boolean).join('');
  return {
    number: v(repetition, 1) || parts,
    useCode: v(repetition, 2),
    equipmentType: v(repetition, 3),
    email: v(repetition, 4),
  };
}
