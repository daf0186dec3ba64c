/** Request bodies the API tests share, and rows the tests insert directly. */
import type { EncountersTable } from '../../src/encounters/schema.ts';

/**
 * A valid patient body.
 *
 * @example
 * await call(app, 'POST', '/api/v1/patients', { token, body: patientBody() });
 */
export function patientBody(overrides: Record<string, unknown> = {}) {
  return {
    givenName: 'Ada',
    familyName: 'Yılmaz',
    email: 'ada@example.com',
    phone: '+905551112233',
    birthDate: '1980-02-29',
    externalRef: 'EHR-1',
    ...overrides,
  };
}

/**
 * A valid appointment body for a patient.
 *
 * @example
 * appointmentBody('pat_…');
 */
export function appointmentBody(patientId: string, overrides: Record<string, unknown> = {}) {
  return {
    patientId,
    service: 'Dental consultation',
    startsAt: '2026-12-01T09:00:00.000Z',
    endsAt: '2026-12-01T09:30:00.000Z',
    ...overrides,
  };
}

/**
 * A valid invoice body: 2 × 100.05 EUR at 18% + 3.33 EUR untaxed.
 *
 * @example
 * invoiceBody('pat_…');
 */
export function invoiceBody(patientId: string, overrides: Record<string, unknown> = {}) {
  return {
    patientId,
    currency: 'EUR',
    lines: [
      {
        description: 'Crown',
        quantity: 2,
        unitPrice: { amount: 10_005, currency: 'EUR' },
        taxRateBps: 1800,
      },
      { description: 'X-ray', quantity: 1, unitPrice: { amount: 333, currency: 'EUR' } },
    ],
    ...overrides,
  };
}

/**
 * An encounter row as a test inserts it (no HL7 feed): the given fields,
 * every optional one null, and its creation time at `admitted_at`.
 *
 * @example
 * await db.insertInto('encounters').values(encounterRow({ id, tenant_id, patient_id, status: 'finished', class: 'outpatient', admitted_at: at })).execute();
 */
export function encounterRow(
  row: Pick<EncountersTable, 'id' | 'tenant_id' | 'patient_id' | 'status' | 'class'> &
    Partial<EncountersTable> & { admitted_at: Date },
): EncountersTable {
  return {
    visit_number: null,
    visit_authority: null,
    point_of_care: null,
    room: null,
    bed: null,
    facility: null,
    building: null,
    floor: null,
    hospital_service: null,
    department_ref: null,
    attending_provider_code: null,
    attending_clinician_ref: null,
    discharged_at: null,
    discharge_disposition: null,
    invoice_id: null,
    created_at: row.admitted_at,
    updated_at: row.admitted_at,
    ...row,
  };
}
