/**
 * The subscriptions feature's tables. The database keeps the rules a bug
 * could break: one subscription per gateway reference, a cancelled one
 * stays cancelled, and one charge row per gateway charge and outcome (the
 * ledger's unique transfer key makes the posting once, besides).
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

const statements = [
  sql`create table subscriptions (
    id text primary key,
    tenant_id text not null,
    patient_id text not null,
    gateway text not null check (gateway in ('stripe', 'razorpay')),
    plan_id text not null,
    customer_ref text,
    amount bigint not null check (amount > 0),
    currency text not null,
    billing_interval text not null check (billing_interval in ('week', 'month', 'year')),
    status text not null check (status in ('active', 'past_due', 'cancelled')),
    cancel_at_period_end boolean not null default false,
    provider_ref text not null,
    periods_paid integer not null default 0 check (periods_paid >= 0),
    failure_code text,
    cancelled_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (gateway, provider_ref),
    check ((status = 'cancelled') = (cancelled_at is not null))
  )`,
  sql`create index subscriptions_tenant_idx on subscriptions (tenant_id, created_at, id)`,
  sql`create function subscriptions_final_status() returns trigger language plpgsql as $$
    begin
      if old.status = 'cancelled' and new.status <> 'cancelled' then
        raise exception 'subscription % is cancelled', old.id using errcode = '55000';
      end if;
      return new;
    end $$`,
  sql`create trigger subscriptions_final_status before update on subscriptions
    for each row execute function subscriptions_final_status()`,
  sql`create table subscription_charges (
    id text primary key,
    tenant_id text not null,
    subscription_id text not null references subscriptions (id),
    provider_charge_id text not null,
    outcome text not null check (outcome in ('paid', 'failed')),
    amount bigint check (amount > 0),
    currency text,
    transfer_id text,
    failure_code text,
    created_at timestamptz not null,
    unique (subscription_id, provider_charge_id, outcome),
    check ((outcome = 'paid') = (transfer_id is not null))
  )`,
];

async function up(db: AnyDb): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

async function down(db: AnyDb): Promise<void> {
  await sql`drop table if exists subscription_charges`.execute(db);
  await sql`drop table if exists subscriptions`.execute(db);
  await sql`drop function if exists subscriptions_final_status()`.execute(db);
}

/**
 * The subscriptions feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'subscriptions', migrations: subscriptionMigrations }];
 */
export const subscriptionMigrations: Record<string, Migration> = {
  '0530-money-subscriptions': { up, down },
};
