/**
 * Putting a delivery back at the start of its retry schedule, due now and
 * unleased: what a retry, a dead-letter replay and an endpoint replay all do.
 * A delivery whose lease is live is in flight (claimed by a worker, its
 * request maybe on the wire): restarting it would clear the lease and let
 * the next claim send it a second time in parallel, so every restart
 * carries {@link notInFlight} in its UPDATE's WHERE. The check and the write
 * are one statement, so a claim and a restart racing for the row serialise
 * on its lock and exactly one of them wins.
 */
import type { ExpressionBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * The column values that restart a delivery's schedule at `now`.
 *
 * @example
 * await db.updateTable('deliveries').set(restartedSchedule(change.now)).where(notInFlight(change.now)).where('id', '=', id).execute();
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

/**
 * WHERE condition: the delivery holds no live lease at `now` (the same test
 * the claim makes), so no attempt of it is in flight.
 *
 * @example
 * db.updateTable('deliveries').set(restartedSchedule(now)).where(notInFlight(now)).where('id', '=', id);
 */
export function notInFlight(now: Date) {
  return (eb: ExpressionBuilder<DB, 'deliveries'>) =>
    eb.or([
      eb('deliveries.lease_expires_at', 'is', null),
      eb('deliveries.lease_expires_at', '<', now),
    ]);
}
