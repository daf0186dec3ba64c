/**
 * Giving a slot's place back when its booking ends (the appointment is
 * cancelled). The booking row is marked released and the slot's `booked`
 * count lowered in the caller's transaction, in one guarded update each:
 * `released_at is null` lets only one of several concurrent cancels pass,
 * so a place is returned exactly once, and `booked > 0` keeps the count's
 * check constraint whatever the history.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';

/**
 * Returns the place an appointment took in its slot, once; returns the slot id, or null when
 * the appointment was not booked through a slot or its place was already given back.
 *
 * @example
 * const slotId = await releaseSlotPlace(trx, change, 'apt_…'); // 'slt_…' the first time, then null
 */
export async function releaseSlotPlace(
  db: Kysely<DB>,
  change: ChangeContext,
  appointmentId: string,
): Promise<string | null> {
  const released = await db
    .updateTable('slot_bookings')
    .set({ released_at: change.now })
    .where('tenant_id', '=', change.tenantId)
    .where('appointment_id', '=', appointmentId)
    .where('released_at', 'is', null)
    .returning('slot_id')
    .executeTakeFirst();
  if (!released) return null;
  await db
    .updateTable('slots')
    .set((eb) => ({ booked: eb('booked', '-', 1), updated_at: change.now }))
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', released.slot_id)
    .where('booked', '>', 0)
    .execute();
  return released.slot_id;
}
