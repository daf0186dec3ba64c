/** The e-Fatura REST adapter against the fake integrator: conformance, wire shape, key errors, error mapping. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { describeEInvoicingConformance } from '../ports/__fixtures__/einvoicing.case.ts';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { EFATURA_API, FakeEFatura } from '../testing/efatura.ts';
import { createEFaturaRestInvoicing, mapEFaturaError } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

const build = (fake: FakeEFatura, apiKey = fake.apiKey) => {
  const sink = new InMemoryManualTaskSink();
  return {
    einvoicing: createEFaturaRestInvoicing({ apiKey, sink, policies: fast }),
    sink,
  };
};

describeEInvoicingConformance({
  name: 'efatura-rest',
  apiUrl: `${EFATURA_API}/v1/invoices`,
  setup() {
    const fake = new FakeEFatura();
    const { einvoicing, sink } = build(fake);
    return {
      einvoicing,
      handlers: fake.handlers(),
      sink,
      decide: (ettn, outcome) => fake.decide(ettn, outcome),
      invoiceCount: () => fake.invoices.size,
      requests: () => fake.requests,
    };
  },
});

describe('efatura-rest specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const ettn = '5d0c3a4e-2b1f-4c6d-8e9a-0f1b2c3d4e5f';
  const submission = {
    invoiceRef: 'inv_9',
    ettn,
    issueDate: '2026-12-01',
    currency: 'TRY',
    buyerTaxId: '12345678901',
    lines: [
      {
        label: 'Dental implant',
        quantity: 2,
        unitPriceMinor: 1_250_000,
        vatRatePercent: 10 as const,
      },
    ],
  };

  test('the invoice goes in the documented wire shape, with an idempotency key per ETTN', async () => {
    const fake = new FakeEFatura();
    server.use(...fake.handlers());
    await build(fake).einvoicing.submit(submission);
    expect(fake.invoices.get(ettn)?.body).toEqual({
      ettn,
      reference: 'inv_9',
      profile: 'TEMELFATURA',
      issue_date: '2026-12-01',
      currency: 'TRY',
      buyer: { tax_id: '12345678901' },
      lines: [{ name: 'Dental implant', quantity: 2, unit_price: 1_250_000, vat_rate: 10 }],
    });
  });

  test('a wrong key is auth_failed and no manual task; an ETTN reused for another invoice a conflict', async () => {
    const fake = new FakeEFatura();
    server.use(...fake.handlers());
    const wrong = build(fake, 'wrong');
    expect((await rejection(wrong.einvoicing.submit(submission))).code).toBe('auth_failed');
    expect(wrong.sink.tasks).toHaveLength(0);
    const ok = build(fake);
    await ok.einvoicing.submit(submission);
    expect(
      (await rejection(ok.einvoicing.submit({ ...submission, invoiceRef: 'inv_10' }))).code,
    ).toBe('conflict');
  });

  test('maps integrator statuses', () => {
    const reply = (status: number, code?: string) => ({
      status,
      body: code ? { error: { code, message: 'x' } } : {},
      headers: new Headers(),
    });
    expect(mapEFaturaError(reply(409, 'NOT_APPROVED'))).toEqual({
      code: 'conflict',
      providerCode: 'NOT_APPROVED',
    });
    expect(mapEFaturaError(reply(422, 'VALIDATION_ERROR'))?.code).toBe('invalid_request');
    expect(mapEFaturaError(reply(503))).toEqual({ providerCode: 'http_503' });
    expect(mapEFaturaError(reply(200))).toBeUndefined();
  });
});
