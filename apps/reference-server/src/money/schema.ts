/**
 * Table types of the money feature, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts). Amounts are minor units: `bigint` in
 * the database, read as numbers (the contract caps amounts at 2^53 - 1).
 */
import type { Generated } from 'kysely';

/**
 * A ledger account and its running counters (changed only by entries, by trigger).
 *
 * @example
 * await db.selectFrom('ledger_accounts').select(['credits_posted', 'version']).where('id', '=', id).execute();
 */
export interface LedgerAccountsTable {
  id: string;
  tenant_id: string;
  code: string;
  currency: string;
  normal_balance: 'debit' | 'credit';
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  debits_pending: Generated<number>;
  debits_posted: Generated<number>;
  credits_pending: Generated<number>;
  credits_posted: Generated<number>;
  version: Generated<number>;
  created_at: Date;
}

/**
 * Where a transfer stands: single-phase transfers are born `posted`.
 *
 * @example
 * const status: TransferStatus = 'pending';
 */
export type TransferStatus = 'pending' | 'posted' | 'voided' | 'expired';

/**
 * A two-legged transfer between two accounts of one currency.
 *
 * @example
 * await db.selectFrom('ledger_transfers').selectAll().where('status', '=', 'pending').execute();
 */
export interface LedgerTransfersTable {
  id: string;
  tenant_id: string;
  idempotency_key: string;
  debit_account_id: string;
  credit_account_id: string;
  amount: number;
  currency: string;
  status: TransferStatus;
  timeout_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * One leg of one phase of a transfer; the trigger fills version and balances.
 *
 * @example
 * await db.selectFrom('ledger_entries').selectAll().where('account_id', '=', id).orderBy('id').execute();
 */
export interface LedgerEntriesTable {
  id: Generated<number>;
  tenant_id: string;
  transfer_id: string;
  account_id: string;
  phase: 'posted' | 'pending' | 'post' | 'void' | 'expire';
  side: 'debit' | 'credit';
  amount: number;
  currency: string;
  account_version: Generated<number>;
  posted_before: Generated<number>;
  posted_after: Generated<number>;
  pending_before: Generated<number>;
  pending_after: Generated<number>;
  created_at: Date;
}

/**
 * An escrow: a captured payment held in tranches.
 *
 * @example
 * await db.selectFrom('escrows').selectAll().where('payment_id', '=', paymentId).execute();
 */
export interface EscrowsTable {
  id: string;
  tenant_id: string;
  payment_id: string;
  invoice_id: string;
  account_id: string;
  currency: string;
  held: number;
  expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A milestone's tranche: its own pending transfer.
 *
 * @example
 * await db.selectFrom('escrow_milestones').selectAll().where('escrow_id', '=', id).orderBy('position').execute();
 */
export interface EscrowMilestonesTable {
  escrow_id: string;
  tenant_id: string;
  code: string;
  position: number;
  amount: number;
  status: 'held' | 'disputed' | 'released' | 'voided' | 'expired';
  transfer_id: string;
  dispute_reason: string | null;
  released_at: Date | null;
}

/**
 * A refund of voided escrow money, one per reference.
 *
 * @example
 * await db.selectFrom('escrow_refunds').select('amount').where('escrow_id', '=', id).execute();
 */
export interface EscrowRefundsTable {
  escrow_id: string;
  tenant_id: string;
  reference: string;
  refund_id: string;
  transfer_id: string;
  amount: number;
  created_at: Date;
}

/**
 * The connected account at a provider that a tenant's released tranches are paid to.
 *
 * @example
 * await db.selectFrom('escrow_payees').select('account_id').where('tenant_id', '=', tenantId).execute();
 */
export interface EscrowPayeesTable {
  tenant_id: string;
  provider: 'stripe';
  account_id: string;
  updated_at: Date;
}

/**
 * One released tranche paid out to the clinic's connected account, once.
 *
 * @example
 * await db.selectFrom('escrow_payouts').select('status').where('escrow_id', '=', id).execute();
 */
export interface EscrowPayoutsTable {
  id: string;
  tenant_id: string;
  escrow_id: string;
  milestone: string;
  provider: string;
  payee_account_id: string;
  amount: number;
  currency: string;
  status: 'pending' | 'paid' | 'failed';
  provider_transfer_id: string | null;
  attempts: number;
  last_error: string | null;
  next_check_at: Date;
  created_at: Date;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    escrow_payees: EscrowPayeesTable;
    escrow_payouts: EscrowPayoutsTable;
    ledger_accounts: LedgerAccountsTable;
    ledger_transfers: LedgerTransfersTable;
    ledger_entries: LedgerEntriesTable;
    escrows: EscrowsTable;
    escrow_milestones: EscrowMilestonesTable;
    escrow_refunds: EscrowRefundsTable;
  }
}
