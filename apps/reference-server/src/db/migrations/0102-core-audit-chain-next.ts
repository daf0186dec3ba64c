/**
 * `audit_chain_next(tenant)`: takes the tenant's audit-chain lock for the
 * rest of the transaction and returns the next `chain_seq` and the hash it
 * chains from (issue 16). It is VOLATILE, so its own query starts after the
 * lock is held and sees the last committed row (the calling statement's
 * snapshot predates the lock); the audit append is then one statement
 * instead of a lock, a head read and an insert. It runs with the caller's
 * rights: the server's role only reads `audit_events` through it.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await sql`
    create or replace function audit_chain_next(tenant text) returns table (seq bigint, previous_hash text)
    language plpgsql volatile as $$
    declare
      head record;
    begin
      perform pg_advisory_xact_lock(hashtextextended('audit_chain:' || tenant, 0));
      select a.chain_seq, a.hash into head from audit_events a
        where a.tenant_id = tenant order by a.chain_seq desc limit 1;
      if found then
        return query select head.chain_seq::bigint + 1, head.hash::text;
      else
        return query select 1::bigint, ${sql.lit('0'.repeat(64))}::text;
      end if;
    end $$`.execute(db);
}

async function down(db: AnyDb): Promise<void> {
  await sql`drop function if exists audit_chain_next(text)`.execute(db);
}

/**
 * The migration adding `audit_chain_next`.
 *
 * @example
 * const migrations = { '0102-core-audit-chain-next': auditChainNextMigration };
 */
export const auditChainNextMigration: Migration = { up, down };
