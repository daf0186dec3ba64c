/**
 * What a durable queue of provider calls (the CRM sync, the clinic-software
 * pushes) does with a row whose call failed: a permanent refusal, or the
 * last attempt, goes to the operators as a manual task; anything else is
 * tried again after a doubling wait, capped at an hour.
 */
import { isProviderError, type ManualTaskSink } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

const MAX_BACKOFF_MS = 3_600_000;

/**
 * The retry policy of a queue.
 *
 * @example
 * const policy: RetryPolicy = { maxAttempts: 10, retryAfterMs: 30_000 };
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly retryAfterMs: number;
}

/**
 * What a job draining such a queue is given, beyond its provider: the
 * database, where hand-overs go, its retry policy, and how much a pass takes.
 *
 * @example
 * const options: QueuedCallJobOptions = { db, manualTasks, retryAfterMs: 30_000, maxAttempts: 10 };
 */
export interface QueuedCallJobOptions extends RetryPolicy {
  readonly db: Kysely<DB>;
  readonly manualTasks: ManualTaskSink;
  /** Rows per pass (default 20), and how long a process holds them while sending (default 2 min). */
  readonly batchSize?: number;
  readonly leaseMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * The rows a pass claims and how long it holds them, defaults applied.
 *
 * @example
 * const { batchSize, leaseMs } = passSize(options);
 */
export function passSize(options: QueuedCallJobOptions): { batchSize: number; leaseMs: number } {
  return { batchSize: options.batchSize ?? 20, leaseMs: options.leaseMs ?? 120_000 };
}

/**
 * The next step for a failed row: `reason` is the failure's code
 * (`provider_unavailable`, `invalid_request`, …); a hand-over also says why
 * (`reason` itself when permanent, else `retries_exhausted`).
 */
export type AfterFailure =
  | { readonly reason: string; readonly handOver: string }
  | { readonly reason: string; readonly retryAt: Date };

/**
 * Decides what follows a failed call on its `attempts`-th attempt. A
 * provider error is permanent unless transient; a `deferred` error (the
 * server's own wrapper, with a `reason`) is always transient.
 *
 * @example
 * const next = afterFailure(error, 3, policy, now, ClinicPushDeferred);
 * if ('handOver' in next) await handOver(next.handOver);
 */
export function afterFailure(
  error: unknown,
  attempts: number,
  policy: RetryPolicy,
  now: Date,
  deferred: abstract new (...args: never[]) => Error & { readonly reason: string },
): AfterFailure {
  let permanent = false;
  let reason = 'failed';
  if (isProviderError(error)) {
    permanent = !error.transient;
    reason = error.code;
  } else if (error instanceof deferred) reason = error.reason;
  if (permanent) return { reason, handOver: reason };
  if (attempts >= policy.maxAttempts) return { reason, handOver: 'retries_exhausted' };
  const wait = Math.min(MAX_BACKOFF_MS, policy.retryAfterMs * 2 ** Math.min(attempts - 1, 20));
  return { reason, retryAt: new Date(now.getTime() + wait) };
}

/**
 * Orders claimed rows oldest first, then by id: the order they were queued in.
 *
 * @example
 * const ordered = rows.toSorted((a, b) => queuedOrder(a.created_at, a.id, b.created_at, b.id));
 */
export function queuedOrder(
  aCreated: Date | string,
  aId: string,
  bCreated: Date | string,
  bId: string,
): number {
  return new Date(aCreated).getTime() - new Date(bCreated).getTime() || aId.localeCompare(bId);
}
