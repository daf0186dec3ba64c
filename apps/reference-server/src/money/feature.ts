/**
 * The money feature: the append-only double-entry ledger (its rules kept by
 * the database) and escrow per case on top of it (`escrows.*`,
 * `ledgerAccounts.balance`), with the job that expires stale holds.
 * docs/money.md describes the model and its invariants.
 */
import type { Feature } from '../feature.ts';
import { escrowExpiryJob } from './expiry.ts';
import { escrowHandlers, ledgerHandlers } from './handlers.ts';
import { moneyMigrations } from './migrations.ts';

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
  ],
  appendOnlyTables: ['ledger_entries'],
  migrations: moneyMigrations,
  handlers: { ...escrowHandlers, ...ledgerHandlers },
  jobs: (context) => [escrowExpiryJob(context.db, context.logger)],
};
