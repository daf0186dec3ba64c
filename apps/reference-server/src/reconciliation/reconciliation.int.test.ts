/**
 * Reconciliation over real HTTP on 127.0.0.1: a started server whose Stripe
 * gateway is a fake Stripe served on 127.0.0.1. Six gateway payments are
 * held in escrow (their funding transfers are the ledger side); a generated
 * settlement file holds one break of each kind next to lines that match,
 * and a run finds exactly those breaks, each with an alert and a
 * `reconciliation.break` event. One break is resolved through the API and
 * one by an operator pressing Resolve on `/ops/reconciliation` in a real
 * browser; both record who resolved it and how. The daily job has
 * reconciled the previous day once by itself.
 */
import {
  FakeStripe,
  type ServedFakeProvider,
  STRIPE_API,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import type { ReconciliationBreak, ReconciliationRun } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../../test/helpers/browser.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { consoleFeature } from '../console/feature.ts';
import { moneyFeature } from '../money/feature.ts';
import { reconciliationFeature } from './feature.ts';

const PASSWORD = 'correct horse battery staple';
const stripe = new FakeStripe();
let served: ServedFakeProvider;
let running: TestServer;

const { call, api } = tenantClient(() => running);

const eur = (amount: number) => ({ amount, currency: 'EUR' });

/** A gateway payment with the provider's id `externalRef`, held in escrow: one funding transfer. */
async function heldGatewayPayment(externalRef: string, amount: number): Promise<void> {
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
    externalRef,
  });
  await api('POST', '/api/v1/escrows', {
    paymentId: payment.id,
    milestones: [{ code: 'surgery', amount: eur(amount) }],
  });
}

let seq = 0;
/** One Stripe balance transaction for a charge of `paymentId`, as the settlement file line. */
function chargeLine(paymentId: string, gross: number, fee: number, currency = 'eur') {
  seq += 1;
  stripe.balanceTransactions.push({
    id: `txn_recon${String(seq).padStart(4, '0')}`,
    object: 'balance_transaction',
    type: 'charge',
    amount: gross,
    fee,
    net: gross - fee,
    currency,
    created: Math.floor(Date.now() / 1000),
    source: paymentId,
  });
}

beforeAll(async () => {
  served = await serveFakeProvider(STRIPE_API, stripe.handlers());
  running = await startTestServer({
    tenantCount: 1,
    features: [moneyFeature, reconciliationFeature, consoleFeature()],
    env: {
      WEBHOOK_POLL_INTERVAL: '50ms',
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_API_URL: served.url,
      RECONCILIATION_MAX_FEE_BPS: '500',
      OPS_USER: 'ops',
      OPS_PASSWORD: PASSWORD,
    },
  });
}, 60_000);
afterAll(async () => {
  await running?.server.close();
  await served?.close();
});

