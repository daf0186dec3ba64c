import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { invoiceBody, patientBody } from '../../test/helpers/fixtures.ts';

let t: TestApp;
let token: string;
let patientId: string;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
  token = t.tenants[0]?.apiKey ?? '';
  patientId = (
    await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() }),
    )
  ).id;
});
afterAll(() => t.close());

interface Money {
  amount: number;
  currency: string;
}
type InvoiceView = {
  id: string;
  total: Money;
  balance: Money;
  status: string;
  lines: { subtotal: Money; tax: Money }[];
};

async function invoice(): Promise<InvoiceView> {
  const res = await call(t.app, 'POST', '/api/v1/invoices', {
    token,
    body: invoiceBody(patientId),
  });
  expect(res.status).toBe(201);
  return json<InvoiceView>(res);
}

const pay = (
  invoiceId: string,
  amount: number,
  currency = 'EUR',
  extra: Record<string, unknown> = {},
) =>
  call(t.app, 'POST', '/api/v1/payments', {
    token,
    body: { invoiceId, amount: { amount, currency }, method: 'card', source: 'terminal', ...extra },
  });

describe('invoices', () => {
  test('totals use lineTax per line', async () => {
    const inv = await invoice();
    expect(inv.lines[0]).toMatchObject({ subtotal: { amount: 20_010 }, tax: { amount: 3602 } });
    expect(inv.total).toEqual({ amount: 20_010 + 3602 + 333, currency: 'EUR' });
    expect(inv.balance).toEqual(inv.total);
    expect(inv.status).toBe('open');
  });

  test('lines in another currency are a validation error', async () => {
    const body = invoiceBody(patientId, { currency: 'TRY' });
    const res = await call(t.app, 'POST', '/api/v1/invoices', { token, body });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('validation_failed');
  });
});

describe('payments', () => {
  test('reduce the balance, never below zero, in the invoice currency only', async () => {
    const inv = await invoice();
    expect((await json(await pay(inv.id, 100, 'TRY'))).code).toBe('currency_mismatch');
    const over = await pay(inv.id, inv.total.amount + 1);
    expect(over.status).toBe(422);
    expect((await json(over)).code).toBe('payment_exceeds_balance');
    expect((await pay(inv.id, 945)).status).toBe(201);
    expect((await pay(inv.id, inv.total.amount - 945)).status).toBe(201);
    const paid = await json(await call(t.app, 'GET', `/api/v1/invoices/${inv.id}`, { token }));
    expect(paid).toMatchObject({ status: 'paid', balance: { amount: 0 } });
    expect((await json(await pay(inv.id, 1))).code).toBe('payment_exceeds_balance');
    const events = await json<{ data: { type: string; data: { invoiceBalance: Money } }[] }>(
      await call(t.app, 'GET', '/api/v1/events?type=payment.received&limit=1', { token }),
    );
    expect(events.data[0]?.data.invoiceBalance).toEqual({ amount: 0, currency: 'EUR' });
  });

  test('a partial capture (amount ≠ authorizedAmount) is refused', async () => {
    const inv = await invoice();
    const res = await pay(inv.id, 500, 'EUR', {
      authorizedAmount: { amount: 600, currency: 'EUR' },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      expect.objectContaining({
        path: 'body.amount',
        message: expect.stringContaining('partial capture'),
      }),
    ]);
  });

  test('concurrent payments never take the balance below zero', async () => {
    const inv = await invoice();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => pay(inv.id, Math.ceil(inv.total.amount / 3))),
    );
    const accepted = results.filter((r) => r.status === 201).length;
    expect(accepted).toBe(3 - (Math.ceil(inv.total.amount / 3) * 3 > inv.total.amount ? 1 : 0));
    const after = await json<InvoiceView>(
      await call(t.app, 'GET', `/api/v1/invoices/${inv.id}`, { token }),
    );
    expect(after.balance.amount).toBeGreaterThanOrEqual(0);
  });

  test('refunds never exceed what is left of the payment', async () => {
    const inv = await invoice();
    const payment = await json<{ id: string }>(await pay(inv.id, 1000, 'EUR'));
    const refund = (amount: number) =>
      call(t.app, 'POST', '/api/v1/refunds', {
        token,
        body: { paymentId: payment.id, amount: { amount, currency: 'EUR' }, reason: 'overcharge' },
      });
    expect((await refund(600)).status).toBe(201);
    const over = await refund(401);
    expect(over.status).toBe(422);
    expect((await json(over)).code).toBe('refund_exceeds_payment');
    expect((await refund(400)).status).toBe(201);
    const after = await json(await call(t.app, 'GET', `/api/v1/payments/${payment.id}`, { token }));
    expect(after).toMatchObject({ status: 'refunded', amountRefunded: { amount: 1000 } });
    const refunds = await json<{ data: unknown[] }>(
      await call(t.app, 'GET', `/api/v1/refunds?paymentId=${payment.id}`, { token }),
    );
    expect(refunds.data).toHaveLength(2);
    const invAfter = await json(await call(t.app, 'GET', `/api/v1/invoices/${inv.id}`, { token }));
    expect(invAfter).toMatchObject({
      amountPaid: { amount: 1000 },
      amountRefunded: { amount: 1000 },
    });
  });
});
