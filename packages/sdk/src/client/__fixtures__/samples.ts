/** Sample resources valid per the contract, for the client's own tests. */
import type { Appointment } from '../../contract/index.ts';

export const BASE_URL = 'https://api.clinicbridge.test';
export const API_KEY = 'cb_test_key_0123456789abcdef';

export function appointmentSample(overrides: Partial<Appointment> = {}): Appointment {
  return {
    id: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    patientId: 'pat_bbbbbbbbbbbbbbbbbbbbbbbbbb',
    service: 'Consultation',
    clinicianRef: null,
    location: null,
    startsAt: '2026-12-01T09:00:00Z',
    endsAt: '2026-12-01T09:30:00Z',
    status: 'scheduled',
    cancellationReason: null,
    notes: null,
    createdAt: '2026-11-22T08:00:00Z',
    updatedAt: '2026-11-22T08:00:00Z',
    ...overrides,
  };
}

export function problemBody(code: string, status: number, extra: Record<string, unknown> = {}) {
  return {
    type: `https://docs.clinicbridge.dev/errors/${code}`,
    title: code.replace(/_/g, ' '),
    status,
    code,
    requestId: 'req_problem',
    ...extra,
  };
}
