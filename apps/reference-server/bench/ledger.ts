/**
 * Benchmark: two-leg ledger transfers posted per second on PostgreSQL, at
 * one and at ten concurrent connections, against a bare INSERT of the same
 * rows (the transfer and its two entries, one transaction per transfer) into
 * copies of the tables with their columns, defaults and NOT NULLs but no
 * triggers, keys, checks or indexes, in the same
 * run. The ledger's cost over the bare rows is its rules: the accounts locked
 * in id order, the entry trigger updating the counters and recording the
 * balances, the deferred balance check, the unique idempotency key.
 * Each worker posts between its own two accounts (no hot account); a last
 * case sends all ten workers through one pair, where the account locks
 * serialise them. p99 is the latency of one transfer's transaction.
 * Goal: ≥ 0.5 of the bare rate at ten connections.
 * Run: `pnpm --filter @clinicbridge/reference-server bench:ledger`.
 */
import { newId } from '@clinicbridge/sdk/contract';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import { createTransfer, openAccount } from '../src/money/ledger.ts';
import { fmt, openBenchDatabase, percentile, postgresAnswers } from './delivery-lib.ts';

const PER_WORKER = Number(process.env.BENCH_LEDGER_TRANSFERS ?? 400);
const RATIO_GOAL = 0.5;
const TENANT = 'ten_benchledger00000000';

interface Result {
  transfers: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpuMicrosPerTransfer: number;
}

/** `workers` loops, each running `perWorker` transactions of `one(worker, i)` back to back. */
async function drive(
  db: Kysely<DB>,
  workers: number,
  perWorker: number,
  one: (trx: Kysely<DB>, worker: number, i: number) => Promise<unknown>,
): Promise<Result> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < perWorker; i++) {
        const t0 = performance.now();
        await db.transaction().execute((trx) => one(trx, w, i));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  const used = process.cpuUsage(cpu);
  const transfers = workers * perWorker;
  return {
    transfers,
    perSecond: transfers / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMicrosPerTransfer: (used.user + used.system) / transfers,
  };
}

function line(name: string, r: Result, base?: Result, goal?: number) {
  const ratio = base ? r.perSecond / base.perSecond : undefined;
  const verdict =
    ratio !== undefined && goal !== undefined ? (ratio >= goal ? ' ok' : ' MISS') : '';
  console.log(
    `| ${name} | ${fmt(r.perSecond)} | ${fmt(r.p50, 2)} ms | ${fmt(r.p99, 2)} ms | ${fmt(r.cpuMicrosPerTransfer)} µs | ${
      ratio === undefined
        ? 'baseline'
        : `${fmt(ratio * 100)}%${goal === undefined ? '' : ` (goal ≥ ${goal * 100}%)${verdict}`}`
    } |`,
  );
}

if (!(await postgresAnswers())) {
  console.log('Ledger benchmark: PostgreSQL does not answer; set BENCH_DATABASE_URL. Skipped.');
  process.exit(0);
}

const database = await openBenchDatabase('postgres');
const db = database.db;
const now = new Date();
await sql`create table bare_transfers (like ledger_transfers including defaults)`.execute(db);
await sql`create table bare_entries (like ledger_entries including defaults including identity)`.execute(
  db,
);
const bare = db as unknown as Kysely<{
  bare_transfers: DB['ledger_transfers'];
  bare_entries: DB['ledger_entries'];
}>;

const pairs = await Promise.all(
  Array.from({ length: 10 }, async (_, w) => {
    const spec = { tenantId: TENANT, currency: 'EUR' } as const;
    const from = await openAccount(
      db,
      { ...spec, code: `bench:from:${w}`, normalBalance: 'debit' },
      now,
    );
    const to = await openAccount(
      db,
      { ...spec, code: `bench:to:${w}`, normalBalance: 'credit' },
      now,
    );
    return { from: from.id, to: to.id };
  }),
);

let run = 0;
const ledgerCase = (pairOf: (worker: number) => { from: string; to: string }) => {
  const prefix = `r${++run}`;
  return (trx: Kysely<DB>, w: number, i: number) => {
    const pair = pairOf(w);
    return createTransfer(
      trx,
      {
        tenantId: TENANT,
        key: `${prefix}:${w}:${i}`,
        debitAccountId: pair.from,
        creditAccountId: pair.to,
        amount: 1_000 + i,
        currency: 'EUR',
      },
      now,
    );
  };
};
const bareCase = () => {
  const prefix = `r${++run}`;
  return async (trx: Kysely<DB>, w: number, i: number) => {
    const pair = pairs[w] as { from: string; to: string };
    const id = newId('ltr');
    const t = trx as unknown as typeof bare;
    await t
      .insertInto('bare_transfers')
      .values({
        id,
        tenant_id: TENANT,
        idempotency_key: `${prefix}:${w}:${i}`,
        debit_account_id: pair.from,
        credit_account_id: pair.to,
        amount: 1_000 + i,
        currency: 'EUR',
        status: 'posted',
        timeout_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const leg = (accountId: string, side: 'debit' | 'credit') => ({
      tenant_id: TENANT,
      transfer_id: id,
      account_id: accountId,
      phase: 'posted' as const,
      side,
      amount: 1_000 + i,
      currency: 'EUR',
      created_at: now,
    });
    for (const row of [leg(pair.from, 'debit'), leg(pair.to, 'credit')]) {
      await t.insertInto('bare_entries').values(row).execute();
    }
  };
};

// Warm-up: JIT, pool connections, plans.
await drive(
  db,
  10,
  20,
  ledgerCase((w) => pairs[w] as { from: string; to: string }),
);
await drive(db, 10, 20, bareCase());

const bare1 = await drive(db, 1, PER_WORKER, bareCase());
const ledger1 = await drive(
  db,
  1,
  PER_WORKER,
  ledgerCase(() => pairs[0] as { from: string; to: string }),
);
const bare10 = await drive(db, 10, PER_WORKER, bareCase());
const ledger10 = await drive(
  db,
  10,
  PER_WORKER,
  ledgerCase((w) => pairs[w] as { from: string; to: string }),
);
const hot10 = await drive(
  db,
  10,
  PER_WORKER,
  ledgerCase(() => pairs[0] as { from: string; to: string }),
);

const violations = await sql<{ n: number }>`
  select count(*)::int as n from ledger_accounts a
  where a.tenant_id = ${TENANT}
    and a.debits_posted <> coalesce((select sum(amount) from ledger_entries e where e.account_id = a.id and e.side = 'debit'), 0)`.execute(
  db,
);
await database.close();

console.log(
  `Ledger on PostgreSQL: two-leg posted transfers, one transaction each, ${PER_WORKER} per connection; Node ${process.version}`,
);
console.log('');
console.log(
  '| case | transfers/s | p50 | p99 | CPU per transfer (this process) | vs bare INSERT |',
);
console.log('|---|---:|---:|---:|---:|---|');
line('bare INSERT of the same rows, 1 connection', bare1);
line('ledger createTransfer, 1 connection', ledger1, bare1);
line('bare INSERT of the same rows, 10 connections', bare10);
line('ledger createTransfer, 10 connections', ledger10, bare10, RATIO_GOAL);
line('ledger, 10 connections on one account pair', hot10, bare10);
console.log('');
console.log(
  `Accounts whose posted debits differ from the sum of their debit entries: ${violations.rows[0]?.n ?? '?'}`,
);
