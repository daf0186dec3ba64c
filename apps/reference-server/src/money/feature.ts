/**
 * The money feature: the append-only double-entry ledger (its rules kept by
 * the database) and escrow per case on top of it (`escrows.*`,
 * `ledgerAccounts.balance`), with the jobs that expire stale holds and pay
 * released tranches out to the clinic's connected account.
 * docs/money.md describes the model and its invariants.
 */
import type { Feature } from '../feature.ts';
import { escrowExpiryJob } from './expiry.ts';
import { escrowHandlers, ledgerHandlers } from './handlers.ts';
import { moneyMigrations } from './migrations.ts';
import { payoutMigrations } from './payout-migrations.ts';
import { escrowPayoutJob } from './payouts.ts';

/**
 * The money feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, moneyFeature];
 */
export const moneyFeature: Feature = {
  name: 'money',
  tables: [
    'ledger_accounts',
    'ledger_transfers',
    'ledger_entries',
    'escrows',
    'escrow_milestones',
    'escrow_refunds',
    'escrow_payees',
    'escrow_payouts',
  ],
  appendOnlyTables: ['ledger_entries'],
  migrations: { ...moneyMigrations, ...payoutMigrations },
  handlers: { ...escrowHandlers, ...ledgerHandlers },
  jobs: (context) => [
    escrowExpiryJob(context.db, context.logger),
    escrowPayoutJob(context.db, () => context.providers?.escrow, context.logger),
  ],
};
