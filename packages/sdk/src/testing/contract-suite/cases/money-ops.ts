/**
 * Contract cases for reconciliation and installment plans. A target may
 * have no payment gateway configured, so the reconciliation case reads and
 * refuses without running one; the installment case makes a plan over an
 * invoice and reads it back.
 */
import { expect } from 'vitest';
import { expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

const eur = (amount: number) => ({ amount, currency: 'EUR' });
const UNKNOWN_RUN = 'rcn_aaaaaaaaaaaaaaaaaaaaaaaaaa';
const UNKNOWN_BREAK = 'rcb_aaaaaaaaaaaaaaaaaaaaaaaaaa';

/**
 * Cases for reconciliation runs and breaks, and installment plans.
 *
 * @example
 * for (const c of moneyOpsCases) console.log(c.name, c.uses);
 */
export const moneyOpsCases: ContractCase[] = [
  {
    name: 'reconciliation: a period must be ordered; unknown runs and breaks are 404; breaks page',
    uses: [
      'reconciliationRuns.create',
      'reconciliationRuns.get',
      'reconciliationBreaks.list',
      'reconciliationBreaks.resolve',
    ],
    async run({ client }) {
      await expectProblem(
        client.reconciliationRuns.create({
          provider: 'stripe',
          from: '2026-12-02T00:00:00Z',
          to: '2026-12-01T00:00:00Z',
        }),
        400,
        'validation_failed',
      );
      await expectProblem(client.reconciliationRuns.get({ runId: UNKNOWN_RUN }), 404, 'not_found');
      await expectProblem(
        client.reconciliationBreaks.resolve({ breakId: UNKNOWN_BREAK }, { resolution: 'accepted' }),
        404,
        'not_found',
      );
      const page = await client.reconciliationBreaks.list({ status: 'open', limit: 5 }).page();
      expect(Array.isArray(page.data)).toBe(true);
    },
  },
  {
    name: 'installment plans: parts add up to the balance, read back as scheduled',
    uses: ['patients.create', 'invoices.create', 'installmentPlans.create', 'installmentPlans.get'],
    async run({ client, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Arslan',
        externalRef: unique('ipl'),
      });
      const invoice = await client.invoices.create({
        patientId: patient.id,
        currency: 'EUR',
        lines: [{ description: 'Treatment', quantity: 1, unitPrice: eur(9_000) }],
      });
      await expectProblem(
        client.installmentPlans.create({
          invoiceId: invoice.id,
          parts: [{ amount: eur(1_000), dueDate: '2099-01-01' }],
        }),
        422,
        'unprocessable',
      );
      const plan = await client.installmentPlans.create({
        invoiceId: invoice.id,
        parts: [
          { amount: eur(4_000), dueDate: '2099-01-01' },
          { amount: eur(5_000), dueDate: '2099-02-01' },
        ],
      });
      expect(plan).toMatchObject({ invoiceId: invoice.id, total: eur(9_000) });
      expect(plan.parts.map((p) => [p.number, p.amount.amount, p.dueDate, p.status])).toEqual([
        [1, 4_000, '2099-01-01', 'scheduled'],
        [2, 5_000, '2099-02-01', 'scheduled'],
      ]);
      expect(await client.installmentPlans.get({ planId: plan.id })).toEqual(plan);
    },
  },
];
