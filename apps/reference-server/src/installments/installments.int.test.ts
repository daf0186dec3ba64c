/**
 * Installment plans over real HTTP on 127.0.0.1: a started server with the
 * installments feature. Two parts of a plan are past due: the scheduler's
 * job raises `installment.overdue` once for each, and it stays once while
 * the job runs again and again, from several callers at once, and while
 * competing settlements of the same part race (as two processes whose
 * leases both ran out would). A later payment covers the first part.
 */
import type { InstallmentPlan } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { installmentsFeature } from './feature.ts';
import { raiseOverdueInstallments } from './overdue.ts';
import { settlePart } from './service.ts';

let running: TestServer;

const { call, api } = tenantClient(() => running);

const eur = (amount: number) => ({ amount, currency: 'EUR' });

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    features: [installmentsFeature],
    env: { WEBHOOK_POLL_INTERVAL: '50ms' },
  });
}, 60_000);
afterAll(async () => {
  await running?.server.close();
});

test('installment.overdue is raised exactly once per overdue part, however often and from however many callers the job runs', async () => {
  const db = running.server.database.db;
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const invoice = await api<{ id: string }>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency: 'EUR',
    lines: [{ description: 'Treatment', quantity: 1, unitPrice: eur(9_000) }],
  });
  const short = await call('POST', '/api/v1/installment-plans', {
    invoiceId: invoice.id,
    parts: [{ amount: eur(1_000), dueDate: '2026-01-10' }],
  });
  expect([short.status, short.body.code]).toEqual([422, 'unprocessable']);

  const plan = await api<InstallmentPlan>('POST', '/api/v1/installment-plans', {
    invoiceId: invoice.id,
    parts: [
      { amount: eur(3_000), dueDate: '2026-01-10' },
      { amount: eur(3_000), dueDate: '2026-01-20' },
      { amount: eur(3_000), dueDate: '2099-01-01' },
    ],
  });
  expect(plan.parts.map((p) => p.status)).toEqual(['scheduled', 'scheduled', 'scheduled']);
  const again = await call('POST', '/api/v1/installment-plans', {
    invoiceId: invoice.id,
    parts: [{ amount: eur(9_000), dueDate: '2026-01-10' }],
  });
  expect([again.status, again.body.code]).toEqual([409, 'conflict']);

  const overdueEvents = () =>
    db
      .selectFrom('events')
      .select(['data'])
      .where('type', '=', 'installment.overdue')
      .where('entity_id', '=', plan.id)
      .execute();
  await expect.poll(async () => (await overdueEvents()).length, { timeout: 20_000 }).toBe(2);

  // The job again, from five callers at once, beside the scheduler's own passes …
  await Promise.all(Array.from({ length: 5 }, () => raiseOverdueInstallments(db, new Date())));
  // … and settlements of the same parts racing each other, as if every lease had run out.
  await Promise.all(
    [1, 2, 1, 2].map((n) =>
      db.transaction().execute((trx) => settlePart(trx, `${plan.id}:${n}`, new Date())),
    ),
  );
  const events = await overdueEvents();
  expect(
    events.map((e) => (e.data as unknown as { installment: number }).installment).sort(),
  ).toEqual([1, 2]);
  expect(events[0]?.data).toMatchObject({ invoiceId: invoice.id, planId: plan.id });

  await api('POST', '/api/v1/payments', {
    invoiceId: invoice.id,
    amount: eur(3_000),
    method: 'card',
    source: 'terminal',
  });
  const read = await api<InstallmentPlan>('GET', `/api/v1/installment-plans/${plan.id}`);
  expect(read.parts.map((p) => p.status)).toEqual(['paid', 'overdue', 'scheduled']);
  expect(read.parts[1]?.overdueAt).not.toBeNull();
}, 60_000);
