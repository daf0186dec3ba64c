/**
 * Model-based test of the ledger and escrow (fast-check commands): random
 * sequences of hold, release (one milestone's tranche at a time — a partial
 * release of the escrow is a release of some of its tranches), a retried
 * release, dispute, void, expiry, refund, a refund retried with the same
 * reference, and a direct refund of the funding payment, against the
 * services on the test database (PGlite, or PostgreSQL with
 * TEST_DATABASE_URL). After every step: every transfer balances; no flagged
 * account is over its limit; released + voided ≤ held and refunded ≤ voided
 * (refunds draw on voided money, so released + voided-not-refunded +
 * refunded ≤ held); refunded ≤ captured; one effect per key; the ledger's
 * balances equal the sum of its entries; the escrow equals the model.
 */
import { newId } from '@clinicbridge/sdk/contract';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { issueInvoice } from '../invoices/service.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { createPatient } from '../patients/service.ts';
import { issueRefund, recordPayment } from '../payments/service.ts';
import { createTenant } from '../tenants/service.ts';
import {
  disputeMilestone,
  getEscrow,
  holdEscrow,
  refundEscrow,
  releaseMilestone,
  voidEscrow,
} from './escrow.ts';
import { expireStaleEscrows } from './expiry.ts';
import { findLedgerViolations } from './verify.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const CAPTURED = 10_000;
const EXPIRES = new Date('2027-01-01T00:00:00Z');
const codes = ['admission', 'surgery', 'discharge'] as const;

type Tranche = { amount: number; status: 'held' | 'disputed' | 'released' | 'voided' | 'expired' };
interface Model {
  tranches: Map<string, Tranche>;
  refunds: Map<string, number>;
  paymentRefunded: number;
  releasedEvents: number;
}
interface Real {
  escrowId: string;
  paymentId: string;
  change: ChangeContext;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const voidedOf = (m: Model) =>
  sum(
    [...m.tranches.values()]
      .filter((t) => t.status === 'voided' || t.status === 'expired')
      .map((t) => t.amount),
  );
const releasedOf = (m: Model) =>
  sum([...m.tranches.values()].filter((t) => t.status === 'released').map((t) => t.amount));

let clock = Date.parse('2026-12-01T00:00:00Z');
function step(real: Real): ChangeContext {
  clock += 1000;
  return { ...real.change, now: new Date(clock) };
}

/** Runs `work` in a transaction; resolves to the API error code it threw, or null. */
async function attempt(
  work: (trx: typeof database.db) => Promise<unknown>,
): Promise<string | null> {
  try {
    await database.db.transaction().execute(work);
    return null;
  } catch (error) {
    const code = (error as { code?: string; name?: string }).code;
    if ((error as { name?: string }).name !== 'ApiError') throw error;
    return code ?? 'unknown';
  }
}

async function checkAll(m: Model, r: Real): Promise<void> {
  expect(await findLedgerViolations(database.db)).toEqual([]);
  const escrow = await getEscrow(database.db, r.change.tenantId, r.escrowId);
  const held = sum([...m.tranches.values()].map((t) => t.amount));
  expect(escrow.held.amount).toBe(held);
  expect(escrow.released.amount).toBe(releasedOf(m));
  expect(escrow.voided.amount).toBe(voidedOf(m));
  expect(escrow.refunded.amount).toBe(sum(m.refunds.values()));
  expect(escrow.released.amount + escrow.voided.amount).toBeLessThanOrEqual(held);
  expect(escrow.refunded.amount).toBeLessThanOrEqual(escrow.voided.amount);
  for (const milestone of escrow.milestones) {
    expect(milestone.status).toBe(m.tranches.get(milestone.code)?.status);
  }
  const payment = await database.db
    .selectFrom('payments')
    .select(['amount', 'amount_refunded'])
    .where('id', '=', r.paymentId)
    .executeTakeFirstOrThrow();
  expect(payment.amount_refunded).toBe(m.paymentRefunded + sum(m.refunds.values()));
  expect(payment.amount_refunded).toBeLessThanOrEqual(payment.amount);
  // One effect per key: one released event per released tranche, one refund row per reference.
  const events = await database.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('entity_id', '=', r.escrowId)
    .where('type', '=', 'escrow.released')
    .executeTakeFirstOrThrow();
  expect(Number(events.n)).toBe(m.releasedEvents);
  expect(escrow.refunds.map((x) => x.reference).sort()).toEqual([...m.refunds.keys()].sort());
}

class Release implements fc.AsyncCommand<Model, Real> {
  readonly code: string;
  constructor(code: string) {
    this.code = code;
  }
  check = (m: Model) => m.tranches.has(this.code);
  async run(m: Model, r: Real) {
    const tranche = m.tranches.get(this.code)!;
    const error = await attempt((trx) => releaseMilestone(trx, step(r), r.escrowId, this.code));
    if (tranche.status === 'held') {
      expect(error).toBeNull();
      tranche.status = 'released';
      m.releasedEvents++;
    } else if (tranche.status === 'released') {
      expect(error).toBeNull(); // a retry: no second posting
    } else {
      expect(error).toBe('invalid_state_transition');
    }
    await checkAll(m, r);
  }
  toString = () => `release(${this.code})`;
}

class Dispute implements fc.AsyncCommand<Model, Real> {
  readonly code: string;
  constructor(code: string) {
    this.code = code;
  }
  check = (m: Model) => m.tranches.has(this.code);
  async run(m: Model, r: Real) {
    const tranche = m.tranches.get(this.code)!;
    const error = await attempt((trx) =>
      disputeMilestone(trx, step(r), r.escrowId, this.code, 'quality_of_care'),
    );
    if (tranche.status === 'held' || tranche.status === 'disputed') {
      expect(error).toBeNull();
      tranche.status = 'disputed';
    } else {
      expect(error).toBe('invalid_state_transition');
    }
    await checkAll(m, r);
  }
  toString = () => `dispute(${this.code})`;
}

class Void implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    expect(await attempt((trx) => voidEscrow(trx, step(r), r.escrowId))).toBeNull();
    for (const t of m.tranches.values()) {
      if (t.status === 'held' || t.status === 'disputed') t.status = 'voided';
    }
    await checkAll(m, r);
  }
  toString = () => 'void';
}

