/**
 * Cron-scheduled work shared by several server processes. A schedule's
 * slots are the instants its cron pattern names (croner, UTC). Every
 * process that sees a slot due enqueues it — one `schedule_runs` row,
 * unique on (schedule, slot), so a slot is enqueued once however many
 * processes see it — and a process runs pending slots only while it holds
 * the schedule's lease row (`schedule_leases`), so two processes never run
 * one schedule at the same time and each slot runs once. A holder that
 * dies leaves an expiring lease: the next holder takes over its slot.
 *
 * Catch-up: slots that fell due while no process ran are enqueued on the
 * next pass, each once, but at most `maxCatchUp` of them (the latest);
 * older missed slots are skipped, since a run brings the data up to date
 * by itself. The first pass of a schedule with no slot yet enqueues only
 * the latest due slot.
 *
 * The job is a {@link BusJob}, run by the dispatcher on every pass with the
 * server's clock; it touches the database only when a new slot fell due
 * or, at most every `recheckMs`, to take over work another process left.
 */
import { hostname } from 'node:os';
import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { BusJob } from './dispatcher.ts';

/**
 * Reads a cron pattern (5 or 6 fields, UTC); throws a `TypeError` with
 * croner's explanation when it is not one.
 *
 * @example
 * cronPattern('0 *\/6 * * *');
 */
export function cronPattern(pattern: string): Cron {
  return new Cron(pattern, { timezone: 'UTC', paused: true });
}

/** The latest `count` slots at or before `now`, newest first (croner's reference is exclusive, to the second). */
function slotsUpTo(cron: Cron, now: Date, count: number): Date[] {
  return cron
    .previousRuns(count + 1, new Date(now.getTime() + 1_000))
    .filter((slot) => slot.getTime() <= now.getTime())
    .slice(0, count);
}

/**
 * The slots of `cron` due at `now` and after `after` (exclusive), oldest
 * first, at most `maxCatchUp`; `skipped` tells whether older due slots
 * were left out. With no `after`, only the latest due slot.
 *
 * @example
 * dueSlots(cronPattern('0 *\/6 * * *'), new Date('2026-12-07T00:00:00Z'), new Date('2026-12-07T13:00:00Z'), 4);
 * // { due: [06:00, 12:00], skipped: false }
 */
export function dueSlots(
  cron: Cron,
  after: Date | null,
  now: Date,
  maxCatchUp: number,
): { due: Date[]; skipped: boolean } {
  if (!after) return { due: slotsUpTo(cron, now, 1), skipped: false };
  const candidates = slotsUpTo(cron, now, maxCatchUp + 1);
  const newer = candidates.filter((slot) => slot.getTime() > after.getTime());
  const skipped = newer.length > maxCatchUp;
  return { due: newer.slice(0, maxCatchUp).reverse(), skipped };
}

/**
 * Settings of {@link scheduledSlotsJob}.
 *
 * @example
 * const options: ScheduledSlotsOptions = { db, schedule: 'ushas.sync', pattern: '0 *\/6 * * *', maxCatchUp: 4, leaseMs: 600_000, run };
 */
export interface ScheduledSlotsOptions {
  db: Kysely<DB>;
  /** The schedule's stable name (the key of its runs and lease). */
  schedule: string;
  pattern: string;
  maxCatchUp: number;
  /** How long a lease holds without renewal; longer than one run. */
  leaseMs: number;
  /** How often a process looks for work another process left, without a new slot. Default 60 s. */
  recheckMs?: number;
  /** The work of one slot; its result is stored with the run. A throw marks the slot failed. */
  run: (slot: Date, now: Date) => Promise<Record<string, unknown>>;
  /** The server's clock, read for leases and run times (default the wall clock). */
  clock?: () => Date;
  /** This process's name in leases and runs (default host, pid and a random part). */
  owner?: string;
  onSkipped?: (after: Date, now: Date) => void;
  onError?: (slot: Date, error: unknown) => void;
}

