/**
 * The conformance suite every `EInvoicing` adapter must pass, run by each
 * adapter's test against its fake integrator: a submission queued under its
 * ETTN, an idempotent resubmission, GİB's approval (with the PDF) and
 * rejection (with a code, no PDF), validation before any call, retries of a
 * 5xx burst, and a manual task once the integrator is down.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { InMemoryManualTaskSink } from '../../core/manual-tasks.ts';
import { serverErrors } from '../../testing/failures.ts';
import type { EInvoiceSubmission, EInvoicing } from '../einvoicing.ts';
import { rejection } from './rejection.ts';

export interface EInvoicingHarness {
  name: string;
  apiUrl: string | RegExp;
  setup(): {
    einvoicing: EInvoicing;
    handlers: RequestHandler[];
    sink: InMemoryManualTaskSink;
    /** Makes GİB approve or reject the invoice with this ETTN. */
    decide(ettn: string, outcome: 'approved' | 'rejected'): void;
    /** How many invoices the integrator holds. */
    invoiceCount(): number;
    requests(): string[];
  };
}

const ETTN = '3f1c2b9e-8a47-4c1d-9b6e-2f0a5d7c8e91';
const OTHER_ETTN = '0b6f6a52-1f3e-4e8a-a1c4-7d2e9f10b3a4';

export function describeEInvoicingConformance(harness: EInvoicingHarness): void {
  describe(`EInvoicing conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };
    const submission = (overrides: Partial<EInvoiceSubmission> = {}): EInvoiceSubmission => ({
      invoiceRef: 'inv_1',
      ettn: ETTN,
      issueDate: '2026-12-01',
      currency: 'TRY',
      buyerTaxId: '1234567890',
      lines: [{ label: 'Consultation', quantity: 1, unitPriceMinor: 150_000, vatRatePercent: 10 }],
      ...overrides,
    });

    test('a submission is queued under its ETTN; a repeat is the same invoice', async () => {
      const env = start();
      const first = await env.einvoicing.submit(submission());
      expect(first).toEqual({ status: 'queued', ettn: ETTN, state: 'queued' });
      expect(await env.einvoicing.submit(submission())).toEqual(first);
      expect(env.invoiceCount()).toBe(1);
      expect(await env.einvoicing.status({ ettn: ETTN })).toEqual({
        ettn: ETTN,
        state: 'queued',
        reasonCode: null,
      });
    });

    test('approved: the signed PDF can be fetched; before approval it is a conflict', async () => {
      const env = start();
      await env.einvoicing.submit(submission());
      expect((await rejection(env.einvoicing.pdf({ ettn: ETTN }))).code).toBe('conflict');
      env.decide(ETTN, 'approved');
      expect((await env.einvoicing.status({ ettn: ETTN })).state).toBe('approved');
      const pdf = await env.einvoicing.pdf({ ettn: ETTN });
      expect(pdf).toMatchObject({ ettn: ETTN, contentType: 'application/pdf' });
      expect(Buffer.from(pdf.bytes).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    });

    test('rejected: a reason code and no PDF', async () => {
      const env = start();
      await env.einvoicing.submit(submission({ invoiceRef: 'inv_2', ettn: OTHER_ETTN }));
      env.decide(OTHER_ETTN, 'rejected');
      const status = await env.einvoicing.status({ ettn: OTHER_ETTN });
      expect(status.state).toBe('rejected');
      expect(status.reasonCode).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
      expect((await rejection(env.einvoicing.pdf({ ettn: OTHER_ETTN }))).code).toBe('conflict');
    });

    test('an unknown ETTN is not_found', async () => {
      const env = start();
      expect((await rejection(env.einvoicing.status({ ettn: OTHER_ETTN }))).code).toBe('not_found');
    });

    test('invalid input is invalid_request before any call', async () => {
      const env = start();
      expect(
        (await rejection(env.einvoicing.submit(submission({ ettn: 'not-a-uuid' })))).fields,
      ).toEqual(['ettn']);
      expect(
        (await rejection(env.einvoicing.submit(submission({ buyerTaxId: '12' })))).fields,
      ).toEqual(['buyerTaxId']);
      expect((await rejection(env.einvoicing.submit(submission({ lines: [] })))).code).toBe(
        'invalid_request',
      );
      expect((await rejection(env.einvoicing.pdf({ ettn: '../etc' }))).code).toBe(
        'invalid_request',
      );
      expect(env.requests()).toHaveLength(0);
    });

    test('a 5xx burst is retried into one queued invoice', async () => {
      const env = start();
      server.use(serverErrors({ method: 'post', url: harness.apiUrl, times: 2 }).handler);
      expect((await env.einvoicing.submit(submission())).status).toBe('queued');
      expect(env.invoiceCount()).toBe(1);
    });

    test('an integrator that stays down leaves a manual task; an open breaker makes no call', async () => {
      const env = start();
      server.use(serverErrors({ method: 'post', url: harness.apiUrl, times: 1000 }).handler);
      expect((await env.einvoicing.submit(submission())).status).toBe('manual');
      const before = env.requests().length;
      expect(
        (await env.einvoicing.submit(submission({ invoiceRef: 'inv_2', ettn: OTHER_ETTN }))).status,
      ).toBe('manual');
      expect(env.requests().length).toBe(before);
      expect(env.sink.tasks.at(-1)).toMatchObject({
        kind: 'einvoicing',
        reason: 'circuit_open',
        subjectRef: 'inv_2',
      });
      expect(JSON.stringify(env.sink.tasks)).not.toContain('1234567890');
    });
  });
}
