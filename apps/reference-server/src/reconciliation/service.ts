/**
 * Reconciliation runs and breaks. A run reads the provider's settlement
 * report for a period, reads the ledger's gateway movements of the same
 * period, classifies the differences (classify.ts) and stores each break
 * with an operator alert and a `reconciliation.break` event, all in the
 * caller's transaction. Resolving a break records who resolved it and how,
 * and resolves its alert.
 */
import {
  isProviderError,
  type PaymentGateway,
  type SettlementLine,
  type SettlementReport,
} from '@clinicbridge/adapters';
import {
  type BreakKind,
  newId,
  type Page,
  type ReconciliationBreak,
  type ReconciliationRun,
} from '@clinicbridge/sdk/contract';
import { type Kysely, sql } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import {
  classifySettlement,
  type FeePolicy,
  type FoundBreak,
  type LedgerMovement,
} from './classify.ts';

/** Most settlement lines one run reads; a longer report marks the run truncated. */
const MAX_LINES = 5_000;
/** Most ledger movements one run reads. */
const MAX_MOVEMENTS = 20_000;

type Provider = ReconciliationRun['provider'];

/**
 * The gateways a run may read, by provider.
 *
 * @example
 * const gateways: Gateways = { stripe: providers.payments.stripe };
 */
export type Gateways = Partial<Record<Provider, PaymentGateway>>;

/**
 * What a run covers.
 *
 * @example
 * const period: RunRequest = { provider: 'stripe', from: new Date('2026-11-01'), to: new Date('2026-11-02'), trigger: 'request' };
 */
export interface RunRequest {
  provider: Provider;
  from: Date;
  to: Date;
  trigger: ReconciliationRun['trigger'];
}

function toRun(row: Row<'reconciliation_runs'>): ReconciliationRun {
  return {
    id: row.id as `rcn_${string}`,
    provider: row.provider,
    from: row.period_from.toISOString(),
    to: row.period_to.toISOString(),
    trigger: row.trigger,
    status: row.status,
    failureCode: row.failure_code,
    linesRead: row.lines_read,
    transfersRead: row.transfers_read,
    matched: row.matched,
    breaks: row.breaks,
    truncated: row.truncated,
    createdAt: row.created_at.toISOString(),
  };
}

const money = (amount: number | null, currency: string | null) =>
  amount === null || currency === null ? null : { amount, currency };

function toLineRef(line: SettlementLine) {
  const of = (amount: number) => ({ amount, currency: line.currency });
  return {
    lineId: line.id,
    type: line.type,
    gross: of(line.grossMinor),
    fee: of(line.feeMinor),
    net: of(line.netMinor),
    occurredAt: line.occurredAt,
  };
}

/**
 * The public view of a break row.
 *
 * @example
 * toBreak(row).kind; // 'duplicate'
 */
