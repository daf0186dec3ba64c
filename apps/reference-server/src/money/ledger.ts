/**
 * The double-entry ledger's write and read paths. The database keeps the
 * rules (see migrations.ts); this module adds the order that keeps
 * concurrent writers apart: a transfer row is locked before its accounts,
 * and accounts are locked in id order, so two transfers over the same
 * accounts queue instead of deadlocking. Two-phase transfers follow
 * TigerBeetle: pending → posted, voided or expired, once, and always the
 * whole amount (there is no partial post).
 */
import { type LedgerBalance, newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { ApiError } from '../kernel/problem.ts';
import { currencyExponent } from './currencies.ts';
import type { TransferStatus } from './schema.ts';

/**
 * An account to open (or find, by tenant and code).
 *
 * @example
 * const spec: AccountSpec = { tenantId, code: 'clinic_payable:EUR', currency: 'EUR', normalBalance: 'credit', flag: 'debits_must_not_exceed_credits' };
 */
export interface AccountSpec {
  tenantId: string;
  code: string;
  currency: string;
  normalBalance: 'debit' | 'credit';
  flag?: 'debits_must_not_exceed_credits' | 'credits_must_not_exceed_debits';
}

/**
 * The account with the spec's code, opened on first use.
 *
 * @example
 * const payable = await openAccount(trx, { tenantId, code: 'clinic_payable:EUR', currency: 'EUR', normalBalance: 'credit' }, now);
 */
export async function openAccount(
  db: Kysely<DB>,
  spec: AccountSpec,
  now: Date,
): Promise<Row<'ledger_accounts'>> {
  await db
    .insertInto('ledger_accounts')
    .values({
      id: newId('lac'),
      tenant_id: spec.tenantId,
      code: spec.code,
      currency: spec.currency,
      normal_balance: spec.normalBalance,
      debits_must_not_exceed_credits: spec.flag === 'debits_must_not_exceed_credits',
      credits_must_not_exceed_debits: spec.flag === 'credits_must_not_exceed_debits',
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'code']).doNothing())
    .execute();
  const account = await db
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('tenant_id', '=', spec.tenantId)
    .where('code', '=', spec.code)
    .executeTakeFirstOrThrow();
  if (account.currency !== spec.currency || account.normal_balance !== spec.normalBalance) {
    throw new ApiError(
      'conflict',
      `Ledger account ${spec.code} exists with another currency or side.`,
    );
  }
  return account;
}

/**
 * A transfer to create; `key` is unique per tenant and makes creation idempotent.
 *
 * @example
 * const input: NewTransfer = { tenantId, key: 'escrow:esc_…:fund', debitAccountId, creditAccountId, amount: 9000, currency: 'EUR' };
 */
export interface NewTransfer {
  tenantId: string;
  key: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: number;
  currency: string;
  /** A pending transfer reserves the amount until posted, voided or expired. */
  pending?: boolean;
  timeoutAt?: Date | null;
}

/** Locks accounts in id order: every writer takes them in the same order, so none deadlocks. */
async function lockAccounts(db: Kysely<DB>, ids: string[]): Promise<void> {
  await db
    .selectFrom('ledger_accounts')
    .select('id')
    .where('id', 'in', [...ids].sort())
    .orderBy('id')
    .forUpdate()
    .execute();
}

async function insertLegs(
  db: Kysely<DB>,
  transfer: Row<'ledger_transfers'>,
  phase: Row<'ledger_entries'>['phase'],
  now: Date,
): Promise<void> {
  await lockAccounts(db, [transfer.debit_account_id, transfer.credit_account_id]);
  const leg = (accountId: string, side: 'debit' | 'credit') => ({
    tenant_id: transfer.tenant_id,
    transfer_id: transfer.id,
    account_id: accountId,
    phase,
    side,
    amount: transfer.amount,
    currency: transfer.currency,
    created_at: now,
  });
  // Legs in account-id order too, so the trigger's row locks follow the same order.
  const legs = [
    leg(transfer.debit_account_id, 'debit'),
    leg(transfer.credit_account_id, 'credit'),
  ].sort((a, b) => (a.account_id < b.account_id ? -1 : 1));
  try {
    for (const row of legs) await db.insertInto('ledger_entries').values(row).execute();
  } catch (error) {
    if ((error as { code?: unknown }).code === '23514') {
      throw new ApiError(
        'unprocessable',
        'The transfer would take a ledger account below what its rules allow; check the balance first.',
      );
    }
    throw error;
  }
}

