/**
 * Contract cases for escrow: a captured payment held in tranches, a
 * milestone released once however often asked, a disputed tranche frozen,
 * the remainder voided, refunds only from voided money and never above the
 * payment, and the escrow account's ledger balance.
 */
import { expect } from 'vitest';
import { expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

const eur = (amount: number) => ({ amount, currency: 'EUR' });

/**
 * Cases for escrows and ledger balances.
 *
 * @example
 * for (const c of escrowCases) console.log(c.name, c.uses);
 */
export const escrowCases: ContractCase[] = [
  {
    name: 'escrows: hold, release once, dispute, void, refund never above the voided money',
    uses: [
      'patients.create',
      'invoices.create',
      'payments.create',
      'escrows.create',
      'escrows.get',
      'escrows.release',
      'escrows.dispute',
      'escrows.void',
      'escrows.refund',
      'ledgerAccounts.balance',
    ],
    async run({ client, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Arslan',
        externalRef: unique('esc'),
      });
      const invoice = await client.invoices.create({
        patientId: patient.id,
        currency: 'EUR',
        lines: [{ description: 'Package', quantity: 1, unitPrice: eur(9_000) }],
      });
      const payment = await client.payments.create({
        invoiceId: invoice.id,
        amount: eur(9_000),
        method: 'card',
        source: 'gateway',
      });
      await expectProblem(
        client.escrows.create({
          paymentId: payment.id,
          milestones: [{ code: 'admission', amount: eur(9_001) }],
        }),
        422,
        'unprocessable',
      );
      const held = await client.escrows.create({
        paymentId: payment.id,
        milestones: [
          { code: 'admission', amount: eur(2_000) },
          { code: 'surgery', amount: eur(5_000) },
          { code: 'discharge', amount: eur(2_000) },
        ],
      });
      expect(held).toMatchObject({ status: 'held', held: eur(9_000), released: eur(0) });
      expect(await client.escrows.get({ escrowId: held.id })).toEqual(held);

      const ids = { escrowId: held.id, milestone: 'admission' };
      const once = await client.escrows.release(ids, {});
      const twice = await client.escrows.release(ids, {});
      expect(once.released).toEqual(eur(2_000));
      expect(twice.released).toEqual(eur(2_000));

      const disputed = await client.escrows.dispute(
        { escrowId: held.id, milestone: 'surgery' },
        { reason: 'quality_of_care' },
      );
      expect(disputed.milestones.find((m) => m.code === 'surgery')?.status).toBe('disputed');
      await expectProblem(
        client.escrows.release({ escrowId: held.id, milestone: 'surgery' }, {}),
        409,
        'invalid_state_transition',
      );
      await expectProblem(
        client.escrows.refund({ escrowId: held.id }, { reference: 'early', amount: eur(1) }),
        422,
        'refund_exceeds_payment',
      );

      const voided = await client.escrows.void({ escrowId: held.id }, {});
      expect(voided).toMatchObject({ status: 'closed', released: eur(2_000), voided: eur(7_000) });
      await expectProblem(
        client.escrows.refund({ escrowId: held.id }, { reference: 'too_much', amount: eur(7_001) }),
        422,
        'refund_exceeds_payment',
      );
      const refunded = await client.escrows.refund(
        { escrowId: held.id },
        { reference: 'visa_rejected', amount: eur(7_000) },
      );
      const again = await client.escrows.refund(
        { escrowId: held.id },
        { reference: 'visa_rejected', amount: eur(7_000) },
      );
      expect(refunded.refunded).toEqual(eur(7_000));
      expect(again.refunds).toHaveLength(1);

      const balance = await client.ledgerAccounts.balance({ accountId: held.accountId });
      expect(balance).toMatchObject({
        accountId: held.accountId,
        currency: 'EUR',
        exponent: 2,
        normalBalance: 'credit',
        posted: 0,
        available: 0,
      });
    },
  },
];
