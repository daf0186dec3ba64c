/**
 * Appointments and their state machine (from the contract): created
 * `scheduled`; reschedule keeps it scheduled; cancel and complete end it.
 * Each change writes the row, an audit entry and its outbox event in the
 * caller's transaction. Reads lock the row (`FOR UPDATE`) before a
 * transition so two concurrent transitions cannot both pass the check.
 */
import {
  type Appointment,
  type AppointmentAction,
  type EventData,
  newId,
  nextAppointmentStatus,
} from '@clinicbridge/sdk/contract';
import { CompiledQuery, type Kysely } from 'kysely';
import { releaseSlotPlace } from '../catalogue/slot-release.ts';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { byPatientAndStatus, listPage, type PatientListQuery } from '../kernel/list.ts';
import type { PlannedWrite } from '../kernel/one-statement-write.ts';
import { updateOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { changeRowsOf, type RecordedChange, recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';

/**
 * The public view of an appointment row.
 *
 * @example
 * toAppointment(row).status; // 'scheduled'
 */
export function toAppointment(row: Row<'appointments'>): Appointment {
  return {
    id: row.id as `apt_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    service: row.service,
    clinicianRef: row.clinician_ref,
    location: row.location,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    status: row.status,
    cancellationReason: row.cancellation_reason,
    notes: row.notes,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function eventData(row: Row<'appointments'>): EventData<'appointment.created'> {
  return {
    appointmentId: row.id as `apt_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    status: row.status,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
  };
}

/**
 * An appointment row of the tenant, or 404.
 *
 * @example
 * await requireAppointment(db, tenantId, 'apt_…');
 */
export async function requireAppointment(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'appointments'>> {
  return requireOwned(db, 'appointments', tenantId, id, options);
}

/**
 * What a booking needs.
 *
 * @example
 * const input: NewAppointment = { patientId, service: 'Consultation', startsAt: '2026-12-01T09:00:00Z', endsAt: '2026-12-01T09:30:00Z' };
 */
export interface NewAppointment {
  patientId: string;
  service: string;
  clinicianRef?: string | undefined;
  location?: string | undefined;
  startsAt: string;
  endsAt: string;
  notes?: string | undefined;
}

// The patient check and the insert are one statement: no row inserted means no such patient.
// With `gate` (the one-statement write's condition) it inserts only when that holds too.
function insertForPatient(first: number, gate?: string): string {
  const p = (n: number) => `$${first + n}`;
  return `insert into appointments
    (id, tenant_id, patient_id, service, clinician_ref, location, starts_at, ends_at, status, cancellation_reason, notes, created_at, updated_at)
  select ${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}::timestamptz, ${p(7)}::timestamptz, 'scheduled', null, ${p(8)},
    ${p(9)}::timestamptz, ${p(9)}::timestamptz
  where exists (select 1 from patients where tenant_id = ${p(1)} and id = ${p(2)})${gate ? ` and ${gate}` : ''}
  returning id`;
}

const INSERT_FOR_PATIENT = insertForPatient(1);

function newAppointmentRow(change: ChangeContext, input: NewAppointment): Row<'appointments'> {
  return {
    id: newId('apt'),
    tenant_id: change.tenantId,
    patient_id: input.patientId,
    service: input.service,
    clinician_ref: input.clinicianRef ?? null,
    location: input.location ?? null,
    starts_at: new Date(input.startsAt),
    ends_at: new Date(input.endsAt),
    status: 'scheduled',
    cancellation_reason: null,
    notes: input.notes ?? null,
    created_at: change.now,
    updated_at: change.now,
  };
}

function insertParameters(row: Row<'appointments'>): unknown[] {
  return [
    row.id,
    row.tenant_id,
    row.patient_id,
    row.service,
    row.clinician_ref,
    row.location,
    row.starts_at,
    row.ends_at,
    row.notes,
    row.created_at,
  ];
}

function noSuchPatient(patientId: string): ApiError {
  return new ApiError('not_found', `No patient ${patientId} in this tenant.`);
}

/**
 * Books an appointment for a patient of the tenant.
 *
 * @example
 * await createAppointment(trx, change, { patientId, service: 'Consultation', startsAt, endsAt });
 */
export async function createAppointment(
  db: Kysely<DB>,
  change: ChangeContext,
  input: NewAppointment,
): Promise<Appointment> {
  const row = newAppointmentRow(change, input);
  const { rows } = await db.executeQuery(
    CompiledQuery.raw(INSERT_FOR_PATIENT, insertParameters(row)),
  );
  if (rows.length === 0) throw noSuchPatient(input.patientId);
  await recordChange(db, change, createdEntry(row));
  return toAppointment(row);
}

/**
 * The booking {@link createAppointment} makes, described as one statement
 * for an idempotent write on PostgreSQL (kernel/one-statement-write.ts):
 * the same row, audit row, event and response.
 *
 * @example
 * const plan = planAppointment(change, { patientId, service: 'Consultation', startsAt, endsAt });
 */
export function planAppointment(change: ChangeContext, input: NewAppointment): PlannedWrite {
  const row = newAppointmentRow(change, input);
  return {
    statement: insertForPatient,
    values: insertParameters(row),
    change: changeRowsOf(change, createdEntry(row)),
    result: toAppointment(row),
    notWritten: () => noSuchPatient(input.patientId),
  };
}

function createdEntry(row: Row<'appointments'>) {
  return appointmentEntry('appointment.created', 'appointment.created', row, {
    status: row.status,
  });
}

/**
 * Updates the details (not time or status) of a scheduled appointment.
 *
 * @example
 * await updateAppointment(trx, change, 'apt_…', { location: 'Room 2' });
 */
export async function updateAppointment(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  patch: {
    service?: string | undefined;
    clinicianRef?: string | null | undefined;
    location?: string | null | undefined;
    notes?: string | null | undefined;
  },
): Promise<Appointment> {
  const row = await requireAppointment(db, change.tenantId, id, { lock: true });
  if (row.status !== 'scheduled') {
    throw new ApiError(
      'invalid_state_transition',
      `Only a scheduled appointment can be updated; this one is ${row.status}.`,
    );
  }
  const next: Row<'appointments'> = {
    ...row,
    ...(patch.service !== undefined ? { service: patch.service } : {}),
    ...(patch.clinicianRef !== undefined ? { clinician_ref: patch.clinicianRef } : {}),
    ...(patch.location !== undefined ? { location: patch.location } : {}),
    ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
    updated_at: change.now,
  };
  await save(db, next);
  await recordAppointmentChange(db, change, 'appointment.updated', 'appointment.updated', next, {
    fields: Object.keys(patch),
  });
  return toAppointment(next);
}

/**
 * Applies a state-machine action: cancel, complete or reschedule.
 *
 * @example
 * await transitionAppointment(trx, change, 'apt_…', 'cancel', { reason: 'Patient ill' });
 */
export async function transitionAppointment(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  action: AppointmentAction,
  input: { reason?: string; startsAt?: string; endsAt?: string } = {},
): Promise<Appointment> {
  const row = await requireAppointment(db, change.tenantId, id, { lock: true });
  const status = nextAppointmentStatus(row.status, action);
  if (status === null) {
    throw new ApiError(
      'invalid_state_transition',
      `Cannot ${action} an appointment that is ${row.status}.`,
    );
  }
  const next: Row<'appointments'> = { ...row, status, updated_at: change.now };
  if (action === 'cancel') next.cancellation_reason = input.reason ?? null;
  if (action === 'reschedule' && input.startsAt && input.endsAt) {
    next.starts_at = new Date(input.startsAt);
    next.ends_at = new Date(input.endsAt);
  }
  await save(db, next);
  // A booked slot gets its place back in the same transaction (the row lock above makes it once).
  if (action === 'cancel') await releaseSlotPlace(db, change, id);
  const type =
    action === 'cancel'
      ? 'appointment.cancelled'
      : action === 'complete'
        ? 'appointment.completed'
        : 'appointment.updated';
  await recordAppointmentChange(
    db,
    change,
    `appointment.${action === 'reschedule' ? 'rescheduled' : status}`,
    type,
    next,
    {
      from: row.status,
      to: status,
    },
  );
  return toAppointment(next);
}

/**
 * Lists appointments with the contract's filters.
 *
 * @example
 * await listAppointments(db, tenantId, { status: 'scheduled' });
 */
export function listAppointments(
  db: Kysely<DB>,
  tenantId: string,
  query: PatientListQuery & {
    startsAfter?: string | undefined;
    startsBefore?: string | undefined;
  },
) {
  return listPage(
    db,
    'appointments',
    tenantId,
    query,
    [
      ...byPatientAndStatus(query),
      query.startsAfter !== undefined && ['starts_at', '>=', new Date(query.startsAfter)],
      query.startsBefore !== undefined && ['starts_at', '<', new Date(query.startsBefore)],
    ],
    toAppointment,
  );
}

async function save(db: Kysely<DB>, row: Row<'appointments'>): Promise<void> {
  const { id, tenant_id, created_at: _created, ...set } = row;
  await updateOwned(db, 'appointments', tenant_id, id, set);
}

/** Audit row and event of an appointment change, in the caller's transaction. */
function recordAppointmentChange(
  db: Kysely<DB>,
  change: ChangeContext,
  action: string,
  type: AppointmentEventType,
  row: Row<'appointments'>,
  audit: Record<string, unknown>,
) {
  return recordChange(db, change, appointmentEntry(action, type, row, audit));
}

type AppointmentEventType =
  | 'appointment.created'
  | 'appointment.updated'
  | 'appointment.cancelled'
  | 'appointment.completed';

function appointmentEntry(
  action: string,
  type: AppointmentEventType,
  row: Row<'appointments'>,
  audit: Record<string, unknown>,
): RecordedChange<AppointmentEventType> {
  return {
    action,
    entityType: 'appointment',
    entityId: row.id,
    audit,
    event: { type, data: eventData(row) },
  };
}
