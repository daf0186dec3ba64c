/**
 * Checks the ledger's invariants from the stored rows alone, for tests and
 * for an operator who wants proof: every transfer balances per currency and
 * phase; no flagged account is over its limit; each account's counters
 * equal the sums of its entries, its version equals its entry count, and
 * its last entry's balances after are its current balances; a transfer's
 * entries match its status.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Every violation found, as a short description with ids (empty when the ledger is sound).
 *
 * @example
 * const problems = await findLedgerViolations(db); // []
 */
export async function findLedgerViolations(db: Kysely<DB>): Promise<string[]> {
  const problems: string[] = [];
  const unbalanced = await sql<{ transfer_id: string; currency: string; phase: string }>`
    select transfer_id, currency, phase from ledger_entries
    group by transfer_id, currency, phase
    having sum(case when side = 'debit' then amount else -amount end) <> 0`.execute(db);
  for (const r of unbalanced.rows) {
    problems.push(`transfer ${r.transfer_id} does not balance in ${r.currency} (${r.phase})`);
  }
  const over = await sql<{ id: string }>`
    select id from ledger_accounts
    where (debits_must_not_exceed_credits and debits_pending + debits_posted > credits_posted)
       or (credits_must_not_exceed_debits and credits_pending + credits_posted > debits_posted)`.execute(
    db,
  );
  for (const r of over.rows) problems.push(`account ${r.id} is over its limit`);
  const drifted = await sql<{ id: string }>`
    with sums as (
      select account_id,
        count(*) as n,
        coalesce(sum(amount) filter (where side = 'debit' and phase in ('posted', 'post')), 0) as dpo,
        coalesce(sum(case when phase = 'pending' then amount when phase in ('post', 'void', 'expire') then -amount else 0 end)
          filter (where side = 'debit'), 0) as dp,
        coalesce(sum(amount) filter (where side = 'credit' and phase in ('posted', 'post')), 0) as cpo,
        coalesce(sum(case when phase = 'pending' then amount when phase in ('post', 'void', 'expire') then -amount else 0 end)
          filter (where side = 'credit'), 0) as cp
      from ledger_entries group by account_id
    ), last as (
      select distinct on (account_id) account_id, account_version, posted_after, pending_after
      from ledger_entries order by account_id, id desc
    )
    select a.id from ledger_accounts a
    left join sums s on s.account_id = a.id
    left join last l on l.account_id = a.id
    where a.debits_posted <> coalesce(s.dpo, 0) or a.debits_pending <> coalesce(s.dp, 0)
       or a.credits_posted <> coalesce(s.cpo, 0) or a.credits_pending <> coalesce(s.cp, 0)
       or a.version <> coalesce(s.n, 0)
       or (l.account_id is not null and (
            l.account_version <> a.version
         or l.posted_after <> (case when a.normal_balance = 'credit' then 1 else -1 end) * (a.credits_posted - a.debits_posted)
         or l.pending_after <> (case when a.normal_balance = 'credit' then 1 else -1 end) * (a.credits_pending - a.debits_pending)))`.execute(
    db,
  );
  for (const r of drifted.rows)
    problems.push(`account ${r.id} differs from the sum of its entries`);
  const mismatched = await sql<{ id: string }>`
    select t.id from ledger_transfers t
    where (select array_agg(distinct e.phase order by e.phase) from ledger_entries e where e.transfer_id = t.id)
      is distinct from case t.status
        when 'posted' then (select case when exists (select 1 from ledger_entries p where p.transfer_id = t.id and p.phase = 'pending')
                                  then array['pending', 'post'] else array['posted'] end)
        when 'pending' then array['pending']
        when 'voided' then array['pending', 'void']
        when 'expired' then array['expire', 'pending']
      end
      or (select count(*) from ledger_entries e where e.transfer_id = t.id)
         <> (case when t.status = 'pending' or (t.status = 'posted' and not exists (
              select 1 from ledger_entries p where p.transfer_id = t.id and p.phase = 'pending')) then 2 else 4 end)`.execute(
    db,
  );
  for (const r of mismatched.rows)
    problems.push(`transfer ${r.id} has entries that do not match its status`);
  return problems;
}