class Expire implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    await expireStaleEscrows(database.db, new Date(EXPIRES.getTime() + 1000));
    for (const t of m.tranches.values()) if (t.status === 'held') t.status = 'expired';
    await checkAll(m, r);
  }
  toString = () => 'expire';
}

class Refund implements fc.AsyncCommand<Model, Real> {
  readonly reference: string;
  readonly amount: number;
  constructor(reference: string, amount: number) {
    this.reference = reference;
    this.amount = amount;
  }
  check = () => true;
  async run(m: Model, r: Real) {
    const error = await attempt((trx) =>
      refundEscrow(trx, step(r), r.escrowId, {
        reference: this.reference,
        amount: { amount: this.amount, currency: 'EUR' },
      }),
    );
    const earlier = m.refunds.get(this.reference);
    const refundable = Math.min(
      voidedOf(m) - sum(m.refunds.values()),
      CAPTURED - m.paymentRefunded - sum(m.refunds.values()),
    );
    if (earlier !== undefined) {
      expect(error).toBe(earlier === this.amount ? null : 'conflict');
    } else if (this.amount > refundable) {
      // Above the voided money left (escrow) or above what is left of the payment (payments).
      expect(error).toBe('refund_exceeds_payment');
    } else {
      expect(error).toBeNull();
      m.refunds.set(this.reference, this.amount);
    }
    await checkAll(m, r);
  }
  toString = () => `refund(${this.reference}, ${this.amount})`;
}

class RefundPayment implements fc.AsyncCommand<Model, Real> {
  readonly amount: number;
  constructor(amount: number) {
    this.amount = amount;
  }
  check = () => true;
  async run(m: Model, r: Real) {
    const error = await attempt((trx) =>
      issueRefund(trx, step(r), {
        paymentId: r.paymentId,
        amount: { amount: this.amount, currency: 'EUR' },
        reason: 'model',
      }),
    );
    const left = CAPTURED - m.paymentRefunded - sum(m.refunds.values());
    if (this.amount <= left) {
      expect(error).toBeNull();
      m.paymentRefunded += this.amount;
    } else {
      expect(error).toBe('refund_exceeds_payment');
    }
    await checkAll(m, r);
  }
  toString = () => `refundPayment(${this.amount})`;
}

