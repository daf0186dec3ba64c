/**
 * Escrow over real HTTP on 127.0.0.1: a started server with the money
 * feature. A payment is held in tranches; 50 concurrent release requests
 * for one milestone (each with its own Idempotency-Key, so none is a
 * replay) post it once and record one `escrow.released`; the remainder is
 * voided and refunded once however often the refund is sent; the escrow
 * account's balance reads back through the API; and the scheduler's job
 * expires a stale hold by itself.
 */
import type { Escrow, LedgerBalance } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { moneyFeature } from './feature.ts';
import { findLedgerViolations } from './verify.ts';

let running: TestServer;

const { call, api } = tenantClient(() => running);

const eur = (amount: number) => ({ amount, currency: 'EUR' });

async function capturedPayment(amount: number): Promise<string> {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const invoice = await api<{ id: string }>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency: 'EUR',
    lines: [{ description: 'Package', quantity: 1, unitPrice: eur(amount) }],
  });
  const payment = await api<{ id: string }>('POST', '/api/v1/payments', {
    invoiceId: invoice.id,
    amount: eur(amount),
    method: 'card',
    source: 'gateway',
  });
  return payment.id;
}

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    features: [moneyFeature],
    env: { WEBHOOK_POLL_INTERVAL: '50ms' },
  });
});
afterAll(async () => {
  await running?.server.close();
});

test('hold, 50 concurrent releases post once, void, refund once, balance', async () => {
  const paymentId = await capturedPayment(12_000);
  const escrow = await api<Escrow>('POST', '/api/v1/escrows', {
    paymentId,
    milestones: [
      { code: 'admission', amount: eur(3_000) },
      { code: 'surgery', amount: eur(6_000) },
      { code: 'discharge', amount: eur(3_000) },
    ],
  });
  expect(escrow).toMatchObject({ status: 'held', held: eur(12_000) });

  const releases = await Promise.all(
    Array.from({ length: 50 }, () =>
      call('POST', `/api/v1/escrows/${escrow.id}/milestones/surgery/release`, {}),
    ),
  );
  // Requests that collide with the one holding the escrow's lock may be told to retry (409 conflict);
  // none may post a second time.
  expect(releases.filter((r) => r.status !== 200 && r.status !== 409)).toEqual([]);
  const db = running.server.database.db;
  const released = await db
    .selectFrom('events')
    .select('id')
    .where('entity_id', '=', escrow.id)
    .where('type', '=', 'escrow.released')
    .execute();
  expect(released).toHaveLength(1);

  await api('POST', `/api/v1/escrows/${escrow.id}/milestones/admission/dispute`, {
    reason: 'billing_error',
  });
  const voided = await api<Escrow>('POST', `/api/v1/escrows/${escrow.id}/void`, {});
  expect(voided).toMatchObject({ status: 'closed', released: eur(6_000), voided: eur(6_000) });

  const refund = { reference: 'visa_rejected', amount: eur(6_000) };
  const refunds = await Promise.all(
    Array.from({ length: 5 }, () => call('POST', `/api/v1/escrows/${escrow.id}/refund`, refund)),
  );
  expect(refunds.filter((r) => r.status !== 200 && r.status !== 409)).toEqual([]);
  const after = await api<Escrow>('GET', `/api/v1/escrows/${escrow.id}`);
  expect(after.refunds).toHaveLength(1);
  expect(after.refunded).toEqual(eur(6_000));
  const over = await call('POST', `/api/v1/escrows/${escrow.id}/refund`, {
    reference: 'goodwill',
    amount: eur(1),
  });
  expect([over.status, over.body.code]).toEqual([422, 'refund_exceeds_payment']);

  const balance = await api<LedgerBalance>(
    'GET',
    `/api/v1/ledger/accounts/${escrow.accountId}/balance`,
  );
  expect(balance).toMatchObject({ posted: 0, pending: 0, available: 0, exponent: 2 });
  const payment = await api<{ amountRefunded: unknown }>('GET', `/api/v1/payments/${paymentId}`);
  expect(payment.amountRefunded).toEqual(eur(6_000));
  expect(await findLedgerViolations(db)).toEqual([]);
}, 60_000);

test('the scheduler expires a stale hold; a disputed tranche stays frozen', async () => {
  const paymentId = await capturedPayment(2_000);
  const escrow = await api<Escrow>('POST', '/api/v1/escrows', {
    paymentId,
    expiresAt: new Date(Date.now() + 1_500).toISOString(),
    milestones: [
      { code: 'admission', amount: eur(1_000) },
      { code: 'surgery', amount: eur(1_000) },
    ],
  });
  await api('POST', `/api/v1/escrows/${escrow.id}/milestones/surgery/dispute`, {
    reason: 'quality_of_care',
  });
  const deadline = Date.now() + 20_000;
  let current = escrow;
  while (current.milestones[0]?.status !== 'expired' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    current = await api<Escrow>('GET', `/api/v1/escrows/${escrow.id}`);
  }
  expect(current.milestones.map((m) => m.status)).toEqual(['expired', 'disputed']);
  expect(current.voided).toEqual(eur(1_000));
}, 60_000);
