/**
 * The screening hook over real HTTP on 127.0.0.1: a started server with the
 * money feature, the screening hook (a fake screener) and `NG-TR` marked
 * enhanced-risk. Another corridor is funded without screening; a cleared
 * payer is funded; a hit and an unavailable screener each park the funding
 * as one manual task (however often retried) and post nothing.
 */
import { FakeScreening } from '@clinicbridge/adapters/testing';
import type { Escrow } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { moneyFeature } from './feature.ts';
import { escrowScreeningFeature } from './screening.ts';

const screening = new FakeScreening();
let running: TestServer;

const { call } = tenantClient(() => running);

const eur = (amount: number) => ({ amount, currency: 'EUR' });

async function capturedPayment(amount: number): Promise<string> {
  const patient = await call('POST', '/api/v1/patients', patientBody());
  const invoice = await call('POST', '/api/v1/invoices', {
    patientId: patient.body.id,
    currency: 'EUR',
    lines: [{ description: 'Package', quantity: 1, unitPrice: eur(amount) }],
  });
  const payment = await call('POST', '/api/v1/payments', {
    invoiceId: invoice.body.id,
    amount: eur(amount),
    method: 'card',
    source: 'gateway',
  });
  return payment.body.id as string;
}

const hold = (paymentId: string, corridor: string) =>
  call('POST', '/api/v1/escrows', {
    paymentId,
    corridor,
    milestones: [{ code: 'surgery', amount: eur(5_000) }],
  });

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    features: [moneyFeature, escrowScreeningFeature({ screening }), manualTasksFeature],
    env: { SCREENING_ENHANCED_RISK_CORRIDORS: 'NG-TR, ir-tr' },
  });
}, 60_000);
afterAll(async () => {
  await running?.server.close();
});

test('an enhanced-risk corridor is screened before funding; a hit or an unavailable screener parks it as a manual task', async () => {
  const db = running.server.database.db;
  const other = await hold(await capturedPayment(5_000), 'GB-TR');
  expect(other.status).toBe(201);
  expect(screening.calls).toHaveLength(0);

  const cleared = await hold(await capturedPayment(5_000), 'NG-TR');
  expect(cleared.status).toBe(201);
  expect((cleared.body as unknown as Escrow).status).toBe('held');
  expect(screening.calls).toMatchObject([{ corridor: 'NG-TR', amountMinor: 5_000 }]);

  const suspicious = await capturedPayment(5_000);
  screening.hits.add(suspicious);
  for (let attempt = 0; attempt < 3; attempt++) {
    const parked = await hold(suspicious, 'NG-TR');
    expect([parked.status, parked.body.code]).toEqual([409, 'funding_parked']);
  }
  screening.unavailable = true;
  const unscreened = await capturedPayment(5_000);
  const down = await hold(unscreened, 'IR-TR');
  expect([down.status, down.body.code]).toEqual([409, 'funding_parked']);

  const tasks = () =>
    db
      .selectFrom('manual_tasks')
      .select(['subject_ref', 'reason', 'kind', 'operation'])
      .orderBy('reason')
      .execute();
  await expect.poll(tasks, { timeout: 10_000 }).toEqual([
    {
      subject_ref: suspicious,
      reason: 'screening_hit',
      kind: 'escrow',
      operation: 'escrows.create',
    },
    {
      subject_ref: unscreened,
      reason: 'screening_unavailable',
      kind: 'escrow',
      operation: 'escrows.create',
    },
  ]);
  const funded = await db
    .selectFrom('escrows')
    .select('payment_id')
    .where('payment_id', 'in', [suspicious, unscreened])
    .execute();
  expect(funded).toEqual([]);
}, 60_000);
