/**
 * Telemedicine rooms. A room is opened for an appointment and an invoice of
 * the same patient; its name comes from the video provider's adapter
 * (random, nothing about the patient). A join link is signed per
 * participant; the patient's only once the invoice is paid (409
 * `prepayment_required`), and the first link issued starts the session.
 * Ending a session records how it ended; a completed one schedules its
 * follow-up, a failed one asks the operators to rebook. Without a video
 * provider, or when it cannot create the room (down, its breaker open), a
 * room is `manual` from the start: the operators arrange the call from
 * their task list, so the patient is never left without one.
 * Manual tasks are written in the request's transaction; events carry ids,
 * codes and times only.
 */

import {
  isProviderError,
  type ManualTaskSink,
  type ProviderError,
  type TeleRoom as ProviderRoom,
  type TeleRoomService,
} from '@clinicbridge/adapters';
import {
  auditActions,
  type EventData,
  type EventType,
  newId,
  type TeleJoinLink,
  type TeleRoom,
  type TeleRoomStatus,
  teleRoomLiveStatuses,
} from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { requireInvoice } from '../invoices/service.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { insertOwned, updateOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { callForTenant } from '../providers/index.ts';
import type { TeleRoomsConfig } from './config.ts';

type RoomRow = Row<'tele_rooms'>;
type TeleEventType = Extract<EventType, `tele.${string}`>;

const DAY_MS = 86_400_000;

/**
 * What the service needs besides the database: the video provider (absent
 * when not configured), where operators' tasks go, and the feature's settings.
 *
 * @example
 * const deps: TeleRoomsDeps = { tele: providers.teleRooms, manualTasks: providers.manualTasks, config };
 */
export interface TeleRoomsDeps {
  tele: TeleRoomService | undefined;
  manualTasks: ManualTaskSink;
  config: TeleRoomsConfig;
}

/**
 * The public view of a room row.
 *
 * @example
 * toTeleRoom(row).status; // 'open'
 */