export function toBreak(row: Row<'reconciliation_breaks'>): ReconciliationBreak {
  const lines = JSON.parse(row.lines) as SettlementLine[];
  return {
    id: row.id as `rcb_${string}`,
    runId: row.run_id as `rcn_${string}`,
    kind: row.kind,
    status: row.status,
    paymentRef: row.payment_ref,
    transferId: row.transfer_id as `ltr_${string}` | null,
    expected: money(row.expected_amount, row.expected_currency),
    actual: money(row.actual_amount, row.actual_currency),
    lines: lines.map(toLineRef),
    resolution: row.resolution as ReconciliationBreak['resolution'],
    resolutionNote: row.resolution_note,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * The tenant's ledger transfers that moved gateway money in the period:
 * each escrow's funding from the gateway clearing account, keyed by its
 * payment's `externalRef` (the provider's payment id), and each checkout's
 * capture and refunds, keyed by the checkout's gateway payment id.
 *
 * @example
 * const movements = await gatewayMovements(db, tenantId, from, to);
 */
export async function gatewayMovements(
  db: Kysely<DB>,
  tenantId: string,
  from: Date,
  to: Date,
): Promise<LedgerMovement[]> {
  const rows = await db
    .selectFrom('ledger_transfers as t')
    .innerJoin('escrows as e', (join) =>
      join
        .onRef('e.account_id', '=', 't.credit_account_id')
        .on('t.idempotency_key', '=', sql<string>`'escrow:' || e.id || ':fund'`),
    )
    .innerJoin('payments as p', 'p.id', 'e.payment_id')
    .select(['t.id', 't.amount', 't.currency', 'p.external_ref'])
    .where('t.tenant_id', '=', tenantId)
    .where('t.status', '=', 'posted')
    .where('t.created_at', '>=', from)
    .where('t.created_at', '<', to)
    .where('p.source', '=', 'gateway')
    .where('p.external_ref', 'is not', null)
    .orderBy('t.created_at')
    .limit(MAX_MOVEMENTS)
    .execute();
  const escrowFunding = rows.map((r) => ({
    transferId: r.id,
    paymentRef: r.external_ref as string,
    amount: r.amount,
    currency: r.currency,
  }));
  return [...escrowFunding, ...(await checkoutMovements(db, tenantId, from, to))];
}

const CHECKOUT_KEY = /^checkout:(chk_[A-Za-z0-9]+):(capture|refund:.+)$/;

/**
 * The tenant's checkout postings of the period: what a capture put in the
 * clinic's payable account at once (`checkout:<id>:capture`), and each
 * refund posted back (`checkout:<id>:refund:<refundId>`), keyed by the
 * checkout's gateway payment id.
 */
async function checkoutMovements(
  db: Kysely<DB>,
  tenantId: string,
  from: Date,
  to: Date,
): Promise<LedgerMovement[]> {
  const transfers = await db
    .selectFrom('ledger_transfers')
    .select(['id', 'amount', 'currency', 'idempotency_key'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'posted')
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .where('idempotency_key', 'like', 'checkout:%')
    .orderBy('created_at')
    .limit(MAX_MOVEMENTS)
    .execute();
  const parsed = transfers.flatMap((t) => {
    const match = CHECKOUT_KEY.exec(t.idempotency_key);
    return match ? [{ ...t, checkoutId: match[1] as string, capture: match[2] === 'capture' }] : [];
  });
  if (parsed.length === 0) return [];
  const checkouts = await db
    .selectFrom('checkouts')
    .select(['id', 'provider_payment_id'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...new Set(parsed.map((t) => t.checkoutId))])
    .execute();
  const paymentOf = new Map(checkouts.map((c) => [c.id, c.provider_payment_id]));
  return parsed.flatMap((t) => {
    const paymentRef = paymentOf.get(t.checkoutId);
    if (!paymentRef) return [];
    return [
      {
        transferId: t.id,
        paymentRef,
        amount: t.amount,
        currency: t.currency,
        kind: t.capture ? ('charge' as const) : ('refund' as const),
      },
    ];
  });
}

/**
 * What a provider's report read gave: its lines, or the adapter's error code.
 *
 * @example
 * const read: ReportRead = { failureCode: 'provider_unavailable' };
 */
export type ReportRead = SettlementReport | { failureCode: string };

/**
 * Reads the settlement report a run needs (bounded to 5,000 lines). Call it
 * outside a transaction where you can: it waits on the provider.
 *
 * @example
 * const read = await readSettlement(gateways, { provider: 'stripe', from, to, trigger: 'schedule' });
 */
export async function readSettlement(gateways: Gateways, request: RunRequest): Promise<ReportRead> {
  const gateway = gateways[request.provider];
  if (!gateway) {
    throw new ApiError(
      'unprocessable',
      `No ${request.provider} gateway is configured on this server; configure its credentials or reconcile another provider.`,
    );
  }
  try {
    return await gateway.settlementReport({
      from: request.from.toISOString(),
      to: request.to.toISOString(),
      maxLines: MAX_LINES,
    });
  } catch (error) {
    if (isProviderError(error)) return { failureCode: error.code };
    throw error;
  }
}

/** The first few line ids of a break, for the alert's message. */
function lineList(found: FoundBreak): string {
  if (found.lines.length === 0) return 'none';
  const ids = found.lines.slice(0, 5).map((l) => l.id);
  return found.lines.length > 5
    ? `${ids.join(', ')} and ${found.lines.length - 5} more`
    : ids.join(', ');
}

async function storeBreak(
  db: Kysely<DB>,
  change: ChangeContext,
  run: { id: string; provider: Provider },
  found: FoundBreak,
): Promise<void> {
  const id = newId('rcb');
  const alertId = await raiseAlert(db, {
    tenantId: change.tenantId,
    kind: 'reconciliation_break',
    message: `Reconciliation break (${found.kind}) in ${run.provider} run ${run.id}, payment ${found.paymentRef ?? 'unknown'}, settlement lines ${lineList(found)}: resolve it on /ops/reconciliation.`,
    details: { breakId: id, runId: run.id, kind: found.kind },
    now: change.now,
  });
  await db
    .insertInto('reconciliation_breaks')
    .values({
      id,
      tenant_id: change.tenantId,
      run_id: run.id,
      kind: found.kind,
      status: 'open',
      payment_ref: found.paymentRef,
      transfer_id: found.transferId,
      expected_amount: found.expected?.amount ?? null,
      expected_currency: found.expected?.currency ?? null,
      actual_amount: found.actual?.amount ?? null,
      actual_currency: found.actual?.currency ?? null,
      lines: JSON.stringify(found.lines),
      alert_id: alertId,
      resolution: null,
      resolution_note: null,
      resolved_by: null,
      resolved_at: null,
      created_at: change.now,
    })
    .execute();
  await recordChange(db, change, {
    action: 'reconciliation_break.found',
    entityType: 'reconciliation_break',
    entityId: id,
    audit: { runId: run.id, kind: found.kind },
    event: {
      type: 'reconciliation.break',
      data: {
        breakId: id,
        runId: run.id as `rcn_${string}`,
        kind: found.kind,
        provider: run.provider,
        paymentRef: found.paymentRef,
        transferId: found.transferId as `ltr_${string}` | null,
        lineIds: found.lines.map((l) => l.id),
        expected: found.expected,
        actual: found.actual,
      },
    },
  });
}

/**
 * Runs one reconciliation: reads the report, then records the run with its breaks.
 *
 * @example
 * const run = await runReconciliation(trx, change, gateways, { maxFeeBps: 500 }, { provider: 'stripe', from, to, trigger: 'request' });
 */
export async function runReconciliation(
  db: Kysely<DB>,
  change: ChangeContext,
  gateways: Gateways,
  policy: FeePolicy,
  request: RunRequest,
): Promise<ReconciliationRun> {
  return recordRun(db, change, policy, request, await readSettlement(gateways, request));
}

/**
 * Matches a report already read to the ledger and records the run with its
 * breaks, their alerts and events. A report that could not be read makes a
 * `failed` run (with the adapter's error code), not an error.
 *
 * @example
 * const run = await recordRun(trx, change, { maxFeeBps: 500 }, request, read);
 */
export async function recordRun(
  db: Kysely<DB>,
  change: ChangeContext,
  policy: FeePolicy,
  request: RunRequest,
  report: ReportRead,
): Promise<ReconciliationRun> {
  const id = newId('rcn');
  const base = {
    id,
    tenant_id: change.tenantId,
    provider: request.provider,
    period_from: request.from,
    period_to: request.to,
    trigger: request.trigger,
    created_at: change.now,
  };
  if ('failureCode' in report) {
    const row = {
      ...base,
      status: 'failed' as const,
      failure_code: report.failureCode,
      lines_read: 0,
      transfers_read: 0,
      matched: 0,
      breaks: 0,
      truncated: false,
    };
    await db.insertInto('reconciliation_runs').values(row).execute();
    return toRun(row);
  }
  const movements = await gatewayMovements(db, change.tenantId, request.from, request.to);
  const { matched, breaks } = classifySettlement(report.lines, movements, policy);
  const row = {
    ...base,
    status: 'completed' as const,
    failure_code: null,
    lines_read: report.lines.length,
    transfers_read: movements.length,
    matched,
    breaks: breaks.length,
    truncated: report.truncated,
  };
  await db.insertInto('reconciliation_runs').values(row).execute();
  for (const found of breaks)
    await storeBreak(db, change, { id, provider: request.provider }, found);
  await recordChange(db, change, {
    action: 'reconciliation_run.completed',
    entityType: 'reconciliation_run',
    entityId: id,
    audit: { provider: request.provider, matched, breaks: breaks.length },
  });
  return toRun(row);
}

/**
 * A run of the tenant, or 404.
 *
 * @example
 * await getRun(db, tenantId, 'rcn_…');
 */
export async function getRun(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<ReconciliationRun> {
  const row = await db
    .selectFrom('reconciliation_runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No reconciliation run ${id} in this tenant.`);
  return toRun(row);
}

/**
 * A page of the tenant's breaks, newest first.
 *
 * @example
 * await listBreaks(db, tenantId, { status: 'open' });
 */
export function listBreaks(
  db: Kysely<DB>,
  tenantId: string,
  query: {
    limit?: number | undefined;
    cursor?: string | undefined;
    runId?: string | undefined;
    status?: 'open' | 'resolved' | undefined;
    kind?: BreakKind | undefined;
  },
): Promise<Page<ReconciliationBreak>> {
  return listPage(
    db,
    'reconciliation_breaks',
    tenantId,
    query,
    [
      query.runId !== undefined && ['run_id', '=', query.runId],
      query.kind !== undefined && ['kind', '=', query.kind],
      query.status !== undefined && ['status', '=', query.status],
    ],
    toBreak,
  );
}

/**
 * Resolves an open break (and its operator alert), recording who and how.
 * Resolving a resolved break again changes nothing and returns it.
 *
 * @example
 * await resolveBreak(trx, change, 'rcb_…', { resolution: 'provider_corrected', by: 'ops' });
 */
export async function resolveBreak(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  input: { resolution: NonNullable<ReconciliationBreak['resolution']>; note?: string | undefined },
): Promise<ReconciliationBreak> {
  const row = await db
    .selectFrom('reconciliation_breaks')
    .selectAll()
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No reconciliation break ${id} in this tenant.`);
  if (row.status === 'resolved') return toBreak(row);
  const by = `${change.actor.type}:${change.actor.id}`;
  const resolved = await db
    .updateTable('reconciliation_breaks')
    .set({
      status: 'resolved',
      resolution: input.resolution,
      resolution_note: input.note ?? null,
      resolved_by: by,
      resolved_at: change.now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (row.alert_id) {
    await db
      .updateTable('operator_alerts')
      .set({ resolved_at: change.now })
      .where('id', '=', row.alert_id)
      .where('resolved_at', 'is', null)
      .execute();
  }
  await recordChange(db, change, {
    action: 'reconciliation_break.resolved',
    entityType: 'reconciliation_break',
    entityId: id,
    audit: { kind: row.kind, resolution: input.resolution },
  });
  return toBreak(resolved);
}
