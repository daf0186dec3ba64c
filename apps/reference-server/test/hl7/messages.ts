/**
 * Hand-written ADT messages for the HL7 tests: one builder that puts each
 * value at its HL7 position, so a test names what it means (`visit`,
 * `location`, `mrg`) instead of counting pipes.
 */

/**
 * What a test message says.
 *
 * @example
 * adt({ trigger: 'A01', controlId: 'M1', mrn: 'MRN1', visit: 'V1', location: 'W4^402^B' });
 */
export interface AdtOptions {
  trigger: string;
  controlId: string;
  mrn: string;
  mrnAuthority?: string;
  facility?: string;
  application?: string;
  messageType?: string;
  version?: string;
  processingId?: string;
  /** MSH-15 (enhanced mode when set). */
  acceptAck?: string;
  visit?: string;
  /** PV1-3 as written, e.g. `W4^402^B^CITYHOSP`. */
  location?: string;
  /** PV1-6 as written. */
  priorLocation?: string;
  patientClass?: string;
  service?: string;
  attending?: string;
  admit?: string;
  discharge?: string;
  disposition?: string;
  eventTime?: string;
  family?: string;
  given?: string;
  birthDate?: string;
  /** MRG-1 as written, for A40. */
  mrg?: string;
  /** PR1-3 codes, one PR1 each. */
  procedures?: string[];
  /** Extra segments appended as written. */
  extra?: string[];
  withoutPv1?: boolean;
  withoutPid?: boolean;
}

/** A segment with values at HL7 positions (1-based). */
export function segment(name: string, fields: Record<number, string>): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
}

/**
 * Builds one ADT message, segments ending in CR.
 *
 * @example
 * const text = adt({ trigger: 'A03', controlId: 'M3', mrn: 'MRN1', visit: 'V1', discharge: '20260303093000' });
 */
export function adt(o: AdtOptions): string {
  const facility = o.facility ?? 'CITYHOSP';
  const authority = o.mrnAuthority ?? facility;
  const msh = segment('MSH', {
    1: '|',
    2: '^~\\&',
    3: o.application ?? 'ADT1',
    4: facility,
    5: 'CLINICBRIDGE',
    6: 'CB',
    7: o.eventTime ?? '20260301101500',
    9: `${o.messageType ?? 'ADT'}^${o.trigger}^ADT_${o.trigger === 'A40' ? 'A39' : 'A01'}`,
    10: o.controlId,
    11: o.processingId ?? 'P',
    12: o.version ?? '2.5.1',
    ...(o.acceptAck ? { 15: o.acceptAck, 16: 'NE' } : {}),
  }).replace('MSH|||^~\\&', 'MSH|^~\\&');
  const lines = [msh, segment('EVN', { 1: o.trigger, 2: o.eventTime ?? '20260301101500' })];
  if (!o.withoutPid) {
    lines.push(
      segment('PID', {
        1: '1',
        3: `${o.mrn}^^^${authority}^MR`,
        5: `${o.family ?? 'Sharma'}^${o.given ?? 'Asha'}`,
        7: o.birthDate ?? '19800512',
        8: 'F',
      }),
    );
  }
  if (o.mrg) lines.push(segment('MRG', { 1: o.mrg }));
  if (!o.withoutPv1 && o.trigger !== 'A40') {
    lines.push(
      segment('PV1', {
        1: '1',
        2: o.patientClass ?? 'I',
        3: o.location ?? '',
        6: o.priorLocation ?? '',
        7: o.attending ?? 'D123^Rao^Vikram',
        10: o.service ?? 'MED',
        19: o.visit ? `${o.visit}^^^${facility}^VN` : '',
        36: o.disposition ?? '',
        44: o.admit ?? '',
        45: o.discharge ?? '',
      }),
    );
  }
  (o.procedures ?? []).forEach((code, i) => {
    lines.push(
      segment('PR1', { 1: String(i + 1), 3: `${code}^Procedure^SCT`, 5: `2026030${i + 1}1200` }),
    );
  });
  lines.push(...(o.extra ?? []));
  return lines.join('\r');
}
