/**
 * Telemedicine rooms: one video room per remote appointment, paid for in
 * advance. The room's name is generated (it names no patient); a join link
 * is issued per participant with a short-lived token, and the patient's only
 * once the appointment's invoice is paid (409 `prepayment_required` before).
 * Without a configured video provider a room is `manual`: the operators
 * arrange the call and no link is issued. Completing a session schedules
 * its follow-up.
 */
import * as z from 'zod/mini';
import { date, text, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * Where a room stands: `open` (created, nobody let in yet), `in_session`
 * (a join link was issued), `completed`, `failed`, or `manual` (no video
 * provider: the operators arrange the call).
 *
 * @example
 * teleRoomStatus.parse('in_session');
 */
export const teleRoomStatus = z.enum(['open', 'in_session', 'completed', 'failed', 'manual']);

/** @example const status: TeleRoomStatus = 'completed'; */
export type TeleRoomStatus = z.infer<typeof teleRoomStatus>;

/**
 * Statuses a join link may be issued or a session ended from.
 *
 * @example
 * if (teleRoomLiveStatuses.includes(room.status)) offerJoin(room);
 */
export const teleRoomLiveStatuses: readonly TeleRoomStatus[] = ['open', 'in_session'];

/**
 * A telemedicine room. `roomUrl` carries no token: joining needs a link
 * from `teleRooms.join`.
 *
 * @example
 * const room = teleRoom.parse(await res.json());
 */
export const teleRoom = z.object({
  id: idSchema('tlr'),
  appointmentId: idSchema('apt'),
  patientId: idSchema('pat'),
  /** The invoice that must be paid before the patient may join. */
  invoiceId: idSchema('inv'),
  /** The video provider (`jitsi`), or `manual`. */
  provider: z.string(),
  status: teleRoomStatus,
  roomUrl: z.nullable(z.string()),
  startedAt: z.nullable(timestamp),
  endedAt: z.nullable(timestamp),
  /** A failed session's reason code. */
  failureCode: z.nullable(z.string()),
  /** When the follow-up is due, once the session completed. */
  followUpDue: z.nullable(date),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * A join link for one participant; `url` carries the token and expires. The
 * link is a credential: it is never stored, so a replay of the request (same
 * `Idempotency-Key`) comes without `url` and with `secretShownOnce: true` —
 * ask again with a new key for a new link.
 *
 * @example
 * const { url } = teleJoinLink.parse(await res.json());
 */
export const teleJoinLink = z.object({
  teleRoomId: idSchema('tlr'),
  role: z.enum(['host', 'patient']),
  /** The link with its token; absent from a replayed response. */
  url: z.optional(z.string()),
  expiresAt: timestamp,
  /** Set on a replayed response: the link was in the first response only. */
  secretShownOnce: z.optional(z.literal(true)),
});

const teleRoomParams = z.strictObject({ teleRoomId: idSchema('tlr') });

/**
 * Open a video room for an appointment (`teleRooms.create`).
 *
 * @example
 * await client.request(teleRoomsCreate, ...args); // same arguments as client.teleRooms.create
 */
export const teleRoomsCreate = defineOperation({
  id: 'teleRooms.create',
  method: 'POST',
  path: '/api/v1/tele-rooms',
  summary: 'Open a video room for an appointment, paid through an invoice',
  scope: 'write:tele',
  write: true,
  status: 201,
  body: z.strictObject({
    appointmentId: idSchema('apt'),
    /** An invoice of the appointment's patient; the patient joins once it is paid. */
    invoiceId: idSchema('inv'),
  }),
  response: teleRoom,
});

/**
 * Get a video room (`teleRooms.get`).
 *
 * @example
 * await client.request(teleRoomsGet, ...args); // same arguments as client.teleRooms.get
 */
export const teleRoomsGet = defineOperation({
  id: 'teleRooms.get',
  method: 'GET',
  path: '/api/v1/tele-rooms/{teleRoomId}',
  summary: 'Get a video room',
  scope: 'read:tele',
  write: false,
  status: 200,
  params: teleRoomParams,
  response: teleRoom,
});

/**
 * Issue a join link for the host or the patient (`teleRooms.join`); the
 * patient's needs the invoice paid (409 `prepayment_required`).
 *
 * @example
 * await client.request(teleRoomsJoin, ...args); // same arguments as client.teleRooms.join
 */
export const teleRoomsJoin = defineOperation({
  id: 'teleRooms.join',
  method: 'POST',
  path: '/api/v1/tele-rooms/{teleRoomId}/join',
  summary: 'Issue a join link for the host or the patient',
  scope: 'write:tele',
  write: true,
  status: 200,
  params: teleRoomParams,
  shownOnce: ['url'],
  body: z.strictObject({
    role: z.enum(['host', 'patient']),
    /** Shown to the other participant; absent: "Host" or "Patient". */
    displayName: z.optional(text(64)),
  }),
  response: teleJoinLink,
});

/**
 * End a session as completed (its follow-up is scheduled) or failed
 * (`teleRooms.complete`).
 *
 * @example
 * await client.request(teleRoomsComplete, ...args); // same arguments as client.teleRooms.complete
 */
export const teleRoomsComplete = defineOperation({
  id: 'teleRooms.complete',
  method: 'POST',
  path: '/api/v1/tele-rooms/{teleRoomId}/complete',
  summary: 'End a session as completed or failed',
  scope: 'write:tele',
  write: true,
  status: 200,
  params: teleRoomParams,
  body: z.strictObject({
    outcome: z.enum(['completed', 'failed']),
    /** Days until the follow-up (completed sessions); default 7. */
    followUpInDays: z.optional(z.int().check(z.gte(1), z.lte(365))),
    /** Why it failed, as a code (`no_show`, `connection_lost`, …). */
    failureCode: z.optional(
      z.string().check(z.regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lower-case code')),
    ),
  }),
  response: teleRoom,
});

/**
 * Operations on video rooms.
 *
 * @example
 * teleRoomOperations.join.path; // '/api/v1/tele-rooms/{teleRoomId}/join'
 */
export const teleRoomOperations = {
  create: teleRoomsCreate,
  get: teleRoomsGet,
  join: teleRoomsJoin,
  complete: teleRoomsComplete,
} as const;
