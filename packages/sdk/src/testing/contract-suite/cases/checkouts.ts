/**
 * Contract cases for gateway checkouts: checked against the invoice (UPI
 * only through Razorpay, never above the balance), `pending` until the
 * gateway's webhook settles it, and no refund before it succeeded. The
 * target must have the Stripe gateway configured (the reference server's
 * suite points it at the adapters' fake).
 */
import { expect } from 'vitest';
import { newId } from '../../../contract/index.ts';
import { expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

const eur = (amount: number) => ({ amount, currency: 'EUR' });

/**
 * Cases for checkouts.
 *
 * @example
 * for (const c of checkoutCases) console.log(c.name, c.uses);
 */
export const checkoutCases: ContractCase[] = [
  {
    name: 'checkouts: checked against the invoice, pending until the gateway settles, no early refund',
    uses: [
      'patients.create',
      'invoices.create',
      'checkouts.create',
      'checkouts.get',
      'checkouts.refund',
    ],
    async run({ client, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Arslan',
        externalRef: unique('chk'),
      });
      const invoice = await client.invoices.create({
        patientId: patient.id,
        currency: 'EUR',
        lines: [{ description: 'Package', quantity: 1, unitPrice: eur(9_000) }],
      });
      await expectProblem(
        client.checkouts.create({ invoiceId: invoice.id, gateway: 'stripe', method: 'upi' }),
        422,
        'unprocessable',
      );
      await expectProblem(
        client.checkouts.create({ invoiceId: invoice.id, gateway: 'stripe', amount: eur(9_001) }),
        422,
        'payment_exceeds_balance',
      );
      const checkout = await client.checkouts.create({
        invoiceId: invoice.id,
        gateway: 'stripe',
        amount: eur(4_000),
      });
      expect(checkout).toMatchObject({
        invoiceId: invoice.id,
        gateway: 'stripe',
        method: 'card',
        status: 'pending',
        amount: eur(4_000),
        amountRefunded: eur(0),
        paymentId: null,
        escrowId: null,
      });
      expect(checkout.clientSecret).toEqual(expect.any(String));
      expect(await client.checkouts.get({ checkoutId: checkout.id })).toEqual(checkout);
      await expectProblem(
        client.checkouts.refund(
          { checkoutId: checkout.id },
          { amount: eur(1), reason: 'duplicate' },
        ),
        409,
        'invalid_state_transition',
      );
      await expectProblem(client.checkouts.get({ checkoutId: newId('chk') }), 404, 'not_found');
    },
  },
];
