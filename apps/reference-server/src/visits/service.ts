/**
 * Visits: a patient's encounter, opened (optionally for an appointment)
 * and completed once. Completion emits `visit.completed` without the
 * clinical summary, which never leaves in events.
 */
import { newId, type Visit } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { requireAppointment } from '../appointments/service.ts';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { byPatientAndStatus, listPage, type PatientListQuery } from '../kernel/list.ts';
import { insertOwned, updateOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { requirePatient } from '../patients/service.ts';

/**
 * The public view of a visit row.
 *
 * @example
 * toVisit(row).status; // 'open'
 */
export function toVisit(row: Row<'visits'>): Visit {
  return {
    id: row.id as `vis_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    appointmentId: row.appointment_id as `apt_${string}` | null,
    status: row.status,
    summary: row.summary,
    startedAt: row.started_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * A visit row of the tenant, or 404.
 *
 * @example
 * await requireVisit(db, tenantId, 'vis_…');
 */
export async function requireVisit(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'visits'>> {
  return requireOwned(db, 'visits', tenantId, id, options);
}

/**
 * Opens a visit; an appointment, when given, must be the same patient's.
 *
 * @example
 * await openVisit(trx, change, { patientId: 'pat_…' });
 */
export async function openVisit(
  db: Kysely<DB>,
  change: ChangeContext,
  input: { patientId: string; appointmentId?: string | undefined; startedAt?: string | undefined },
): Promise<Visit> {
  await requirePatient(db, change.tenantId, input.patientId);
  if (input.appointmentId !== undefined) {
    const appointment = await requireAppointment(db, change.tenantId, input.appointmentId);
    if (appointment.patient_id !== input.patientId) {
      throw new ApiError('unprocessable', 'The appointment belongs to another patient.');
    }
  }
  const row: Row<'visits'> = {
    id: newId('vis'),
    tenant_id: change.tenantId,
    patient_id: input.patientId,
    appointment_id: input.appointmentId ?? null,
    status: 'open',
    summary: null,
    started_at: input.startedAt ? new Date(input.startedAt) : change.now,
    completed_at: null,
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'visits', row);
  await auditChange(db, change, 'visit.opened', 'visit', row.id);
  return toVisit(row);
}

/**
 * Completes an open visit.
 *
 * @example
 * await completeVisit(trx, change, 'vis_…', { summary: 'Healthy' });
 */
export async function completeVisit(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  input: { summary?: string | undefined },
): Promise<Visit> {
  const row = await requireVisit(db, change.tenantId, id, { lock: true });
  if (row.status !== 'open') {
    throw new ApiError('invalid_state_transition', 'This visit is already completed.');
  }
  const next: Row<'visits'> = {
    ...row,
    status: 'completed',
    summary: input.summary ?? row.summary,
    completed_at: change.now,
    updated_at: change.now,
  };
  await updateOwned(db, 'visits', change.tenantId, id, {
    status: next.status,
    summary: next.summary,
    completed_at: next.completed_at,
    updated_at: next.updated_at,
  });
  await recordChange(db, change, {
    action: 'visit.completed',
    entityType: 'visit',
    entityId: id,
    event: {
      type: 'visit.completed',
      data: {
        visitId: id as `vis_${string}`,
        patientId: row.patient_id as `pat_${string}`,
        appointmentId: row.appointment_id as `apt_${string}` | null,
        completedAt: change.now.toISOString(),
      },
    },
  });
  return toVisit(next);
}

/**
 * Lists visits by patient and status.
 *
 * @example
 * await listVisits(db, tenantId, { status: 'open' });
 */
export function listVisits(db: Kysely<DB>, tenantId: string, query: PatientListQuery) {
  return listPage(db, 'visits', tenantId, query, byPatientAndStatus(query), toVisit);
}
