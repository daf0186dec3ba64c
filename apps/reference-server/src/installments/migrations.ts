/** Tables of the installments feature: one plan per invoice, its parts. */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

const statements = [
  sql`create table installment_plans (
    id text primary key,
    tenant_id text not null,
    invoice_id text not null unique,
    currency text not null,
    total bigint not null check (total > 0),
    paid_before bigint not null check (paid_before >= 0),
    created_at timestamptz not null
  )`,
  sql`create index installment_plans_tenant_idx on installment_plans (tenant_id, created_at, id)`,
  sql`create table installment_parts (
    id text primary key,
    tenant_id text not null,
    plan_id text not null references installment_plans (id),
    number integer not null check (number > 0),
    amount bigint not null check (amount > 0),
    due_date date not null,
    next_check_at timestamptz,
    overdue_at timestamptz,
    unique (plan_id, number)
  )`,
  sql`create index installment_parts_due_idx on installment_parts (next_check_at)
    where next_check_at is not null`,
];

/**
 * The installments feature's migrations.
 *
 * @example
 * const feature: Feature = { name: 'installments', migrations: installmentMigrations };
 */
export const installmentMigrations: Record<string, Migration> = {
  '0430-money-installments': {
    async up(db: AnyDb) {
      for (const statement of statements) await statement.execute(db);
    },
    async down(db: AnyDb) {
      await sql`drop table if exists installment_parts`.execute(db);
      await sql`drop table if exists installment_plans`.execute(db);
    },
  },
};