const code = fc.constantFrom(...codes);
const reference = fc.constantFrom('visa_rejected', 'goodwill');
const commands = [
  code.map((c) => new Release(c)),
  code.map((c) => new Release(c)),
  code.map((c) => new Dispute(c)),
  fc.constant(new Void()),
  fc.constant(new Expire()),
  fc.tuple(reference, fc.integer({ min: 1, max: 4_000 })).map(([ref, n]) => new Refund(ref, n)),
  fc.integer({ min: 1, max: 3_000 }).map((n) => new RefundPayment(n)),
];

async function fundedPayment(change: ChangeContext): Promise<string> {
  return database.db.transaction().execute(async (trx) => {
    const patient = await createPatient(trx, change, { givenName: 'Ada', familyName: 'Model' });
    const invoice = await issueInvoice(trx, change, {
      patientId: patient.id,
      currency: 'EUR',
      lines: [
        { description: 'Package', quantity: 1, unitPrice: { amount: CAPTURED, currency: 'EUR' } },
      ],
    });
    const payment = await recordPayment(trx, change, {
      invoiceId: invoice.id,
      amount: { amount: CAPTURED, currency: 'EUR' },
      method: 'card',
      source: 'gateway',
    });
    return payment.id;
  });
}

test('random sequences of escrow operations keep every ledger and escrow invariant', async () => {
  const tranches = fc.tuple(
    fc.integer({ min: 1, max: 3_000 }),
    fc.integer({ min: 1, max: 3_000 }),
    fc.integer({ min: 1, max: 3_000 }),
  );
  await fc.assert(
    fc.asyncProperty(
      tranches,
      fc.commands(commands, { maxCommands: 12 }),
      async (amounts, cmds) => {
        const { tenantId } = await createTenant(database.db, { name: 'Model clinic' });
        const change: ChangeContext = {
          tenantId,
          actor: { type: 'operator', id: 'model' },
          requestId: null,
          now: new Date(clock),
        };
        const paymentId = await fundedPayment(change);
        const escrow = await database.db.transaction().execute((trx) =>
          holdEscrow(trx, change, {
            paymentId,
            expiresAt: EXPIRES.toISOString(),
            milestones: codes.map((c, i) => ({
              code: c,
              amount: { amount: amounts[i] ?? 1, currency: 'EUR' },
            })),
          }),
        );
        const model: Model = {
          tranches: new Map(codes.map((c, i) => [c, { amount: amounts[i] ?? 1, status: 'held' }])),
          refunds: new Map(),
          paymentRefunded: 0,
          releasedEvents: 0,
        };
        await fc.asyncModelRun(
          () => ({ model, real: { escrowId: escrow.id, paymentId, change } }),
          cmds,
        );
      },
    ),
    { numRuns: 12 },
  );
}, 120_000);

test('a second hold of the same payment, or one above what was captured, is refused', async () => {
  const { tenantId } = await createTenant(database.db, { name: 'Holds' });
  const change: ChangeContext = {
    tenantId,
    actor: { type: 'operator', id: 'model' },
    requestId: null,
    now: new Date(),
  };
  const paymentId = await fundedPayment(change);
  const hold = (amount: number) =>
    attempt((trx) =>
      holdEscrow(trx, change, {
        paymentId,
        milestones: [{ code: 'surgery', amount: { amount, currency: 'EUR' } }],
      }),
    );
  expect(await hold(CAPTURED + 1)).toBe('unprocessable');
  expect(await hold(CAPTURED)).toBeNull();
  expect(await hold(1)).toBe('conflict');
  expect(
    await attempt((trx) => holdEscrow(trx, change, { paymentId: newId('pay'), milestones: [] })),
  ).toBe('not_found');
  expect(await findLedgerViolations(database.db)).toEqual([]);
});
