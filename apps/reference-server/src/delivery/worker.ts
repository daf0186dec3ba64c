/**
 * The delivery worker of one server process: claims due deliveries in
 * batches, sends each under the concurrency limits, and records the
 * attempts in batches. It never holds a database transaction open across
 * an HTTP request; the lease is what keeps another process from sending
 * the same delivery at the same time, so a request is only started while
 * the lease has room for a whole attempt.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ConfigError } from '../config/index.ts';
import type { RunPrepared } from '../db/prepared.ts';
import type { DB } from '../db/schema.ts';
import {
  type AttemptRecord,
  type ClaimedDelivery,
  claimDueDeliveries,
  recordAttempts,
  releaseClaims,
} from './claims.ts';
import { updateEndpointHealth } from './endpoint-health.ts';
import type { DeliveryLimiter } from './limiter.ts';
import { decideOutcome } from './outcome.ts';
import type { RetrySchedule } from './retry-schedule.ts';
import type { Sender } from './sender.ts';
import { signDelivery, signingSecrets } from './signing.ts';

/** Attempts recorded per transaction at most. */
const RECORD_BATCH = 100;
/** Margin kept between the end of an attempt and the end of its lease. */
const LEASE_MARGIN_MS = 2_000;

/**
 * Options of {@link createDeliveryWorker}.
 *
 * @example
 * const options: DeliveryWorkerOptions = { db, worker: 'w1', sender, limiter, schedule, leaseMs: 60_000, timeoutMs: 15_000, disableAfterMs };
 */
export interface DeliveryWorkerOptions {
  readonly db: Kysely<DB>;
  /** Runs a named prepared statement (PostgreSQL); without it, statements go unnamed. */
  readonly prepared?: RunPrepared | undefined;
  /** This process's id in leases and attempt rows. */
  readonly worker: string;
  readonly sender: Sender;
  readonly limiter: DeliveryLimiter;
  readonly schedule: RetrySchedule;
  readonly leaseMs: number;
  readonly timeoutMs: number;
  readonly disableAfterMs: number;
  /** Most deliveries held (queued or in flight) by this process; default 4 × 50. */
  readonly maxHeld?: number;
  /** Wall clock in ms (injectable for tests). */
  readonly now?: () => number;
  /** Uniform random in [0, 1) for jitter (injectable for tests). */
  readonly random?: () => number;
  /** Called with each recorded batch (metrics, tests). */
  readonly onRecorded?: (records: readonly AttemptRecord[]) => void;
  /** Called after a batch is recorded, when room for more claims opened up. */
  readonly onCapacity?: () => void;
  /** Called when recording fails; the deliveries come back after their lease. */
  readonly onError?: (error: unknown) => void;
}

/**
 * A delivery worker.
 *
 * @example
 * const claimed = await worker.claimAndSend(); await worker.drain();
 */
export interface DeliveryWorker {
  /** Claims what fits and starts sending it; resolves to the number claimed. */
  claimAndSend(): Promise<number>;
  /**
   * How many new deliveries the fan-out may lease to this worker now: the
   * free room, or 0 while older due deliveries may be waiting for a claim
   * (they go first: the last claim was full, or new ones were left unleased).
   */
  leaseRoom(): number;
  /**
   * Starts sending deliveries already leased to this worker (by the fan-out
   * that created them), as if claimed. `full`: the fan-out used all the
   * room it was given, so some new deliveries may have been left unleased.
   */
  send(rows: readonly ClaimedDelivery[], full: boolean): void;
  /** Deliveries claimed and not yet recorded. */
  readonly held: number;
  /** Resolves once everything claimed so far is sent and recorded. */
  drain(): Promise<void>;
}

/**
 * The JSON body of a delivery: the event envelope of the contract.
 *
 * @example
 * const body = envelopeBody(claimed);
 */
export function envelopeBody(
  row: Pick<
    ClaimedDelivery,
    'event_id' | 'event_type' | 'occurred_at' | 'entity_type' | 'entity_id' | 'tenant_id' | 'data'
  >,
): string {
  return JSON.stringify({
    id: row.event_id,
    type: row.event_type,
    occurredAt: row.occurred_at.toISOString(),
    entityType: row.entity_type,
    entityId: row.entity_id,
    tenantId: row.tenant_id,
    data: row.data,
  });
}

/**
 * Refuses a lease too short for one attempt: an attempt starts only while
 * its claim outlives the timeout plus a margin, so with such a lease every
 * claimed delivery would be released unsent, forever and silently.
 *
 * @example
 * assertLeaseCoversAttempt(60_000, 15_000); // fine
 * assertLeaseCoversAttempt(2_000, 1_000); // throws ConfigError
 */
export function assertLeaseCoversAttempt(leaseMs: number, timeoutMs: number): void {
  if (leaseMs > timeoutMs + LEASE_MARGIN_MS) return;
  throw new ConfigError([
    `WEBHOOK_LEASE: ${leaseMs} ms leaves no time to deliver; it must be longer than WEBHOOK_TIMEOUT_MS (${timeoutMs} ms) + ${LEASE_MARGIN_MS} ms`,
  ]);
}

