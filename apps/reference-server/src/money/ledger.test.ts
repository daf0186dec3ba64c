/**
 * The ledger's rules as the database keeps them (PGlite, or PostgreSQL with
 * TEST_DATABASE_URL): entries are append-only, account counters move only
 * through entries, a transfer leaves pending once, an unbalanced transfer
 * fails at commit, flagged accounts never go below their limit, transfer
 * keys are idempotent — and concurrency: 50 identical releases post once,
 * opposite transfers over the same accounts do not deadlock.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { issueInvoice } from '../invoices/service.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { createPatient } from '../patients/service.ts';
import { recordPayment } from '../payments/service.ts';
import { createTenant } from '../tenants/service.ts';
import { currencyExponent } from './currencies.ts';
import { holdEscrow, releaseMilestone } from './escrow.ts';
import { accountBalance, createTransfer, finishTransfer, openAccount } from './ledger.ts';
import { findLedgerViolations } from './verify.ts';

let database: TestDatabase;
let change: ChangeContext;
const now = new Date('2026-12-01T09:00:00Z');

beforeAll(async () => {
  database = await openTestDatabase();
  const { tenantId } = await createTenant(database.db, { name: 'Ledger clinic' });
  change = { tenantId, actor: { type: 'operator', id: 'test' }, requestId: null, now };
});
afterAll(() => database.close());

async function accounts(prefix: string) {
  const { tenantId } = change;
  const cash = await openAccount(
    database.db,
    { tenantId, code: `${prefix}:cash`, currency: 'EUR', normalBalance: 'debit' },
    now,
  );
  const held = await openAccount(
    database.db,
    {
      tenantId,
      code: `${prefix}:held`,
      currency: 'EUR',
      normalBalance: 'credit',
      flag: 'debits_must_not_exceed_credits',
    },
    now,
  );
  return { cash, held };
}

async function failure(work: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await work();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no failure';
}

describe('the database keeps the rules', () => {
  test('entries refuse UPDATE, DELETE and TRUNCATE; counters move only through entries', async () => {
    const { cash, held } = await accounts('rules');
    await database.db.transaction().execute((trx) =>
      createTransfer(
        trx,
        {
          tenantId: change.tenantId,
          key: 'rules:fund',
          debitAccountId: cash.id,
          creditAccountId: held.id,
          amount: 700,
          currency: 'EUR',
        },
        now,
      ),
    );
    const db = database.db;
    expect(await failure(() => sql`update ledger_entries set amount = 1`.execute(db))).toBe(
      '55000',
    );
    expect(await failure(() => sql`delete from ledger_entries`.execute(db))).toBe('55000');
    expect(await failure(() => sql`truncate ledger_entries cascade`.execute(db))).toBe('55000');
    expect(
      await failure(() =>
        sql`update ledger_accounts set credits_posted = 1000000 where id = ${held.id}`.execute(db),
      ),
    ).toBe('55000');
    expect(await failure(() => sql`delete from ledger_transfers`.execute(db))).toBe('55000');
    expect(
      await failure(() =>
        sql`update ledger_transfers set amount = 1 where idempotency_key = 'rules:fund'`.execute(
          db,
        ),
      ),
    ).toBe('55000');
    expect(await accountBalance(db, change.tenantId, held.id)).toMatchObject({
      posted: 700,
      pending: 0,
      available: 700,
      version: 1,
    });
  });

  test('a transfer whose entries do not sum to zero fails at commit', async () => {
    const { cash, held } = await accounts('unbalanced');
    const code = await failure(() =>
      database.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('ledger_transfers')
          .values({
            id: 'ltr_unbalanced00000000000000',
            tenant_id: change.tenantId,
            idempotency_key: 'unbalanced',
            debit_account_id: cash.id,
            credit_account_id: held.id,
            amount: 5,
            currency: 'EUR',
            status: 'posted',
            timeout_at: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await trx
          .insertInto('ledger_entries')
          .values({
            tenant_id: change.tenantId,
            transfer_id: 'ltr_unbalanced00000000000000',
            account_id: cash.id,
            phase: 'posted',
            side: 'debit',
            amount: 5,
            currency: 'EUR',
            created_at: now,
          })
          .execute();
      }),
    );
    expect(code).toBe('23514');
    expect(await findLedgerViolations(database.db)).toEqual([]);
  });

  test('a flagged account never goes below its limit, pending debits included', async () => {
    const { cash, held } = await accounts('flag');
    const move = (key: string, amount: number, pending: boolean) =>
      database.db.transaction().execute((trx) =>
        createTransfer(
          trx,
          {
            tenantId: change.tenantId,
            key,
            debitAccountId: held.id,
            creditAccountId: cash.id,
            amount,
            currency: 'EUR',
            pending,
          },
          now,
        ),
      );
    expect(await failure(() => move('flag:1', 1, false))).toBe('unprocessable');
    await database.db.transaction().execute((trx) =>
      createTransfer(
        trx,
        {
          tenantId: change.tenantId,
          key: 'flag:fund',
          debitAccountId: cash.id,
          creditAccountId: held.id,
          amount: 100,
          currency: 'EUR',
        },
        now,
      ),
    );
    const { transfer } = await move('flag:pending', 60, true);
    expect(await accountBalance(database.db, change.tenantId, held.id)).toMatchObject({
      posted: 100,
      pending: -60,
      available: 40,
    });
    expect(await failure(() => move('flag:2', 41, false))).toBe('unprocessable');
    await move('flag:3', 40, false);
    // Pending → posted once; a repeat changes nothing; voiding it afterwards is refused.
    const post = () =>
      database.db
        .transaction()
        .execute((trx) => finishTransfer(trx, change.tenantId, transfer.id, 'posted', now));
    expect((await post()).changed).toBe(true);
    expect((await post()).changed).toBe(false);
    expect(
      await failure(() =>
        database.db
          .transaction()
          .execute((trx) => finishTransfer(trx, change.tenantId, transfer.id, 'voided', now)),
      ),
    ).toBe('invalid_state_transition');
    expect(await accountBalance(database.db, change.tenantId, held.id)).toMatchObject({
      posted: 0,
      pending: 0,
      available: 0,
    });
    expect(await findLedgerViolations(database.db)).toEqual([]);
  });

  test('a transfer key takes effect once; the same key with other terms is a conflict', async () => {
    const { cash, held } = await accounts('keys');
    const make = (amount: number) =>
      database.db.transaction().execute((trx) =>
        createTransfer(
          trx,
          {
            tenantId: change.tenantId,
            key: 'keys:1',
            debitAccountId: cash.id,
            creditAccountId: held.id,
            amount,
            currency: 'EUR',
          },
          now,
        ),
      );
    const first = await make(10);
    const again = await make(10);
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.transfer.id).toBe(first.transfer.id);
    expect(await failure(() => make(11))).toBe('conflict');
    expect((await accountBalance(database.db, change.tenantId, held.id)).posted).toBe(10);
  });

  test('ISO 4217 exponents', () => {
    expect([currencyExponent('EUR'), currencyExponent('JPY'), currencyExponent('KWD')]).toEqual([
      2, 0, 3,
    ]);
  });
});

describe('concurrency', () => {
  test('50 concurrent identical releases post the tranche once', async () => {
    const escrow = await database.db.transaction().execute(async (trx) => {
      const patient = await createPatient(trx, change, { givenName: 'Ada', familyName: 'Race' });
      const invoice = await issueInvoice(trx, change, {
        patientId: patient.id,
        currency: 'EUR',
        lines: [
          { description: 'Package', quantity: 1, unitPrice: { amount: 900, currency: 'EUR' } },
        ],
      });
      const payment = await recordPayment(trx, change, {
        invoiceId: invoice.id,
        amount: { amount: 900, currency: 'EUR' },
        method: 'card',
        source: 'gateway',
      });
      return holdEscrow(trx, change, {
        paymentId: payment.id,
        milestones: [{ code: 'surgery', amount: { amount: 900, currency: 'EUR' } }],
      });
    });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        database.db
          .transaction()
          .execute((trx) => releaseMilestone(trx, change, escrow.id, 'surgery')),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const transferId = escrow.milestones[0]?.transferId ?? '';
    const posts = await database.db
      .selectFrom('ledger_entries')
      .select('id')
      .where('transfer_id', '=', transferId)
      .where('phase', '=', 'post')
      .execute();
    expect(posts).toHaveLength(2);
    const released = await database.db
      .selectFrom('events')
      .select('id')
      .where('entity_id', '=', escrow.id)
      .where('type', '=', 'escrow.released')
      .execute();
    expect(released).toHaveLength(1);
    expect(await findLedgerViolations(database.db)).toEqual([]);
  });

  test('transfers in opposite directions over the same accounts do not deadlock', async () => {
    const { cash, held } = await accounts('deadlock');
    await database.db.transaction().execute((trx) =>
      createTransfer(
        trx,
        {
          tenantId: change.tenantId,
          key: 'deadlock:fund',
          debitAccountId: cash.id,
          creditAccountId: held.id,
          amount: 1000,
          currency: 'EUR',
        },
        now,
      ),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        database.db.transaction().execute((trx) =>
          createTransfer(
            trx,
            {
              tenantId: change.tenantId,
              key: `deadlock:${i}`,
              debitAccountId: i % 2 ? cash.id : held.id,
              creditAccountId: i % 2 ? held.id : cash.id,
              amount: 1,
              currency: 'EUR',
            },
            now,
          ),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await accountBalance(database.db, change.tenantId, held.id)).posted).toBe(1000);
    expect(await findLedgerViolations(database.db)).toEqual([]);
  });
});
