/**
 * Contract cases for invoices, payments and refunds: totals computed with
 * `lineTax`, payments checked against the balance and the currency, refunds
 * against what is left of the payment.
 */
import { expect } from 'vitest';
import { lineTax } from '../../../contract/index.ts';
import { collect, expectProblem } from '../expect-problem.ts';
import type { CaseContext, ContractCase } from '../types.ts';

async function invoiceFor({ client, unique }: CaseContext) {
  const patient = await client.patients.create({
    givenName: 'Ada',
    familyName: 'Arslan',
    externalRef: unique('inv'),
  });
  const invoice = await client.invoices.create({
    patientId: patient.id,
    currency: 'EUR',
    dueDate: '2027-02-01',
    lines: [
      {
        description: 'Crown',
        quantity: 2,
        unitPrice: { amount: 12_345, currency: 'EUR' },
        taxRateBps: 1800,
      },
      {
        description: 'Anaesthesia',
        quantity: 3,
        unitPrice: { amount: 1_001, currency: 'EUR' },
        taxRateBps: 850,
      },
      { description: 'Report', quantity: 1, unitPrice: { amount: 500, currency: 'EUR' } },
    ],
  });
  return { patient, invoice };
}

/**
 * Cases for money.
 *
 * @example
 * for (const c of moneyCases) console.log(c.name, c.uses);
 */
export const moneyCases: ContractCase[] = [
  {
    name: 'invoices: totals per line with lineTax, get and list',
    uses: ['patients.create', 'invoices.create', 'invoices.get', 'invoices.list'],
    async run(ctx) {
      const { client } = ctx;
      const { patient, invoice } = await invoiceFor(ctx);
      const expected = [
        [24_690, lineTax(24_690, 1800)],
        [3_003, lineTax(3_003, 850)],
        [500, 0],
      ] as const;
      expected.forEach(([subtotal, tax], i) => {
        expect(invoice.lines[i]).toMatchObject({
          subtotal: { amount: subtotal, currency: 'EUR' },
          tax: { amount: tax, currency: 'EUR' },
          total: { amount: subtotal + tax, currency: 'EUR' },
        });
      });
      const subtotal = expected.reduce((a, [s]) => a + s, 0);
      const tax = expected.reduce((a, [, t]) => a + t, 0);
      expect(invoice).toMatchObject({
        status: 'open',
        currency: 'EUR',
        subtotal: { amount: subtotal, currency: 'EUR' },
        tax: { amount: tax, currency: 'EUR' },
        total: { amount: subtotal + tax, currency: 'EUR' },
        amountPaid: { amount: 0, currency: 'EUR' },
        balance: { amount: subtotal + tax, currency: 'EUR' },
      });
      expect(await client.invoices.get({ invoiceId: invoice.id })).toEqual(invoice);
      const listed = await collect(client.invoices.list({ patientId: patient.id }));
      expect(listed.map((i) => i.id)).toEqual([invoice.id]);
    },
  },
  {
    name: 'payments: never over the balance, never a partial capture, only in the invoice currency; paid at zero balance',
    uses: ['invoices.create', 'invoices.get', 'payments.create', 'payments.get', 'payments.list'],
    async run(ctx) {
      const { client } = ctx;
      const { invoice } = await invoiceFor(ctx);
      const total = invoice.total.amount;
      const pay = (amount: number, currency = 'EUR') =>
        client.payments.create({
          invoiceId: invoice.id,
          amount: { amount, currency },
          method: 'card',
          source: 'terminal',
        });

      await expectProblem(pay(100, 'TRY'), 422, 'currency_mismatch');
      await expectProblem(pay(total + 1), 422, 'payment_exceeds_balance');
      // Capturing less than the terminal authorised is a partial capture: refused, and
      // nothing recorded (the final list holds only the two payments below).
      await expectProblem(
        client.payments.create({
          invoiceId: invoice.id,
          amount: { amount: 500, currency: 'EUR' },
          authorizedAmount: { amount: 800, currency: 'EUR' },
          method: 'card',
          source: 'terminal',
        }),
        400,
        'validation_failed',
      );
      const first = await pay(1_000);
      expect(first).toMatchObject({
        invoiceId: invoice.id,
        amount: { amount: 1_000, currency: 'EUR' },
        status: 'succeeded',
      });
      expect(await client.payments.get({ paymentId: first.id })).toEqual(first);
      const partly = await client.invoices.get({ invoiceId: invoice.id });
      expect(partly).toMatchObject({
        status: 'open',
        amountPaid: { amount: 1_000 },
        balance: { amount: total - 1_000 },
      });

      await expectProblem(pay(total - 1_000 + 1), 422, 'payment_exceeds_balance');
      const rest = await pay(total - 1_000);
      const paid = await client.invoices.get({ invoiceId: invoice.id });
      expect(paid).toMatchObject({
        status: 'paid',
        amountPaid: { amount: total },
        balance: { amount: 0 },
      });
      await expectProblem(pay(1), 422, 'payment_exceeds_balance');
      const listed = await collect(client.payments.list({ invoiceId: invoice.id, limit: 1 }));
      expect(listed.map((p) => p.id).sort()).toEqual([first.id, rest.id].sort());
    },
  },
  {
    name: 'refunds: never more than is left of the payment',
    uses: ['payments.create', 'refunds.create', 'refunds.get', 'refunds.list', 'payments.get'],
    async run(ctx) {
      const { client } = ctx;
      const { invoice } = await invoiceFor(ctx);
      const payment = await client.payments.create({
        invoiceId: invoice.id,
        amount: { amount: 2_000, currency: 'EUR' },
        method: 'cash',
        source: 'manual',
      });
      const refund = (amount: number, currency = 'EUR') =>
        client.refunds.create({
          paymentId: payment.id,
          amount: { amount, currency },
          reason: 'Overcharge',
        });
      const first = await refund(1_500);
      expect(first).toMatchObject({
        paymentId: payment.id,
        invoiceId: invoice.id,
        amount: { amount: 1_500 },
      });
      expect(await client.refunds.get({ refundId: first.id })).toEqual(first);
      await expectProblem(refund(501), 422, 'refund_exceeds_payment');
      await expectProblem(refund(10, 'USD'), 422, 'currency_mismatch');
      await refund(500);
      expect(await client.payments.get({ paymentId: payment.id })).toMatchObject({
        amountRefunded: { amount: 2_000 },
        status: 'refunded',
      });
      const listed = await collect(client.refunds.list({ paymentId: payment.id }));
      expect(listed).toHaveLength(2);
    },
  },
];