/**
 * Creates the worker.
 *
 * @example
 * const worker = createDeliveryWorker({ db, worker: 'w1', sender, limiter, schedule, leaseMs: 60_000, timeoutMs: 15_000, disableAfterMs });
 * await worker.claimAndSend();
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  assertLeaseCoversAttempt(options.leaseMs, options.timeoutMs);
  const now = options.now ?? Date.now;
  const maxHeld = options.maxHeld ?? 200;
  let held = 0;
  const pending: AttemptRecord[] = [];
  const released: string[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushQueued = false;
  const idleWaiters: (() => void)[] = [];
  // Endpoints that answered 410 here, with the claim round it happened in:
  // attempts claimed in that round or before are given back instead of sent
  // (the endpoint is being disabled, so they wait for it to be enabled again).
  const goneInRound = new Map<string, number>();
  let round = 0;
  let starved = false;
  // Older due deliveries may be waiting unleased: new ones are then left to the claim too,
  // so a steady stream of new events cannot keep retries and a backlog waiting.
  let backlog = true;

  const settle = () => {
    if (held === 0 && pending.length === 0 && released.length === 0) {
      for (const resolve of idleWaiters.splice(0)) resolve();
    }
  };

  // A batch of successes is one statement, committed on its own. A failure
  // can mark or disable its endpoint: that goes in the same transaction.
  const record = async (batch: readonly AttemptRecord[]): Promise<void> => {
    if (batch.every((r) => r.status === 'succeeded')) {
      await recordAttempts(options.db, options.worker, batch, options.prepared);
      return;
    }
    await options.db.transaction().execute(async (trx) => {
      await recordAttempts(trx, options.worker, batch);
      await updateEndpointHealth(trx, {
        succeeded: new Set(batch.filter((r) => r.status === 'succeeded').map((r) => r.endpointId)),
        failed: new Set(batch.filter((r) => r.status !== 'succeeded').map((r) => r.endpointId)),
        disable: new Map(
          batch
            .filter((r) => r.responseStatus === 410)
            .map((r) => [r.endpointId, 'the receiver answered 410 Gone']),
        ),
        now: new Date(now()),
        disableAfterMs: options.disableAfterMs,
        successesCleared: true,
      });
    });
  };

  const flush = async (): Promise<void> => {
    while (pending.length > 0 || released.length > 0) {
      const batch = pending.splice(0, RECORD_BATCH);
      const toRelease = released.splice(0);
      try {
        if (toRelease.length > 0)
          await releaseClaims(options.db, options.worker, toRelease, new Date(now()));
        if (batch.length > 0) {
          await record(batch);
          options.onRecorded?.(batch);
        }
      } catch (error) {
        // Not recorded: the leases run out and the deliveries are sent again (at-least-once).
        options.onError?.(error);
      }
      held -= batch.length + toRelease.length;
    }
    settle();
    // The dispatcher went idle because this process held all it may hold: wake it.
    if (starved && maxHeld - held >= Math.max(1, Math.floor(maxHeld / 4))) {
      starved = false;
      options.onCapacity?.();
    }
  };

  const scheduleFlush = () => {
    if (flushQueued) return;
    flushQueued = true;
    // Let the attempts finishing in this tick join one batch.
    setImmediate(() => {
      flushQueued = false;
      flushing = flushing.then(flush);
    });
  };

  const attempt = async (row: ClaimedDelivery, claimRound: number): Promise<void> => {
    const started = now();
    const goneRound = goneInRound.get(row.endpoint_id);
    if (
      (goneRound !== undefined && claimRound <= goneRound) ||
      started + options.timeoutMs + LEASE_MARGIN_MS > row.lease_expires_at.getTime()
    ) {
      released.push(row.id);
      scheduleFlush();
      return;
    }
    const body = envelopeBody(row);
    const headers = signDelivery({
      eventId: row.event_id,
      body,
      secrets: signingSecrets(row, started),
      nowMs: started,
    });
    const result = await options.sender.send({ url: row.url, body, headers });
    const finished = now();
    if (result.gone) goneInRound.set(row.endpoint_id, round);
    const outcome = decideOutcome(result, {
      scheduleStep: row.schedule_step,
      schedule: options.schedule,
      nowMs: finished,
      ...(options.random ? { random: options.random } : {}),
    });
    pending.push({
      attemptId: `att_${randomUUID().replaceAll('-', '')}`,
      deliveryId: row.id,
      tenantId: row.tenant_id,
      endpointId: row.endpoint_id,
      attemptedAt: new Date(started),
      responseStatus: result.status,
      latencyMs: result.latencyMs,
      error: result.error,
      snippet: result.snippet,
      status: outcome.status,
      nextAttemptAt: outcome.nextAttemptAtMs === null ? null : new Date(outcome.nextAttemptAtMs),
      scheduleStep: outcome.scheduleStep,
    });
    if (pending.length >= RECORD_BATCH) flushing = flushing.then(flush);
    else scheduleFlush();
  };

  const start = (rows: readonly ClaimedDelivery[]) => {
    if (held === 0) goneInRound.clear();
    held += rows.length;
    round++;
    const claimRound = round;
    for (const row of rows) {
      void options.limiter
        .run(row.endpoint_id, () => attempt(row, claimRound))
        .catch((error: unknown) => {
          options.onError?.(error);
          released.push(row.id);
          scheduleFlush();
        });
    }
  };

  return {
    async claimAndSend() {
      // Claim in worthwhile batches: a claim costs one statement whatever its
      // size, so wait for a quarter of the room rather than topping up by one.
      if (maxHeld - held < Math.max(1, Math.floor(maxHeld / 4))) {
        starved = true;
        return 0;
      }
      const limit = maxHeld - held;
      const rows = await claimDueDeliveries(options.db, {
        worker: options.worker,
        limit,
        now: new Date(now()),
        leaseMs: options.leaseMs,
      });
      backlog = rows.length === limit;
      start(rows);
      return rows.length;
    },
    leaseRoom() {
      return backlog ? 0 : maxHeld - held;
    },
    send(rows, full) {
      if (full) backlog = true;
      if (rows.length > 0) start(rows);
    },
    get held() {
      return held;
    },
    drain() {
      if (held === 0 && pending.length === 0 && released.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
