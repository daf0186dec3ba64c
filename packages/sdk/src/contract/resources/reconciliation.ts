/**
 * Reconciliation of the ledger with a payment gateway's settlement report.
 * A run reads the provider's settlement lines for a period, matches them to
 * the ledger's transfers, and records every difference as a break of one
 * kind; an operator resolves a break, saying how.
 */
import * as z from 'zod/mini';
import { listQuery, money, page, text, timestamp, timestampInput } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * A gateway whose settlement report can be reconciled.
 *
 * @example
 * settlementProvider.parse('stripe');
 */
export const settlementProvider = z.enum(['stripe', 'razorpay', 'iyzico']);

/**
 * What kind of difference a break is.
 *
 * - `missing_in_ledger`: the provider settled money the ledger does not know;
 * - `missing_in_settlement`: the ledger moved money the provider did not settle;
 * - `amount_mismatch`, `currency_mismatch`: both know it, with another amount or currency;
 * - `duplicate`: the provider settled the same payment more than once;
 * - `fee_difference`: the provider kept more than its agreed fee, or its net is not gross less fee.
 *
 * @example
 * breakKind.parse('amount_mismatch');
 */
export const breakKind = z.enum([
  'missing_in_ledger',
  'missing_in_settlement',
  'amount_mismatch',
  'currency_mismatch',
  'duplicate',
  'fee_difference',
]);

/**
 * A break kind.
 *
 * @example
 * const kind: BreakKind = 'duplicate';
 */
export type BreakKind = z.infer<typeof breakKind>;

/**
 * How a break was settled by the operator.
 *
 * @example
 * breakResolution.parse('ledger_corrected');
 */
export const breakResolution = z.enum([
  'ledger_corrected',
  'provider_corrected',
  'accepted',
  'false_positive',
]);

/**
 * A reconciliation run.
 *
 * @example
 * const run = reconciliationRun.parse(await res.json());
 */
export const reconciliationRun = z.object({
  id: idSchema('rcn'),
  provider: settlementProvider,
  from: timestamp,
  to: timestamp,
  trigger: z.enum(['request', 'schedule']),
  /** `failed` when the provider could not be read; `failureCode` says why. */
  status: z.enum(['completed', 'failed']),
  failureCode: z.nullable(z.string()),
  linesRead: z.int(),
  transfersRead: z.int(),
  matched: z.int(),
  breaks: z.int(),
  /** True when the provider had more lines than one run reads: run shorter periods. */
  truncated: z.boolean(),
  createdAt: timestamp,
});

/**
 * One settlement line involved in a break, as the provider reported it.
 *
 * @example
 * const line: SettlementLineRef = brk.lines[0]!;
 */
export const settlementLineRef = z.object({
  lineId: z.string(),
  type: z.string(),
  gross: z.object({ amount: z.int(), currency: z.string() }),
  fee: z.object({ amount: z.int(), currency: z.string() }),
  net: z.object({ amount: z.int(), currency: z.string() }),
  occurredAt: timestamp,
});

/**
 * A reconciliation break.
 *
 * @example
 * const brk = reconciliationBreak.parse(await res.json());
 */
export const reconciliationBreak = z.object({
  id: idSchema('rcb'),
  runId: idSchema('rcn'),
  kind: breakKind,
  status: z.enum(['open', 'resolved']),
  /** The provider's payment id the break is about, when one is known. */
  paymentRef: z.nullable(z.string()),
  transferId: z.nullable(idSchema('ltr')),
  /** What the ledger holds (null when it holds nothing). */
  expected: z.nullable(money),
  /** What the provider settled (null when it settled nothing). */
  actual: z.nullable(z.object({ amount: z.int(), currency: z.string() })),
  lines: z.array(settlementLineRef),
  resolution: z.nullable(breakResolution),
  resolutionNote: z.nullable(z.string()),
  resolvedBy: z.nullable(z.string()),
  resolvedAt: z.nullable(timestamp),
  createdAt: timestamp,
});