/**
 * Creates a transfer once per key: a repeat with the same terms returns the
 * first (`created: false`); the same key with other terms is a conflict.
 *
 * @example
 * const { transfer, created } = await createTransfer(trx, { tenantId, key, debitAccountId, creditAccountId, amount: 500, currency: 'EUR', pending: true }, now);
 */
export async function createTransfer(
  db: Kysely<DB>,
  input: NewTransfer,
  now: Date,
): Promise<{ transfer: Row<'ledger_transfers'>; created: boolean }> {
  // Lock the accounts before inserting the transfer: its foreign keys would
  // otherwise take share locks on them in debit/credit order, and upgrading
  // those to the update locks below deadlocks against the opposite transfer.
  await lockAccounts(db, [input.debitAccountId, input.creditAccountId]);
  const inserted = await db
    .insertInto('ledger_transfers')
    .values({
      id: newId('ltr'),
      tenant_id: input.tenantId,
      idempotency_key: input.key,
      debit_account_id: input.debitAccountId,
      credit_account_id: input.creditAccountId,
      amount: input.amount,
      currency: input.currency,
      status: input.pending ? 'pending' : 'posted',
      timeout_at: input.timeoutAt ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) {
    const existing = await db
      .selectFrom('ledger_transfers')
      .selectAll()
      .where('tenant_id', '=', input.tenantId)
      .where('idempotency_key', '=', input.key)
      .executeTakeFirstOrThrow();
    const same =
      existing.debit_account_id === input.debitAccountId &&
      existing.credit_account_id === input.creditAccountId &&
      existing.amount === input.amount &&
      existing.currency === input.currency;
    if (!same) {
      throw new ApiError('conflict', `Transfer key ${input.key} was used for another transfer.`);
    }
    return { transfer: existing, created: false };
  }
  await insertLegs(db, inserted, input.pending ? 'pending' : 'posted', now);
  return { transfer: inserted, created: true };
}

const phaseOf = { posted: 'post', voided: 'void', expired: 'expire' } as const;

/**
 * Moves a pending transfer to `posted`, `voided` or `expired` — the whole
 * amount, once. Asking again for the state it is already in changes nothing
 * (`changed: false`); asking for another final state is refused.
 *
 * @example
 * const { changed } = await finishTransfer(trx, tenantId, transferId, 'posted', now);
 */
export async function finishTransfer(
  db: Kysely<DB>,
  tenantId: string,
  transferId: string,
  to: Exclude<TransferStatus, 'pending'>,
  now: Date,
): Promise<{ transfer: Row<'ledger_transfers'>; changed: boolean }> {
  const transfer = await db
    .selectFrom('ledger_transfers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', transferId)
    .forUpdate()
    .executeTakeFirst();
  if (!transfer)
    throw new ApiError('not_found', `No ledger transfer ${transferId} in this tenant.`);
  if (transfer.status === to) return { transfer, changed: false };
  if (transfer.status !== 'pending') {
    throw new ApiError(
      'invalid_state_transition',
      `The transfer is ${transfer.status}; only a pending transfer can become ${to}.`,
    );
  }
  await insertLegs(db, transfer, phaseOf[to], now);
  const updated = await db
    .updateTable('ledger_transfers')
    .set({ status: to, updated_at: now })
    .where('id', '=', transfer.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { transfer: updated, changed: true };
}

/**
 * An account's balance in its normal direction: posted, the net of pending
 * transfers, and available (posted less what pending transfers would take out).
 *
 * @example
 * toBalance(account).available; // 7000
 */
export function toBalance(account: Row<'ledger_accounts'>): LedgerBalance {
  const credit = account.normal_balance === 'credit';
  const sign = credit ? 1 : -1;
  const posted = sign * (account.credits_posted - account.debits_posted);
  const outgoing = credit ? account.debits_pending : account.credits_pending;
  return {
    accountId: account.id as `lac_${string}`,
    currency: account.currency,
    exponent: currencyExponent(account.currency),
    normalBalance: account.normal_balance,
    posted,
    pending: sign * (account.credits_pending - account.debits_pending),
    available: posted - outgoing,
    version: account.version,
  };
}

/**
 * The balance of the tenant's account, or 404.
 *
 * @example
 * await accountBalance(db, tenantId, 'lac_…');
 */
export async function accountBalance(
  db: Kysely<DB>,
  tenantId: string,
  accountId: string,
): Promise<LedgerBalance> {
  const account = await db
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!account) throw new ApiError('not_found', `No ledger account ${accountId} in this tenant.`);
  return toBalance(account);
}
