/**
 * Table types of the reconciliation feature, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts).
 */
import type { BreakKind } from '@clinicbridge/sdk/contract';

/**
 * One reconciliation run of a tenant against one provider's settlement report.
 *
 * @example
 * await db.selectFrom('reconciliation_runs').selectAll().where('tenant_id', '=', tenantId).execute();
 */
export interface ReconciliationRunsTable {
  id: string;
  tenant_id: string;
  provider: 'stripe' | 'razorpay' | 'iyzico';
  period_from: Date;
  period_to: Date;
  trigger: 'request' | 'schedule';
  status: 'completed' | 'failed';
  failure_code: string | null;
  lines_read: number;
  transfers_read: number;
  matched: number;
  breaks: number;
  truncated: boolean;
  created_at: Date;
}

/**
 * One break found by a run; `lines` holds the settlement lines involved (JSON).
 *
 * @example
 * await db.selectFrom('reconciliation_breaks').selectAll().where('resolved_at', 'is', null).execute();
 */
export interface ReconciliationBreaksTable {
  id: string;
  tenant_id: string;
  run_id: string;
  kind: BreakKind;
  status: 'open' | 'resolved';
  payment_ref: string | null;
  transfer_id: string | null;
  expected_amount: number | null;
  expected_currency: string | null;
  actual_amount: number | null;
  actual_currency: string | null;
  lines: string;
  alert_id: string | null;
  resolution: string | null;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  created_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    reconciliation_runs: ReconciliationRunsTable;
    reconciliation_breaks: ReconciliationBreaksTable;
  }
}
