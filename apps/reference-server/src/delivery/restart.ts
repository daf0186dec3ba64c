/**
 * Putting a delivery back at the start of its retry schedule, due now and
 * unleased: what a retry, a dead-letter replay and an endpoint replay all do.
 */

/**
 * The column values that restart a delivery's schedule at `now`.
 *
 * @example
 * await db.updateTable('deliveries').set(restartedSchedule(change.now)).where('id', '=', id).execute();
 */
export function restartedSchedule(now: Date) {
  return {
    status: 'pending' as const,
    schedule_step: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_expires_at: null,
    updated_at: now,
  };
}
