/**
 * Table types of the tele-rooms feature, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts).
 */
import type { TeleRoomStatus } from '@clinicbridge/sdk/contract';

/**
 * A video room: its generated name and URL (no token), its status, and how
 * its session ended.
 *
 * @example
 * await db.selectFrom('tele_rooms').selectAll().where('appointment_id', '=', appointmentId).execute();
 */
export interface TeleRoomsTable {
  id: string;
  tenant_id: string;
  appointment_id: string;
  patient_id: string;
  invoice_id: string;
  /** The video provider (`jitsi`, `livekit`) or `manual`. */
  provider: string;
  status: TeleRoomStatus;
  room_name: string | null;
  room_url: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  failure_code: string | null;
  /** YYYY-MM-DD, once completed. */
  follow_up_due: string | null;
  created_at: Date;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    tele_rooms: TeleRoomsTable;
  }
}
