/** OBX, observation: one result or vital sign, its value(s), units, range and status. */
import { type Cwe, readCwe, readXcn, type Xcn } from '../datatypes/composite.ts';
import { getField } from '../message/access.ts';
import type { Repetition, Segment } from '../message/types.ts';
import { list, one, text } from './fields.ts';

/**
 * The OBX segment, typed. OBX-5's shape depends on OBX-2 (NM, ST, CWE,
 * …): `values` keeps each repetition's components, `valueText` the first
 * component of each.
 *
 * @example
 * const { observationId, valueText, units } = readObx(obxSegment);
 */
export interface Obx {
  setId: string;
  /** OBX-2: NM, ST, TX, CWE, DTM, … */
  valueType: string;
  observationId: Cwe;
  subId: string;
  values: Repetition[];
  valueText: string[];
  units: Cwe;
  referenceRange: string;
  interpretationCodes: Cwe[];
  /** OBX-11: F (final), P (preliminary), C (corrected), … */
  resultStatus: string;
  /** OBX-14, as written. */
  observationDateTime: string;
  producerId: Cwe;
  responsibleObservers: Xcn[];
  observationMethods: Cwe[];
  /** OBX-19, as written. */
  analysisDateTime: string;
}

/**
 * Reads an OBX segment.
 *
 * @example
 * readObx(findSegments(message, 'OBX')[0]!).valueText; // ['60', '120']
 */
export function readObx(segment: Segment): Obx {
  const values = (getField(segment, 5) ?? []).filter((r) => r.some((c) => c.some(Boolean)));
  return {
    setId: text(segment, 1),
    valueType: text(segment, 2),
    observationId: one(segment, 3, readCwe),
    subId: text(segment, 4),
    values,
    valueText: values.map((r) => (r[0]?.[0] ?? '').trim()),
    units: one(segment, 6, readCwe),
    referenceRange: text(segment, 7),
    interpretationCodes: list(segment, 8, readCwe),
    resultStatus: text(segment, 11),
    observationDateTime: text(segment, 14),
    producerId: one(segment, 15, readCwe),
    responsibleObservers: list(segment, 16, readXcn),
    observationMethods: list(segment, 17, readCwe),
    analysisDateTime: text(segment, 19),
  };
}