test('Reconciliation with a generated settlement file containing one break of each kind finds exactly those breaks', async () => {
  const db = running.server.database.db;
  // The daily job reconciles yesterday on its first pass, before this file exists: once.
  await expect
    .poll(
      () =>
        db
          .selectFrom('reconciliation_runs')
          .select(['provider', 'breaks', 'period_from'])
          .where('trigger', '=', 'schedule')
          .execute(),
      { timeout: 20_000 },
    )
    .toHaveLength(1);

  for (const [ref, amount] of [
    ['pi_recon_match', 10_000],
    ['pi_recon_unsettled', 20_000],
    ['pi_recon_amount', 30_000],
    ['pi_recon_currency', 40_000],
    ['pi_recon_duplicate', 50_000],
    ['pi_recon_fee', 60_000],
  ] as const) {
    await heldGatewayPayment(ref, amount);
  }
  chargeLine('pi_recon_match', 10_000, 290);
  chargeLine('pi_recon_ghost', 7_000, 200); // missing in ledger
  // pi_recon_unsettled: no line, missing in settlement
  chargeLine('pi_recon_amount', 29_000, 800); // amount mismatch
  chargeLine('pi_recon_currency', 40_000, 1_100, 'usd'); // currency mismatch
  chargeLine('pi_recon_duplicate', 50_000, 1_400);
  chargeLine('pi_recon_duplicate', 50_000, 1_400); // duplicate
  chargeLine('pi_recon_fee', 60_000, 6_000); // fee difference: 10 % > 5 %
  stripe.balanceTransactions.push({
    id: 'txn_recon_payout',
    object: 'balance_transaction',
    type: 'payout',
    amount: -100_000,
    fee: 0,
    net: -100_000,
    currency: 'eur',
    created: Math.floor(Date.now() / 1000),
    source: 'po_1',
  });

  const now = Date.now();
  const run = await api<ReconciliationRun>('POST', '/api/v1/reconciliation/runs', {
    provider: 'stripe',
    from: new Date(now - 3_600_000).toISOString(),
    to: new Date(now + 3_600_000).toISOString(),
  });
  expect(run).toMatchObject({
    status: 'completed',
    trigger: 'request',
    linesRead: 8,
    transfersRead: 6,
    matched: 2,
    breaks: 6,
    truncated: false,
  });
  expect(await api<ReconciliationRun>('GET', `/api/v1/reconciliation/runs/${run.id}`)).toEqual(run);

  const page = await api<{ data: ReconciliationBreak[] }>(
    'GET',
    `/api/v1/reconciliation/breaks?runId=${run.id}&limit=100`,
  );
  const found = page.data.map((b) => [b.kind, b.paymentRef, b.lines.length]).sort();
  expect(found).toEqual([
    ['amount_mismatch', 'pi_recon_amount', 1],
    ['currency_mismatch', 'pi_recon_currency', 1],
    ['duplicate', 'pi_recon_duplicate', 2],
    ['fee_difference', 'pi_recon_fee', 1],
    ['missing_in_ledger', 'pi_recon_ghost', 1],
    ['missing_in_settlement', 'pi_recon_unsettled', 0],
  ]);
  const amountBreak = page.data.find((b) => b.kind === 'amount_mismatch');
  expect(amountBreak).toMatchObject({ expected: eur(30_000), actual: eur(29_000), status: 'open' });
  expect(amountBreak?.transferId).toMatch(/^ltr_/);

  const events = await db
    .selectFrom('events')
    .select(['data'])
    .where('type', '=', 'reconciliation.break')
    .execute();
  expect(events).toHaveLength(6);
  const alerts = await db
    .selectFrom('operator_alerts')
    .select(['id', 'resolved_at'])
    .where('kind', '=', 'reconciliation_break')
    .execute();
  expect(alerts.filter((a) => a.resolved_at === null)).toHaveLength(6);

  // Resolved through the API: who and how are recorded, and its alert is resolved.
  const ghost = page.data.find((b) => b.kind === 'missing_in_ledger') as ReconciliationBreak;
  const resolved = await api<ReconciliationBreak>(
    'POST',
    `/api/v1/reconciliation/breaks/${ghost.id}/resolve`,
    { resolution: 'ledger_corrected', note: 'posted by hand' },
  );
  expect(resolved).toMatchObject({
    status: 'resolved',
    resolution: 'ledger_corrected',
    resolutionNote: 'posted by hand',
  });
  expect(resolved.resolvedBy).toMatch(/^api_key:/);
  const bad = await call('POST', `/api/v1/reconciliation/breaks/${ghost.id}/resolve`, {
    resolution: 'shrug',
  });
  expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);

  // Resolved by an operator on /ops/reconciliation, in a real browser.
  const fee = page.data.find((b) => b.kind === 'fee_difference') as ReconciliationBreak;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      httpCredentials: { username: 'ops', password: PASSWORD },
    });
    const tab = await context.newPage();
    // The break is on /ops as an alert naming its lines, with a link to the breaks page.
    await tab.goto(`${running.server.url}/ops`);
    expect(await tab.locator('body').textContent()).toContain(
      `settlement lines ${fee.lines[0]?.lineId}`,
    );
    await tab.getByRole('link', { name: 'Reconciliation breaks' }).click();
    await tab.waitForURL(/\/ops\/reconciliation$/);
    const row = tab.locator('tbody tr', { hasText: fee.id });
    expect(await row.textContent()).toContain('txn_recon');
    await row.getByLabel('How').selectOption('provider_corrected');
    await row.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => tab.getByRole('status').textContent()).toContain('Break resolved');
    expect(await tab.locator('tbody tr').count()).toBe(4);
  } finally {
    await browser.close();
  }
  const byOperator = await api<{ data: ReconciliationBreak[] }>(
    'GET',
    `/api/v1/reconciliation/breaks?runId=${run.id}&status=resolved`,
  );
  expect(byOperator.data.map((b) => [b.kind, b.resolution, b.resolvedBy]).sort()).toEqual([
    ['fee_difference', 'provider_corrected', 'operator:ops'],
    ['missing_in_ledger', 'ledger_corrected', resolved.resolvedBy],
  ]);
  const open = await db
    .selectFrom('operator_alerts')
    .select('id')
    .where('kind', '=', 'reconciliation_break')
    .where('resolved_at', 'is', null)
    .execute();
  expect(open).toHaveLength(4);
}, 120_000); // a real browser on a shared, loaded machine