async function takeLease(
  db: Kysely<DB>,
  schedule: string,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const expires = new Date(now.getTime() + leaseMs);
  const taken = await db
    .insertInto('schedule_leases')
    .values({ schedule, owner, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('schedule')
        .doUpdateSet({ owner, expires_at: expires })
        .where((eb) =>
          eb.or([
            eb('schedule_leases.expires_at', '<=', now),
            eb('schedule_leases.owner', '=', owner),
          ]),
        ),
    )
    .returning('owner')
    .executeTakeFirst();
  return taken?.owner === owner;
}

async function releaseLease(
  db: Kysely<DB>,
  schedule: string,
  owner: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('schedule_leases')
    .set({ expires_at: now })
    .where('schedule', '=', schedule)
    .where('owner', '=', owner)
    .execute();
}

/**
 * Enqueues `slots` of `schedule`; slots already enqueued (by any process) are left as they are.
 *
 * @example
 * await enqueueSlots(db, 'ushas.sync', [new Date('2026-12-07T06:00:00Z')], new Date());
 */
export async function enqueueSlots(
  db: Kysely<DB>,
  schedule: string,
  slots: readonly Date[],
  now: Date,
): Promise<void> {
  if (slots.length === 0) return;
  await db
    .insertInto('schedule_runs')
    .values(slots.map((slot) => ({ schedule, slot, status: 'pending', enqueued_at: now })))
    .onConflict((oc) => oc.columns(['schedule', 'slot']).doNothing())
    .execute();
}

/**
 * The dispatcher job of one cron schedule (see the module header).
 * Resolves to the number of slots this pass ran.
 *
 * @example
 * const job = scheduledSlotsJob({ db, schedule: 'ushas.sync', pattern: '0 *\/6 * * *', maxCatchUp: 4, leaseMs: 600_000, run: (slot) => sync(slot) });
 */
export function scheduledSlotsJob(options: ScheduledSlotsOptions): BusJob {
  const { db, schedule } = options;
  const cron = cronPattern(options.pattern);
  const owner = options.owner ?? `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const recheckMs = options.recheckMs ?? 60_000;
  const clock = options.clock ?? (() => new Date());
  let seenUpTo: number | null = null;
  let checkedAt = Number.NEGATIVE_INFINITY;

  return async (passedAt) => {
    // The server's clock when given (tests inject one); the dispatcher passes the wall clock.
    const now = options.clock ? options.clock() : passedAt;
    const latest = slotsUpTo(cron, now, 1)[0];
    const fresh = latest !== undefined && (seenUpTo === null || latest.getTime() > seenUpTo);
    if (!fresh && now.getTime() - checkedAt < recheckMs) return 0;
    checkedAt = now.getTime();

    const last = await db
      .selectFrom('schedule_runs')
      .select((eb) => eb.fn.max('slot').as('slot'))
      .where('schedule', '=', schedule)
      .executeTakeFirst();
    const after = last?.slot ? new Date(last.slot) : null;
    const { due, skipped } = dueSlots(cron, after, now, options.maxCatchUp);
    if (skipped && after) options.onSkipped?.(after, now);
    await enqueueSlots(db, schedule, due, now);
    if (latest) seenUpTo = latest.getTime();

    if (!(await takeLease(db, schedule, owner, now, options.leaseMs))) return 0;
    let ran = 0;
    try {
      for (;;) {
        // Holding the lease, a `running` row can only be one a dead holder left.
        const next = await db
          .selectFrom('schedule_runs')
          .select('slot')
          .where('schedule', '=', schedule)
          .where('status', 'in', ['pending', 'running'])
          .orderBy('slot')
          .limit(1)
          .executeTakeFirst();
        if (!next) return ran;
        const slot = new Date(next.slot);
        await db
          .updateTable('schedule_runs')
          .set((eb) => ({
            status: 'running',
            owner,
            started_at: clock(),
            attempts: eb('attempts', '+', 1),
          }))
          .where('schedule', '=', schedule)
          .where('slot', '=', slot)
          .execute();
        let status: 'done' | 'failed' = 'done';
        let result: Record<string, unknown>;
        try {
          result = await options.run(slot, clock());
        } catch (error) {
          status = 'failed';
          result = { error: error instanceof Error ? error.name : 'Error' };
          options.onError?.(slot, error);
        }
        await db
          .updateTable('schedule_runs')
          .set({ status, finished_at: clock(), result: JSON.stringify(result) })
          .where('schedule', '=', schedule)
          .where('slot', '=', slot)
          .execute();
        ran += 1;
        if (!(await takeLease(db, schedule, owner, clock(), options.leaseMs))) return ran;
      }
    } finally {
      await releaseLease(db, schedule, owner, clock());
    }
  };
}
