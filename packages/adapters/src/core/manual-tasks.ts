/**
 * Manual-operations fallback. When a provider stays unavailable (breaker open,
 * retries spent), the patient's flow should not fail: a task for a human
 * (call the airline, take the payment by phone, send the reminder by hand) is
 * recorded through an injectable sink and the caller receives a "handled
 * manually" result. The server stores these tasks and shows them on /ops.
 */
import { z } from 'zod';
import { isProviderError, type ProviderError } from './errors.ts';

/**
 * A task for the operations team. `subjectRef` is an opaque id (patient,
 * booking, invoice) — never a name, phone number or email.
 *
 * @example
 * ManualTaskSchema.parse(task);
 */
export const ManualTaskSchema = z.object({
  id: z.string().min(1),
  kind: z.enum([
    'payment',
    'escrow',
    'messaging',
    'travel',
    'crm',
    'analytics',
    'health_id',
    'clinic_software',
    'push',
    'catalogue',
    'insurance',
    'imaging',
    'visa',
    'translation',
    'einvoicing',
    'telemedicine',
    'shipping',
  ]),
  provider: z.string().min(1),
  operation: z.string().min(1),
  subjectRef: z.string().min(1),
  summary: z.string().min(1).max(500),
  reason: z.string().min(1),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  correlationId: z.string().optional(),
  createdAt: z.iso.datetime(),
});

/**
 * A recorded manual task.
 *
 * @example
 * const task: ManualTask = await sink.list().then((tasks) => tasks[0]!);
 */
export type ManualTask = z.infer<typeof ManualTaskSchema>;

/**
 * What the adapter knows when it hands work to a human; the fallback adds id,
 * reason and time.
 *
 * @example
 * const draft: ManualTaskDraft = {
 *   kind: 'travel', provider: 'amadeus', operation: 'flights.search',
 *   subjectRef: 'trip_42', summary: 'Find flights IST→LHR on 2026-12-01', details: { adults: 1 },
 * };
 */
export type ManualTaskDraft = Omit<ManualTask, 'id' | 'reason' | 'createdAt' | 'details'> & {
  details?: ManualTask['details'];
};

/**
 * Where manual tasks go. The reference server stores them in its database.
 *
 * @example
 * const sink: ManualTaskSink = { record: async (task) => { await db.insert(task); } };
 */
export interface ManualTaskSink {
  record(task: ManualTask): Promise<void>;
}

/**
 * A sink that keeps tasks in memory, for tests and single-process demos.
 *
 * @example
 * const sink = new InMemoryManualTaskSink();
 * await sink.record(task);
 * sink.tasks.length; // 1
 */
export class InMemoryManualTaskSink implements ManualTaskSink {
  readonly tasks: ManualTask[] = [];

  async record(task: ManualTask): Promise<void> {
    this.tasks.push(ManualTaskSchema.parse(task));
  }
}

/**
 * Settings of {@link withManualFallback}.
 *
 * @example
 * const options: ManualFallbackOptions = { sink, task: draft };
 */
export interface ManualFallbackOptions {
  sink: ManualTaskSink;
  task: ManualTaskDraft;
  /** Which failures go to a human. Default: transient ones (unavailable, rate limited, timeout). */
  shouldFallback?: (error: ProviderError) => boolean;
  now?: () => Date;
  newId?: () => string;
}

/**
 * Runs a provider call; if it fails for want of the provider (not because
 * the provider said no), records a manual task and returns `onFallback(task)`.
 * Definite answers (`rejected`, `invalid_request`, …) are rethrown: a human
 * cannot fix a declined card by retrying it.
 *
 * @example
 * const result = await withManualFallback(
 *   { sink, task: { kind: 'travel', provider: 'amadeus', operation: 'flights.search', subjectRef: 'trip_42', summary: 'Find flights' } },
 *   () => flights.search(query),
 *   (task) => ({ options: [], manualTaskId: task.id }),
 * );
 */
export async function withManualFallback<T, F>(
  options: ManualFallbackOptions,
  run: () => Promise<T>,
  onFallback: (task: ManualTask) => F,
): Promise<T | F> {
  try {
    return await run();
  } catch (error) {
    const shouldFallback = options.shouldFallback ?? ((e: ProviderError) => e.transient);
    if (!isProviderError(error) || !shouldFallback(error)) throw error;
    const task: ManualTask = {
      ...options.task,
      details: {
        ...options.task.details,
        attempts: error.attempts,
        circuitOpen: error.circuitOpen,
        ...(error.providerCode ? { providerCode: error.providerCode } : {}),
      },
      id: options.newId?.() ?? `mt_${crypto.randomUUID()}`,
      reason: error.circuitOpen ? 'circuit_open' : error.code,
      createdAt: (options.now?.() ?? new Date()).toISOString(),
      ...(error.correlationId && !options.task.correlationId
        ? { correlationId: error.correlationId }
        : {}),
    };
    await options.sink.record(task);
    return onFallback(task);
  }
}
