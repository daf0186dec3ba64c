/**
 * The checkout feature's table. The database keeps the money rules a bug
 * could break: one checkout per gateway reference, a final status never
 * changes, and refunds never exceed what was captured. Later: the index the
 * expiry job reads and the gateway payment that reached a closed checkout.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

const statements = [
  sql`create table checkouts (
    id text primary key,
    tenant_id text not null,
    invoice_id text not null,
    gateway text not null check (gateway in ('stripe', 'iyzico', 'razorpay')),
    method text not null check (method in ('card', 'upi')),
    amount bigint not null check (amount > 0),
    currency text not null,
    amount_refunded bigint not null default 0
      check (amount_refunded >= 0 and amount_refunded <= amount),
    status text not null check (status in ('pending', 'succeeded', 'failed', 'cancelled')),
    provider_ref text,
    provider_payment_id text,
    client_secret text,
    redirect_url text,
    payment_id text,
    escrow_id text,
    escrow_plan text,
    failure_code text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (gateway, provider_ref),
    check (amount_refunded = 0 or status = 'succeeded'),
    check ((status = 'succeeded') = (payment_id is not null))
  )`,
  sql`create index checkouts_tenant_idx on checkouts (tenant_id, created_at)`,
  // A final status is final: a late or replayed webhook cannot turn a failed
  // checkout into a charge, nor a succeeded one into a failure.
  sql`create function checkouts_final_status() returns trigger language plpgsql as $$
    begin
      if old.status <> 'pending' and new.status <> old.status then
        raise exception 'checkout % is % and cannot become %', old.id, old.status, new.status
          using errcode = '55000';
      end if;
      return new;
    end $$`,
  sql`create trigger checkouts_final_status before update on checkouts
    for each row execute function checkouts_final_status()`,
];

async function up(db: AnyDb): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

async function down(db: AnyDb): Promise<void> {
  await sql`drop table if exists checkouts`.execute(db);
  await sql`drop function if exists checkouts_final_status()`.execute(db);
}

// The expiry job reads pending checkouts by age; a success that reaches a
// closed checkout records the gateway's payment once, so it alerts once.
const expiryStatements = [
  sql`create index checkouts_pending_idx on checkouts (created_at) where status = 'pending'`,
  sql`alter table checkouts add column late_capture_ref text`,
];

async function upExpiry(db: AnyDb): Promise<void> {
  for (const statement of expiryStatements) await statement.execute(db);
}

async function downExpiry(db: AnyDb): Promise<void> {
  await sql`drop index if exists checkouts_pending_idx`.execute(db);
  await sql`alter table checkouts drop column if exists late_capture_ref`.execute(db);
}

// A refund the gateway answered as pending is finished by its later webhook:
// the gateway's refund id finds it, once.
const refundStatements = [
  sql`create table checkout_refunds (
    id text primary key,
    tenant_id text not null,
    checkout_id text not null references checkouts (id),
    gateway text not null,
    provider_refund_id text not null,
    amount bigint not null check (amount > 0),
    currency text not null,
    status text not null check (status in ('pending', 'succeeded', 'failed')),
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (gateway, provider_refund_id)
  )`,
  sql`create index checkout_refunds_checkout_idx on checkout_refunds (checkout_id)`,
];

async function upRefunds(db: AnyDb): Promise<void> {
  for (const statement of refundStatements) await statement.execute(db);
}

async function downRefunds(db: AnyDb): Promise<void> {
  await sql`drop table if exists checkout_refunds`.execute(db);
}

/**
 * The checkout feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'checkout', migrations: checkoutMigrations }];
 */
export const checkoutMigrations: Record<string, Migration> = {
  '0450-checkouts': { up, down },
  '0451-checkout-expiry': { up: upExpiry, down: downExpiry },
  '0452-checkout-refunds': { up: upRefunds, down: downRefunds },
};
