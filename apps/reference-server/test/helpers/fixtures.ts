/** Request bodies the API tests share. */

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
