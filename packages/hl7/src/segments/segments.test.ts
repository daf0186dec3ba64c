/**
 * The typed readers on the sample messages (field positions checked
 * against the files), and HL7 date/times: precision, offsets, ranges.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  formatHl7DateTime,
  hl7DateTimeToDate,
  hl7DateToIso,
  parseHl7DateTime,
} from '../datatypes/datetime.ts';
import { isHl7Error } from '../errors.ts';
import { parseMessage } from '../message/parse.ts';
import { readHeader, readSegment, readSegments } from './index.ts';

const sample = (name: string) =>
  parseMessage(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url)));

describe('typed segments', () => {
  const a01 = sample('ADT-A01-01.hl7');
  const a03 = sample('ADT-A03-01.hl7');

  test('EVN, PID, PV1, PV2', () => {
    expect(readSegment(a01, 'EVN')).toMatchObject({
      eventTypeCode: 'A01',
      recordedDateTime: '20290801070624+0115',
      eventReasonCode: { identifier: '01', text: 'Patient request', codingSystem: 'HL70062' },
      eventOccurred: '20210817151943.4+0200',
      eventFacility: { namespaceId: 'Cona_Health', universalId: '1.3.6.1.4.1.44750.1.4' },
    });
    const pid = readSegment(a01, 'PID')!;
    expect(
      pid.identifiers.map(
        (id) => `${id.id}|${id.assigningAuthority.namespaceId}|${id.identifierTypeCode}`,
      ),
    ).toEqual(['PATID1234|test1|MR', '123456789|USSSA|SS']);
    expect(pid.names.map((n) => [n.family, n.given])).toEqual([
      ['EVERYMAN', 'ADAM'],
      ['Josh', ''],
    ]);
    expect(pid).toMatchObject({ birthDateTime: '198808181126+0215', administrativeSex: 'M' });
    expect(pid.accountNumber).toMatchObject({ id: '4000776', identifierTypeCode: 'VN' });
    const pv1 = readSegment(a01, 'PV1')!;
    expect(pv1).toMatchObject({
      patientClass: 'P',
      assignedLocation: {
        pointOfCare: 'HUH AE OMU',
        room: 'OMU B',
        bed: 'Bed 03',
        facility: { namespaceId: 'HOMERTON UNIVER' },
      },
      hospitalService: 'SUR',
      admitDateTime: '20150208113419+0110',
      dischargeDateTime: '',
      visitNumber: { id: '40007716', identifierTypeCode: 'AM' },
    });
    expect(pv1.attendingDoctors[0]).toMatchObject({
      id: '1122334',
      family: 'Alaz',
      given: 'Mohammed',
    });
    expect(readSegment(a03, 'PV1')?.dischargeDateTime).toBe('20150209113419+0110');
    expect(readSegment(a01, 'PV2')).toMatchObject({
      admitReason: { identifier: '140004', text: 'Chronic pharyngitis', codingSystem: 'SCT' },
      visitDescription: 'Health Checkup',
    });
  });

  test('DG1, OBX, IN1, MRG', () => {
    expect(readSegments(a01, 'DG1')).toEqual([
      expect.objectContaining({
        codingMethod: 'I9',
        diagnosisCode: expect.objectContaining({ identifier: '422504002', codingSystem: 'SCT' }),
        type: 'A',
        dateTime: '20040125114025+0420',
      }),
    ]);
    const obx = readSegments(a01, 'OBX')[0]!;
    expect(obx).toMatchObject({
      valueType: 'NM',
      observationId: { identifier: '8867-4', text: 'heartrate', codingSystem: 'LN' },
      valueText: ['60', '120'],
      units: { identifier: 'beats/min' },
      referenceRange: '70-80',
      resultStatus: 'S',
    });
    expect(obx.interpretationCodes.map((c) => c.identifier)).toEqual(['A', 'B']);
    const in1 = readSegments(sample('ADT01-23.hl7'), 'IN1');
    expect(in1.map((i) => [i.setId, i.companyName, i.policyNumber])).toEqual([
      ['1', 'MEDICARE', '123121234A'],
      ['2', 'MEDICAL MUTUAL CALIF.', '056269770'],
      ['3', 'SELF PAY', ''],
    ]);
    const merge = parseMessage(
      'MSH|^~\\&|A|F|||||ADT^A40^ADT_A39|9|P|2.5\rPID|1||NEW1^^^F^MR\rMRG|OLD1^^^F^MR~OLD2^^^F^MR||ACC1',
    );
    expect(readSegment(merge, 'MRG')).toMatchObject({
      priorPatientIdentifiers: [
        expect.objectContaining({ id: 'OLD1' }),
        expect.objectContaining({ id: 'OLD2' }),
      ],
      priorPatientAccountNumber: { id: 'ACC1' },
    });
    expect(readSegment(merge, 'PV1')).toBeUndefined();
  });

  test('readHeader needs an MSH first', () => {
    let caught: unknown;
    try {
      readHeader({ delimiters: a01.delimiters, segments: [] });
    } catch (error) {
      caught = error;
    }
    expect(isHl7Error(caught) && caught.code).toBe('missing_msh');
  });
});

describe('HL7 date/times', () => {
  test.each([
    ['2026', 'year', '2026-01-01T00:00:00.000Z'],
    ['202603', 'month', '2026-03-01T00:00:00.000Z'],
    ['20260301', 'day', '2026-03-01T00:00:00.000Z'],
    ['2026030110', 'hour', '2026-03-01T10:00:00.000Z'],
    ['202603011015', 'minute', '2026-03-01T10:15:00.000Z'],
    ['20260301101530', 'second', '2026-03-01T10:15:30.000Z'],
    ['20260301101530.25', 'second', '2026-03-01T10:15:30.250Z'],
    ['20260301101530+0530', 'second', '2026-03-01T04:45:30.000Z'],
    ['20150208113419+0110', 'second', '2015-02-08T10:24:19.000Z'],
    ['20260301101530-0500', 'second', '2026-03-01T15:15:30.000Z'],
  ])('%s has %s precision and is %s', (value, precision, iso) => {
    expect(parseHl7DateTime(value)?.precision).toBe(precision);
    expect(hl7DateTimeToDate(value)?.toISOString()).toBe(iso);
  });

  test('a value without an offset is local time at the sender', () => {
    expect(hl7DateTimeToDate('20260301101530', 330)?.toISOString()).toBe(
      '2026-03-01T04:45:30.000Z',
    );
    // A written offset wins over the default.
    expect(hl7DateTimeToDate('20260301101530+0000', 330)?.toISOString()).toBe(
      '2026-03-01T10:15:30.000Z',
    );
  });

  test.each([
    '',
    '2026-03-01',
    '20261301',
    '20260230',
    '2026030124',
    '202603011060',
    '20260301101561',
    '20260301+2500',
    '20260301.5',
    'abc',
  ])('%j is not a date/time', (value) => {
    expect(parseHl7DateTime(value)).toBeNull();
    expect(hl7DateTimeToDate(value)).toBeNull();
  });

  test('birth dates keep the calendar date; formatting writes an offset', () => {
    expect(hl7DateToIso('198808181126+0215')).toBe('1988-08-18');
    expect(hl7DateToIso('19241010')).toBe('1924-10-10');
    expect(hl7DateToIso('1924')).toBeNull();
    expect(formatHl7DateTime(new Date('2026-03-01T04:45:30Z'), 330)).toBe('20260301101530+0530');
    expect(formatHl7DateTime(new Date('2026-03-01T04:45:30Z'), -300)).toBe('20260228234530-0500');
  });
});
