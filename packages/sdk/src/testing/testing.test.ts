/** Fixtures and `signTestWebhook`: contract-valid values, and signatures the webhooks package verifies. */
import { verify } from '@clinicbridge/webhooks';
import { describe, expect, test } from 'vitest';
import * as z from 'zod/mini';
import {
  appointment,
  auditEvent,
  clinicBridgeEvent,
  delivery,
  eventTypes,
  exportJob,
  importJob,
  integration,
  integrationToken,
  invoice,
  lineTax,
  patient,
  payment,
  refund,
  visit,
  webhookEndpoint,
} from '../contract/index.ts';
import { fixtures, signTestWebhook } from './index.ts';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('fixtures', () => {
  test.each([
    ['patient', patient, fixtures.patient],
    ['appointment', appointment, fixtures.appointment],
    ['visit', visit, fixtures.visit],
    ['invoice', invoice, fixtures.invoice],
    ['payment', payment, fixtures.payment],
    ['refund', refund, fixtures.refund],
    ['webhookEndpoint', webhookEndpoint, fixtures.webhookEndpoint],
    ['delivery', delivery, fixtures.delivery],
    ['integrationToken', integrationToken, fixtures.integrationToken],
    ['integration', integration, fixtures.integration],
    ['importJob', importJob, fixtures.importJob],
    ['exportJob', exportJob, fixtures.exportJob],
    ['auditEvent', auditEvent, fixtures.auditEvent],
  ] as const)('%s is valid per the contract and fresh each time', (_, schema, make) => {
    const a = make();
    expect(z.safeParse(schema, a).success).toBe(true);
    expect(make().id).not.toBe(a.id);
  });

  test('overrides win', () => {
    expect(fixtures.appointment({ status: 'completed' }).status).toBe('completed');
  });

  test('invoice totals follow the lines and the amount paid', () => {
    const inv = fixtures.invoice({
      currency: 'TRY',
      lines: [
        { quantity: 3, unitPrice: 3333, taxRateBps: 2000 },
        { unitPrice: 5, taxRateBps: 1000 },
      ],
      amountPaid: 100,
    });
    const expected = 9999 + lineTax(9999, 2000) + 5 + lineTax(5, 1000);
    expect(inv.total).toEqual({ amount: expected, currency: 'TRY' });
    expect(inv.balance.amount).toBe(expected - 100);
    expect(inv.status).toBe('open');
    expect(z.safeParse(invoice, inv).success).toBe(true);
  });

  test.each(eventTypes)('event %s is a valid catalogued event', (type) => {
    const event = fixtures.event(type);
    const parsed = z.safeParse(clinicBridgeEvent, event);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(event.type).toBe(type);
  });

  test('event data overrides merge into the defaults', () => {
    const event = fixtures.event(
      'payment.received',
      { method: 'upi' },
      { tenantId: 'ten_abcdefghijklmnopqrstuvwxyz' },
    );
    expect(event.data.method).toBe('upi');
    expect(event.data.invoiceBalance).toEqual({ amount: 0, currency: 'EUR' });
    expect(event.tenantId).toBe('ten_abcdefghijklmnopqrstuvwxyz');
  });
});

describe('signTestWebhook', () => {
  test('produces a body and Standard Webhooks headers that verify', async () => {
    const event = fixtures.event('appointment.cancelled');
    const { body, headers } = await signTestWebhook(event, secret);
    expect(headers['webhook-id']).toBe(event.id);
    expect(headers['content-type']).toBe('application/json');
    expect(await verify(body, headers, secret)).toEqual(event);
  });

  test('honours a fixed timestamp, so tolerance can be tested', async () => {
    const event = fixtures.event('webhook_endpoint.ping');
    const { body, headers } = await signTestWebhook(event, secret, { timestamp: 1_700_000_000 });
    expect(headers['webhook-timestamp']).toBe('1700000000');
    await expect(verify(body, headers, secret)).rejects.toMatchObject({
      code: 'timestamp_too_old',
    });
    await expect(verify(body, headers, secret, { now: () => 1_700_000_000_000 })).resolves.toEqual(
      event,
    );
  });

  test('a tampered body does not verify', async () => {
    const { body, headers } = await signTestWebhook(fixtures.event('refund.issued'), secret);
    await expect(verify(body.replace('EUR', 'USD'), headers, secret)).rejects.toMatchObject({
      code: 'invalid_signature',
    });
  });
});
