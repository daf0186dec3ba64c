/**
 * Appointments and their state machine. A new appointment is `scheduled`;
 * `reschedule` keeps it scheduled at a new time; `cancel` and `complete` end
 * it. Any other move is rejected with `invalid_state_transition`.
 */
import * as z from 'zod/mini';
import { listQuery, page, text, timestamp, timestampInput } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * Status of an appointment.
 *
 * @example
 * appointmentStatus.parse('scheduled');
 */
export const appointmentStatus = z.enum(['scheduled', 'cancelled', 'completed']);
/**
 * Status of an appointment.
 *
 * @example
 * const status: AppointmentStatus = 'completed';
 */
export type AppointmentStatus = z.infer<typeof appointmentStatus>;

/**
 * State-changing actions on an appointment.
 *
 * @example
 * const action: AppointmentAction = 'reschedule';
 */
export type AppointmentAction = 'reschedule' | 'cancel' | 'complete';

/**
 * For each action: the statuses it may start from and the status it leads to.
 *
 * @example
 * appointmentTransitions.cancel; // { from: ['scheduled'], to: 'cancelled' }
 */
export const appointmentTransitions: Record<
  AppointmentAction,
  { from: readonly AppointmentStatus[]; to: AppointmentStatus }
> = {
  reschedule: { from: ['scheduled'], to: 'scheduled' },
  cancel: { from: ['scheduled'], to: 'cancelled' },
  complete: { from: ['scheduled'], to: 'completed' },
};

/**
 * The status an action leads to from `status`, or null when the move is illegal.
 *
 * @example
 * nextAppointmentStatus('scheduled', 'cancel'); // 'cancelled'
 * nextAppointmentStatus('cancelled', 'complete'); // null
 */
export function nextAppointmentStatus(
  status: AppointmentStatus,
  action: AppointmentAction,
): AppointmentStatus | null {
  const t = appointmentTransitions[action];
  return t.from.includes(status) ? t.to : null;
}

/**
 * An appointment.
 *
 * @example
 * const a = appointment.parse(await res.json());
 */