export function toTeleRoom(row: RoomRow): TeleRoom {
  return {
    id: row.id as `tlr_${string}`,
    appointmentId: row.appointment_id as `apt_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    invoiceId: row.invoice_id as `inv_${string}`,
    provider: row.provider,
    status: row.status,
    roomUrl: row.room_url,
    startedAt: row.started_at?.toISOString() ?? null,
    endedAt: row.ended_at?.toISOString() ?? null,
    failureCode: row.failure_code,
    followUpDue: row.follow_up_due,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const eventData = (row: RoomRow): EventData<'tele.room.created'> => ({
  teleRoomId: row.id as `tlr_${string}`,
  appointmentId: row.appointment_id as `apt_${string}`,
  patientId: row.patient_id as `pat_${string}`,
  provider: row.provider,
  status: row.status,
  startedAt: row.started_at?.toISOString() ?? null,
  endedAt: row.ended_at?.toISOString() ?? null,
  failureCode: row.failure_code,
  followUpDue: row.follow_up_due,
});

function leaveTask(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: TeleRoomsDeps,
  row: RoomRow,
  task: { operation: string; reason: string; summary: string },
): Promise<void> {
  return callForTenant(
    change.tenantId,
    () =>
      deps.manualTasks.record({
        id: `mt_${crypto.randomUUID()}`,
        kind: 'telemedicine',
        provider: row.provider,
        subjectRef: row.id,
        details: { appointmentId: row.appointment_id },
        createdAt: change.now.toISOString(),
        ...task,
      }),
    db,
  );
}

/** Sets `status` and `patch` on a locked room, with its audit row and event. */
async function moveRoom(
  db: Kysely<DB>,
  change: ChangeContext,
  row: RoomRow,
  status: TeleRoomStatus,
  patch: Partial<Pick<RoomRow, 'started_at' | 'ended_at' | 'failure_code' | 'follow_up_due'>>,
  action: string,
  type: TeleEventType,
): Promise<RoomRow> {
  const next: RoomRow = { ...row, ...patch, status, updated_at: change.now };
  await updateOwned(db, 'tele_rooms', change.tenantId, row.id, {
    ...patch,
    status,
    updated_at: change.now,
  });
  await recordChange(db, change, {
    action,
    entityType: 'tele_room',
    entityId: row.id,
    audit: { from: row.status, to: status },
    event: { type, data: eventData(next) },
  });
  return next;
}

/**
 * Creates the provider's room for the calling tenant. A provider that fails
 * (down, the breaker open, credentials refused) leaves no room and its
 * error, so the caller hands the room to the operators instead of failing
 * the request: the patient is never left without a consultation.
 */
async function openProviderRoom(
  db: Kysely<DB>,
  change: ChangeContext,
  tele: TeleRoomService | undefined,
): Promise<{ room?: ProviderRoom; failure?: ProviderError }> {
  if (!tele) return {};
  try {
    return { room: await callForTenant(change.tenantId, () => tele.createRoom(), db) };
  } catch (error) {
    if (isProviderError(error)) return { failure: error };
    throw error;
  }
}

/**
 * Opens a room for an appointment, paid through `invoiceId` (an invoice of
 * the same patient). 409 `conflict` while the appointment has a live room.
 *
 * @example
 * await createTeleRoom(trx, change, deps, { appointmentId: 'apt_…', invoiceId: 'inv_…' });
 */
export async function createTeleRoom(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: TeleRoomsDeps,
  input: { appointmentId: string; invoiceId: string },
): Promise<TeleRoom> {
  const appointment = await requireOwned(db, 'appointments', change.tenantId, input.appointmentId);
  const invoice = await requireInvoice(db, change.tenantId, input.invoiceId);
  if (invoice.patient_id !== appointment.patient_id) {
    throw new ApiError(
      'validation_failed',
      "invoiceId must be an invoice of the appointment's patient.",
    );
  }
  const live = await db
    .selectFrom('tele_rooms')
    .select('id')
    .where('tenant_id', '=', change.tenantId)
    .where('appointment_id', '=', appointment.id)
    .where('status', 'in', [...teleRoomLiveStatuses, 'manual'])
    .executeTakeFirst();
  if (live) {
    throw new ApiError('conflict', `Appointment ${appointment.id} already has room ${live.id}.`);
  }
  const { room, failure } = await openProviderRoom(db, change, deps.tele);
  const row: RoomRow = {
    id: newId('tlr'),
    tenant_id: change.tenantId,
    appointment_id: appointment.id,
    patient_id: appointment.patient_id,
    invoice_id: invoice.id,
    provider: room?.provider ?? 'manual',
    status: room ? 'open' : 'manual',
    room_name: room?.roomName ?? null,
    room_url: room?.roomUrl ?? null,
    started_at: null,
    ended_at: null,
    failure_code: null,
    follow_up_due: null,
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'tele_rooms', row);
  if (!room) {
    const why = failure
      ? `the video provider ${failure.provider} could not create the room (${failure.code})`
      : 'no video provider is configured';
    await leaveTask(db, change, deps, row, {
      operation: 'tele.create',
      reason: failure ? failure.code : 'tele_provider_not_configured',
      summary: `Arrange the video call of appointment ${row.appointment_id} (room ${row.id}) by hand: ${why}. The patient may join once invoice ${row.invoice_id} is paid.`,
    });
  }
  await recordChange(db, change, {
    action: auditActions['teleRooms.create'],
    entityType: 'tele_room',
    entityId: row.id,
    audit: { status: row.status, provider: row.provider },
    event: { type: 'tele.room.created', data: eventData(row) },
  });
  return toTeleRoom(row);
}

/**
 * One room of the tenant.
 *
 * @example
 * const room = await getTeleRoom(db, tenantId, 'tlr_…');
 */
export async function getTeleRoom(db: Kysely<DB>, tenantId: string, id: string): Promise<TeleRoom> {
  return toTeleRoom(await requireOwned(db, 'tele_rooms', tenantId, id));
}

/**
 * Issues a join link for the host or the patient. The patient's needs the
 * invoice paid (409 `prepayment_required`); an ended or manual room issues
 * none (409 `invalid_state_transition`). The first link starts the session.
 *
 * @example
 * const link = await joinTeleRoom(trx, change, deps, 'tlr_…', { role: 'patient' });
 */
export async function joinTeleRoom(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: TeleRoomsDeps,
  id: string,
  input: { role: 'host' | 'patient'; displayName?: string | undefined },
): Promise<TeleJoinLink> {
  const row = await requireOwned(db, 'tele_rooms', change.tenantId, id, { lock: true });
  if (input.role === 'patient') {
    const invoice = await requireInvoice(db, change.tenantId, row.invoice_id);
    if (invoice.status !== 'paid') {
      throw new ApiError(
        'prepayment_required',
        `The patient may join once invoice ${invoice.id} is paid; record its payment first.`,
      );
    }
  }
  if (!teleRoomLiveStatuses.includes(row.status) || !row.room_name) {
    throw new ApiError(
      'invalid_state_transition',
      row.status === 'manual'
        ? `Room ${row.id} is arranged by the operators; it has no join link.`
        : `A ${row.status} room cannot be joined.`,
    );
  }
  if (!deps.tele || deps.tele.provider !== row.provider) {
    throw new ApiError(
      'service_unavailable',
      `The video provider ${row.provider} of room ${row.id} is not configured; try again once it is.`,
    );
  }
  const tele = deps.tele;
  const roomName = row.room_name;
  const link = await callForTenant(
    change.tenantId,
    () =>
      tele.issueJoin({
        roomName,
        role: input.role,
        participantRef: input.role === 'patient' ? row.patient_id : `host_${row.id}`,
        ttlSeconds: Math.floor(deps.config.TELE_JOIN_LINK_TTL / 1000),
        ...(input.displayName ? { displayName: input.displayName } : {}),
      }),
    db,
  );
  const action = auditActions['teleRooms.join'];
  if (row.status === 'open') {
    await moveRoom(
      db,
      change,
      row,
      'in_session',
      { started_at: change.now },
      action,
      'tele.session.started',
    );
  } else {
    await recordChange(db, change, {
      action,
      entityType: 'tele_room',
      entityId: row.id,
      audit: { role: input.role },
    });
  }
  return {
    teleRoomId: row.id as `tlr_${string}`,
    role: input.role,
    url: link.url,
    expiresAt: link.expiresAt,
  };
}

/**
 * Ends a live room's session: `completed` schedules the follow-up (a due
 * date on the room and its event, and an operators' task), `failed` records
 * the code and asks the operators to rebook.
 *
 * @example
 * await completeTeleRoom(trx, change, deps, 'tlr_…', { outcome: 'completed', followUpInDays: 14 });
 */
export async function completeTeleRoom(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: TeleRoomsDeps,
  id: string,
  input: {
    outcome: 'completed' | 'failed';
    followUpInDays?: number | undefined;
    failureCode?: string | undefined;
  },
): Promise<TeleRoom> {
  const row = await requireOwned(db, 'tele_rooms', change.tenantId, id, { lock: true });
  if (!teleRoomLiveStatuses.includes(row.status)) {
    throw new ApiError('invalid_state_transition', `A ${row.status} room cannot be ended.`);
  }
  const action = auditActions['teleRooms.complete'];
  if (input.outcome === 'completed') {
    const days = input.followUpInDays ?? deps.config.TELE_FOLLOW_UP_DAYS;
    const due = new Date(change.now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
    const ended = await moveRoom(
      db,
      change,
      row,
      'completed',
      { ended_at: change.now, follow_up_due: due },
      action,
      'tele.session.completed',
    );
    await leaveTask(db, change, deps, ended, {
      operation: 'tele.follow_up',
      reason: 'follow_up_due',
      summary: `Follow up the video consultation of appointment ${row.appointment_id} (room ${row.id}) by ${due}.`,
    });
    return toTeleRoom(ended);
  }
  const failureCode = input.failureCode ?? 'unspecified';
  const ended = await moveRoom(
    db,
    change,
    row,
    'failed',
    { ended_at: change.now, failure_code: failureCode },
    action,
    'tele.session.failed',
  );
  await leaveTask(db, change, deps, ended, {
    operation: 'tele.rebook',
    reason: failureCode,
    summary: `Rebook the video consultation of appointment ${row.appointment_id} (room ${row.id}); the session failed (${failureCode}).`,
  });
  return toTeleRoom(ended);
}
