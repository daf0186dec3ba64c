/**
 * Tables of escrow payouts: the connected account each tenant's released
 * tranches are paid to, and one payout per released tranche (its primary
 * key is the tranche, so a tranche is paid out once however often the
 * release is asked).
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

const statements = [
  sql`create table escrow_payees (
    tenant_id text not null,
    provider text not null check (provider in ('stripe')),
    account_id text not null check (length(account_id) between 1 and 255),
    updated_at timestamptz not null,
    primary key (tenant_id, provider)
  )`,
  sql`create table escrow_payouts (
    id text primary key,
    tenant_id text not null,
    escrow_id text not null,
    milestone text not null,
    provider text not null,
    payee_account_id text not null,
    amount bigint not null check (amount > 0),
    currency text not null,
    status text not null check (status in ('pending', 'paid', 'failed')),
    provider_transfer_id text,
    attempts integer not null default 0,
    last_error text,
    next_check_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (escrow_id, milestone),
    foreign key (escrow_id, milestone) references escrow_milestones (escrow_id, code)
  )`,
  sql`create index escrow_payouts_due_idx on escrow_payouts (next_check_at) where status = 'pending'`,
];

async function up(db: AnyDb): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

async function down(db: AnyDb): Promise<void> {
  await sql`drop table if exists escrow_payouts`.execute(db);
  await sql`drop table if exists escrow_payees`.execute(db);
}

/**
 * The escrow payout migrations (after the money feature's own).
 *
 * @example
 * const migrations = { ...moneyMigrations, ...payoutMigrations };
 */
export const payoutMigrations: Record<string, Migration> = {
  '0401-escrow-payouts': { up, down },
};