export const appointment = z.object({
  id: idSchema('apt'),
  patientId: idSchema('pat'),
  service: z.string(),
  clinicianRef: z.nullable(z.string()),
  location: z.nullable(z.string()),
  startsAt: timestamp,
  endsAt: timestamp,
  status: appointmentStatus,
  cancellationReason: z.nullable(z.string()),
  notes: z.nullable(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const endsAfterStart = z.refine<{ startsAt?: string | undefined; endsAt?: string | undefined }>(
  (v) =>
    v.startsAt === undefined ||
    v.endsAt === undefined ||
    Date.parse(v.endsAt) > Date.parse(v.startsAt),
  { message: 'endsAt must be after startsAt', path: ['endsAt'] },
);

const appointmentParams = z.strictObject({ appointmentId: idSchema('apt') });

/**
 * Book an appointment (`appointments.create`).
 *
 * @example
 * await client.request(appointmentsCreate, ...args); // same arguments as client.appointments.create
 */
export const appointmentsCreate = defineOperation({
  id: 'appointments.create',
  method: 'POST',
  path: '/api/v1/appointments',
  summary: 'Book an appointment',
  scope: 'write:appointments',
  write: true,
  status: 201,
  body: z
    .strictObject({
      patientId: idSchema('pat'),
      service: text(200),
      clinicianRef: z.optional(text(100)),
      location: z.optional(text(200)),
      startsAt: timestampInput,
      endsAt: timestampInput,
      notes: z.optional(text(2000)),
    })
    .check(endsAfterStart),
  response: appointment,
});

/**
 * Get an appointment (`appointments.get`).
 *
 * @example
 * await client.request(appointmentsGet, ...args); // same arguments as client.appointments.get
 */
export const appointmentsGet = defineOperation({
  id: 'appointments.get',
  method: 'GET',
  path: '/api/v1/appointments/{appointmentId}',
  summary: 'Get an appointment',
  scope: 'read:appointments',
  write: false,
  status: 200,
  params: appointmentParams,
  response: appointment,
});

/**
 * List appointments, filtered by patient, status and start time (`appointments.list`).
 *
 * @example
 * await client.request(appointmentsList, ...args); // same arguments as client.appointments.list
 */
export const appointmentsList = defineOperation({
  id: 'appointments.list',
  method: 'GET',
  path: '/api/v1/appointments',
  summary: 'List appointments, filtered by patient, status and start time',
  scope: 'read:appointments',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    patientId: z.optional(idSchema('pat')),
    status: z.optional(appointmentStatus),
    startsAfter: z.optional(timestampInput),
    startsBefore: z.optional(timestampInput),
  }),
  response: page(appointment),
});

/**
 * Update the details of a scheduled appointment (not its time or status) (`appointments.update`).
 *
 * @example
 * await client.request(appointmentsUpdate, ...args); // same arguments as client.appointments.update
 */
export const appointmentsUpdate = defineOperation({
  id: 'appointments.update',
  method: 'PATCH',
  path: '/api/v1/appointments/{appointmentId}',
  summary: 'Update the details of a scheduled appointment (not its time or status)',
  scope: 'write:appointments',
  write: true,
  status: 200,
  params: appointmentParams,
  body: z.strictObject({
    service: z.optional(text(200)),
    clinicianRef: z.optional(z.nullable(text(100))),
    location: z.optional(z.nullable(text(200))),
    notes: z.optional(z.nullable(text(2000))),
  }),
  response: appointment,
});

/**
 * Cancel a scheduled appointment (`appointments.cancel`).
 *
 * @example
 * await client.request(appointmentsCancel, ...args); // same arguments as client.appointments.cancel
 */
export const appointmentsCancel = defineOperation({
  id: 'appointments.cancel',
  method: 'POST',
  path: '/api/v1/appointments/{appointmentId}/cancel',
  summary: 'Cancel a scheduled appointment',
  scope: 'write:appointments',
  write: true,
  status: 200,
  params: appointmentParams,
  body: z.strictObject({ reason: text(500) }),
  response: appointment,
});

/**
 * Move a scheduled appointment to a new time (`appointments.reschedule`).
 *
 * @example
 * await client.request(appointmentsReschedule, ...args); // same arguments as client.appointments.reschedule
 */
export const appointmentsReschedule = defineOperation({
  id: 'appointments.reschedule',
  method: 'POST',
  path: '/api/v1/appointments/{appointmentId}/reschedule',
  summary: 'Move a scheduled appointment to a new time',
  scope: 'write:appointments',
  write: true,
  status: 200,
  params: appointmentParams,
  body: z.strictObject({ startsAt: timestampInput, endsAt: timestampInput }).check(endsAfterStart),
  response: appointment,
});

/**
 * Mark a scheduled appointment as completed (`appointments.complete`).
 *
 * @example
 * await client.request(appointmentsComplete, ...args); // same arguments as client.appointments.complete
 */
export const appointmentsComplete = defineOperation({
  id: 'appointments.complete',
  method: 'POST',
  path: '/api/v1/appointments/{appointmentId}/complete',
  summary: 'Mark a scheduled appointment as completed',
  scope: 'write:appointments',
  write: true,
  status: 200,
  params: appointmentParams,
  body: z.strictObject({}),
  response: appointment,
});

/**
 * Operations on appointments.
 *
 * @example
 * appointmentOperations.cancel.path; // '/api/v1/appointments/{appointmentId}/cancel'
 */
export const appointmentOperations = {
  create: appointmentsCreate,
  get: appointmentsGet,
  list: appointmentsList,
  update: appointmentsUpdate,
  cancel: appointmentsCancel,
  reschedule: appointmentsReschedule,
  complete: appointmentsComplete,
} as const;
