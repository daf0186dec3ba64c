/**
 * Appointment: the tenant's appointments as FHIR R4 `Appointment`
 * (scheduled → booked, cancelled → cancelled, completed → fulfilled), the
 * patient as a participant reference. Search: `_id`, `identifier`,
 * `patient`, `date` (the start, with FHIR prefixes), `status`.
 */
import type { Appointment } from '@medplum/fhirtypes';
import { requireAppointment } from '../../appointments/service.ts';
import type { Row } from '../../db/schema.ts';
import { listPage } from '../../kernel/list.ts';
import type { Filter } from '../../kernel/owned.ts';
import { ApiError } from '../../kernel/problem.ts';
import { dateFilters, referencedId, single, token } from '../search.ts';
import { type FhirSource, fhirId, IDENTIFIER_SYSTEMS, internalId, searchId } from '../source.ts';

const statuses = {
  scheduled: 'booked',
  cancelled: 'cancelled',
  completed: 'fulfilled',
} as const satisfies Record<Row<'appointments'>['status'], Appointment['status']>;

/**
 * An appointment row as a FHIR Appointment.
 *
 * @example
 * toFhirAppointment(row).status; // 'booked'
 */
export function toFhirAppointment(row: Row<'appointments'>): Appointment {
  const participant: NonNullable<Appointment['participant']> = [
    {
      actor: { reference: `Patient/${fhirId(row.patient_id)}`, type: 'Patient' },
      required: 'required',
      status: 'accepted',
    },
  ];
  if (row.clinician_ref) {
    participant.push({
      actor: {
        type: 'Practitioner',
        identifier: { system: IDENTIFIER_SYSTEMS.clinician, value: row.clinician_ref },
      },
      status: 'accepted',
    });
  }
  if (row.location) {
    participant.push({ actor: { type: 'Location', display: row.location }, status: 'accepted' });
  }
  return {
    resourceType: 'Appointment',
    id: fhirId(row.id),
    meta: { lastUpdated: row.updated_at.toISOString() },
    identifier: [{ system: IDENTIFIER_SYSTEMS.appointment, value: row.id }],
    status: statuses[row.status],
    ...(row.status === 'cancelled' && row.cancellation_reason
      ? { cancelationReason: { text: row.cancellation_reason } }
      : {}),
    serviceType: [{ text: row.service }],
    start: row.starts_at.toISOString(),
    end: row.ends_at.toISOString(),
    minutesDuration: Math.max(
      1,
      Math.round((row.ends_at.getTime() - row.starts_at.getTime()) / 60_000),
    ),
    created: row.created_at.toISOString(),
    ...(row.notes ? { comment: row.notes } : {}),
    participant,
  };
}

function statusFilter(value: string | undefined): Filter | undefined {
  if (value === undefined) return undefined;
  const found = Object.entries(statuses).find(([, fhir]) => fhir === value)?.[0];
  if (found) return ['status', '=', found];
  const known = [
    'proposed',
    'pending',
    'booked',
    'arrived',
    'fulfilled',
    'cancelled',
    'noshow',
    'entered-in-error',
    'checked-in',
    'waitlist',
  ];
  if (!known.includes(value))
    throw new ApiError('validation_failed', `"${value}" is not an appointment status.`);
  return ['status', '=', ''];
}

function identifierFilter(value: string | undefined): Filter | undefined {
  if (value === undefined) return undefined;
  const { system, code } = token(value);
  if (system !== undefined && system !== IDENTIFIER_SYSTEMS.appointment) return ['id', '=', ''];
  return ['id', '=', code];
}

/**
 * The Appointment source.
 *
 * @example
 * const { resources } = await appointmentSource.search({ db, auth }, { patient: ['Patient/pat-…'] }, { limit: 20, cursor: undefined });
 */
export const appointmentSource: FhirSource<Appointment> = {
  type: 'Appointment',
  scope: 'read:appointments',
  searchParams: ['_id', 'identifier', 'patient', 'date', 'status'],
  async read({ db, auth }, id) {
    return toFhirAppointment(
      await requireAppointment(db, auth.tenantId, internalId(id, 'apt', 'Appointment')),
    );
  },
  async search({ db, auth }, query, page) {
    const byId = single(query, '_id');
    const patient = single(query, 'patient');
    const result = await listPage(
      db,
      'appointments',
      auth.tenantId,
      page,
      [
        byId !== undefined && ['id', '=', searchId(byId, 'apt')],
        patient !== undefined && [
          'patient_id',
          '=',
          searchId(referencedId(patient, 'Patient'), 'pat'),
        ],
        identifierFilter(single(query, 'identifier')),
        statusFilter(single(query, 'status')),
        ...dateFilters('starts_at', query.date),
      ],
      toFhirAppointment,
    );
    return { resources: result.data, nextCursor: result.nextCursor };
  },
};
