/**
 * Tables of the money feature: the double-entry ledger and the escrows on
 * top of it. The ledger's rules live in the database, so no code path can
 * skip them:
 * - an entry, on insert, updates its account's counters and version and
 *   records the balances before and after (trigger `ledger_entries_apply`);
 *   counters change only that way (`ledger_accounts_guard`);
 * - account flags are CHECK constraints: a "debits must not exceed credits"
 *   account can never have posted + pending debits above posted credits;
 * - a transfer's entries sum to zero per currency and phase, checked at
 *   commit (deferred constraint trigger `ledger_entries_balanced`);
 * - entries refuse UPDATE, DELETE and TRUNCATE; a transfer only moves from
 *   `pending` to `posted`, `voided` or `expired`, once, and is never deleted;
 * - one transfer per tenant and idempotency key (unique index).
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

const statements = [
  sql`create table ledger_accounts (
    id text primary key,
    tenant_id text not null,
    code text not null,
    currency text not null,
    normal_balance text not null check (normal_balance in ('debit', 'credit')),
    debits_must_not_exceed_credits boolean not null default false,
    credits_must_not_exceed_debits boolean not null default false,
    debits_pending bigint not null default 0 check (debits_pending >= 0),
    debits_posted bigint not null default 0 check (debits_posted >= 0),
    credits_pending bigint not null default 0 check (credits_pending >= 0),
    credits_posted bigint not null default 0 check (credits_posted >= 0),
    version bigint not null default 0,
    created_at timestamptz not null,
    unique (tenant_id, code),
    constraint ledger_accounts_one_flag
      check (not (debits_must_not_exceed_credits and credits_must_not_exceed_debits)),
    constraint ledger_accounts_debits_within_credits
      check (not debits_must_not_exceed_credits or debits_pending + debits_posted <= credits_posted),
    constraint ledger_accounts_credits_within_debits
      check (not credits_must_not_exceed_debits or credits_pending + credits_posted <= debits_posted)
  )`,
  sql`create table ledger_transfers (
    id text primary key,
    tenant_id text not null,
    idempotency_key text not null,
    debit_account_id text not null references ledger_accounts (id),
    credit_account_id text not null references ledger_accounts (id),
    amount bigint not null check (amount > 0),
    currency text not null,
    status text not null check (status in ('pending', 'posted', 'voided', 'expired')),
    timeout_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (tenant_id, idempotency_key),
    check (debit_account_id <> credit_account_id)
  )`,
  sql`create index ledger_transfers_timeout_idx on ledger_transfers (timeout_at)
    where status = 'pending' and timeout_at is not null`,
  sql`create table ledger_entries (
    id bigint generated always as identity primary key,
    tenant_id text not null,
    transfer_id text not null references ledger_transfers (id),
    account_id text not null references ledger_accounts (id),
    phase text not null check (phase in ('posted', 'pending', 'post', 'void', 'expire')),
    side text not null check (side in ('debit', 'credit')),
    amount bigint not null check (amount > 0),
    currency text not null,
    account_version bigint not null default 0,
    posted_before bigint not null default 0,
    posted_after bigint not null default 0,
    pending_before bigint not null default 0,
    pending_after bigint not null default 0,
    created_at timestamptz not null
  )`,
  sql`create index ledger_entries_account_idx on ledger_entries (account_id, id)`,
  sql`create index ledger_entries_transfer_idx on ledger_entries (transfer_id)`,

  // Applies an entry to its account: the one way account counters change.
  sql`create function ledger_entries_apply() returns trigger language plpgsql as $$
  declare
    a ledger_accounts%rowtype;
    dp bigint; dpo bigint; cp bigint; cpo bigint; sign bigint;
  begin
    select * into a from ledger_accounts where id = new.account_id for update;
    if not found or a.currency <> new.currency or a.tenant_id <> new.tenant_id then
      raise exception 'ledger entry does not match its account' using errcode = '23514';
    end if;
    dp := a.debits_pending; dpo := a.debits_posted; cp := a.credits_pending; cpo := a.credits_posted;
    if new.side = 'debit' then
      case new.phase
        when 'posted' then dpo := dpo + new.amount;
        when 'pending' then dp := dp + new.amount;
        when 'post' then dp := dp - new.amount; dpo := dpo + new.amount;
        else dp := dp - new.amount;
      end case;
    else
      case new.phase
        when 'posted' then cpo := cpo + new.amount;
        when 'pending' then cp := cp + new.amount;
        when 'post' then cp := cp - new.amount; cpo := cpo + new.amount;
        else cp := cp - new.amount;
      end case;
    end if;
    sign := case when a.normal_balance = 'credit' then 1 else -1 end;
    new.account_version := a.version + 1;
    new.posted_before := sign * (a.credits_posted - a.debits_posted);
    new.posted_after := sign * (cpo - dpo);
    new.pending_before := sign * (a.credits_pending - a.debits_pending);
    new.pending_after := sign * (cp - dp);
    perform set_config('ledger.applying', 'on', true);
    update ledger_accounts
      set debits_pending = dp, debits_posted = dpo, credits_pending = cp, credits_posted = cpo,
          version = a.version + 1
      where id = a.id;
    perform set_config('ledger.applying', 'off', true);
    return new;
  end $$`,
  sql`create trigger ledger_entries_apply before insert on ledger_entries
    for each row execute function ledger_entries_apply()`,

  // Account counters and identity change only through entries; accounts are never deleted.
  sql`create function ledger_accounts_guard() returns trigger language plpgsql as $$
  begin
    if tg_op <> 'UPDATE' then
      raise exception 'ledger accounts are never removed' using errcode = '55000';
    end if;
    if coalesce(current_setting('ledger.applying', true), 'off') <> 'on'
       or new.id <> old.id or new.tenant_id <> old.tenant_id or new.currency <> old.currency
       or new.normal_balance <> old.normal_balance then
      raise exception 'ledger account balances change only through entries' using errcode = '55000';
    end if;
    return new;
  end $$`,
  sql`create trigger ledger_accounts_guard before update or delete on ledger_accounts
    for each row execute function ledger_accounts_guard()`,
  sql`create trigger ledger_accounts_no_truncate before truncate on ledger_accounts
    for each statement execute function ledger_accounts_guard()`,

  // Entries are append-only.
  sql`create function ledger_entries_append_only() returns trigger language plpgsql as $$
  begin
    raise exception 'ledger_entries is append-only' using errcode = '55000';
  end $$`,
  sql`create trigger ledger_entries_no_update_delete before update or delete on ledger_entries
    for each row execute function ledger_entries_append_only()`,
  sql`create trigger ledger_entries_no_truncate before truncate on ledger_entries
    for each statement execute function ledger_entries_append_only()`,

  // A transfer leaves pending once, to posted, voided or expired; nothing else about it changes.
  sql`create function ledger_transfers_guard() returns trigger language plpgsql as $$
  begin
    if tg_op <> 'UPDATE' then
      raise exception 'ledger transfers are never removed' using errcode = '55000';
    end if;
    if old.status <> 'pending' or new.status not in ('posted', 'voided', 'expired')
       or (new.id, new.tenant_id, new.idempotency_key, new.debit_account_id, new.credit_account_id,
           new.amount, new.currency, new.created_at)
          is distinct from
          (old.id, old.tenant_id, old.idempotency_key, old.debit_account_id, old.credit_account_id,
           old.amount, old.currency, old.created_at) then
      raise exception 'a ledger transfer only leaves pending, once' using errcode = '55000';
    end if;
    return new;
  end $$`,
  sql`create trigger ledger_transfers_guard before update or delete on ledger_transfers
    for each row execute function ledger_transfers_guard()`,
  sql`create trigger ledger_transfers_no_truncate before truncate on ledger_transfers
    for each statement execute function ledger_transfers_guard()`,

  // At commit, every phase of every transfer touched sums to zero per currency.
  sql`create function ledger_entries_balanced() returns trigger language plpgsql as $$
  declare bad record;
  begin
    select currency, phase into bad from ledger_entries
      where transfer_id = new.transfer_id
      group by currency, phase
      having sum(case when side = 'debit' then amount else -amount end) <> 0
      limit 1;
    if found then
      raise exception 'ledger transfer % does not balance in %', new.transfer_id, bad.currency
        using errcode = '23514';
    end if;
    return null;
  end $$`,
  sql`create constraint trigger ledger_entries_balanced after insert on ledger_entries
    deferrable initially deferred
    for each row execute function ledger_entries_balanced()`,

  sql`create table escrows (
    id text primary key,
    tenant_id text not null,
    payment_id text not null unique,
    invoice_id text not null,
    account_id text not null references ledger_accounts (id),
    currency text not null,
    held bigint not null check (held > 0),
    expires_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
  )`,
  sql`create table escrow_milestones (
    escrow_id text not null references escrows (id),
    tenant_id text not null,
    code text not null,
    position integer not null,
    amount bigint not null check (amount > 0),
    status text not null check (status in ('held', 'disputed', 'released', 'voided', 'expired')),
    transfer_id text not null unique references ledger_transfers (id),
    dispute_reason text,
    released_at timestamptz,
    primary key (escrow_id, code)
  )`,
  sql`create table escrow_refunds (
    escrow_id text not null references escrows (id),
    tenant_id text not null,
    reference text not null,
    refund_id text not null,
    transfer_id text not null unique references ledger_transfers (id),
    amount bigint not null check (amount > 0),
    created_at timestamptz not null,
    primary key (escrow_id, reference)
  )`,
  sql`create index escrows_expiry_idx on escrows (expires_at) where expires_at is not null`,
];

async function up(db: AnyDb): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

async function down(db: AnyDb): Promise<void> {
  for (const table of ['escrow_refunds', 'escrow_milestones', 'escrows']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop table if exists ledger_entries, ledger_transfers, ledger_accounts cascade`.execute(
    db,
  );
  for (const fn of [
    'ledger_entries_apply',
    'ledger_accounts_guard',
    'ledger_entries_append_only',
    'ledger_transfers_guard',
    'ledger_entries_balanced',
  ]) {
    await sql`drop function if exists ${sql.raw(fn)}()`.execute(db);
  }
}

/**
 * The money feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'money', migrations: moneyMigrations }];
 */
export const moneyMigrations: Record<string, Migration> = {
  '0400-money-ledger-escrow': { up, down },
};