/**
 * Reconcile a period of a gateway's settlement report with the ledger now (`reconciliationRuns.create`).
 *
 * @example
 * await client.reconciliationRuns.create({ provider: 'stripe', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' });
 */
export const reconciliationRunsCreate = defineOperation({
  id: 'reconciliationRuns.create',
  method: 'POST',
  path: '/api/v1/reconciliation/runs',
  summary: "Reconcile a period of a gateway's settlement report with the ledger",
  scope: 'write:payments',
  write: true,
  status: 201,
  body: z
    .strictObject({ provider: settlementProvider, from: timestampInput, to: timestampInput })
    .check(
      z.refine((b) => Date.parse(b.from) < Date.parse(b.to), '`from` must be before `to`'),
      z.refine(
        (b) => Date.parse(b.to) - Date.parse(b.from) <= 31 * 86_400_000,
        'a run covers at most 31 days',
      ),
    ),
  response: reconciliationRun,
});

/**
 * Get a reconciliation run (`reconciliationRuns.get`).
 *
 * @example
 * await client.reconciliationRuns.get({ runId });
 */
export const reconciliationRunsGet = defineOperation({
  id: 'reconciliationRuns.get',
  method: 'GET',
  path: '/api/v1/reconciliation/runs/{runId}',
  summary: 'Get a reconciliation run',
  scope: 'read:payments',
  write: false,
  status: 200,
  params: z.strictObject({ runId: idSchema('rcn') }),
  response: reconciliationRun,
});

/**
 * List reconciliation breaks, newest first (`reconciliationBreaks.list`).
 *
 * @example
 * await client.reconciliationBreaks.list({ status: 'open' }).page();
 */
export const reconciliationBreaksList = defineOperation({
  id: 'reconciliationBreaks.list',
  method: 'GET',
  path: '/api/v1/reconciliation/breaks',
  summary: 'List reconciliation breaks',
  scope: 'read:payments',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    runId: z.optional(idSchema('rcn')),
    status: z.optional(z.enum(['open', 'resolved'])),
    kind: z.optional(breakKind),
  }),
  response: page(reconciliationBreak),
});

/**
 * Resolve a break, saying how (`reconciliationBreaks.resolve`). A resolved break stays resolved.
 *
 * @example
 * await client.reconciliationBreaks.resolve({ breakId }, { resolution: 'provider_corrected' });
 */
export const reconciliationBreaksResolve = defineOperation({
  id: 'reconciliationBreaks.resolve',
  method: 'POST',
  path: '/api/v1/reconciliation/breaks/{breakId}/resolve',
  summary: 'Resolve a reconciliation break',
  scope: 'write:payments',
  write: true,
  status: 200,
  params: z.strictObject({ breakId: idSchema('rcb') }),
  body: z.strictObject({ resolution: breakResolution, note: z.optional(text(500)) }),
  response: reconciliationBreak,
});

/**
 * Operations on reconciliation runs.
 *
 * @example
 * reconciliationRunOperations.create.scope; // 'write:payments'
 */
export const reconciliationRunOperations = {
  create: reconciliationRunsCreate,
  get: reconciliationRunsGet,
} as const;

/**
 * Operations on reconciliation breaks.
 *
 * @example
 * reconciliationBreakOperations.resolve.path; // '/api/v1/reconciliation/breaks/{breakId}/resolve'
 */
export const reconciliationBreakOperations = {
  list: reconciliationBreaksList,
  resolve: reconciliationBreaksResolve,
} as const;

/**
 * A reconciliation run.
 *
 * @example
 * const run: ReconciliationRun = await client.reconciliationRuns.get({ runId });
 */
export type ReconciliationRun = z.infer<typeof reconciliationRun>;
/**
 * A reconciliation break.
 *
 * @example
 * const brk: ReconciliationBreak = await client.reconciliationBreaks.resolve({ breakId }, { resolution: 'accepted' });
 */
export type ReconciliationBreak = z.infer<typeof reconciliationBreak>;
