/**
 * Providers wired from configuration, end to end: a started server whose
 * WhatsApp and SMS adapters point at the adapters' fakes served on
 * 127.0.0.1. A signed `visa.granted` webhook reaches the patient over
 * WhatsApp; when WhatsApp refuses the number, over SMS; when both fail, a
 * manual task waits on `/ops`. Each provider call leaves an audit row.
 */
import {
  FakeTwilio,
  FakeWhatsApp,
  type ServedFakeProvider,
  serveFakeProvider,
  TWILIO_API,
  WHATSAPP_API,
} from '@clinicbridge/adapters/testing';
import { generateSecret } from '@clinicbridge/webhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { grantVisa } from '../../test/helpers/visa-granted.ts';
import { resourceFeatures, serverFeatures } from '../features.ts';

const visaSecret = generateSecret();
// WhatsApp addresses numbers by digits only (no `+`); Twilio keeps E.164.
const whatsapp = new FakeWhatsApp();
const sms = new FakeTwilio();
whatsapp.approvedTemplates.add('visa_granted');
let fakes: ServedFakeProvider[] = [];
let running: TestServer;

beforeAll(async () => {
  fakes = [
    await serveFakeProvider(WHATSAPP_API, whatsapp.handlers()),
    await serveFakeProvider(TWILIO_API, sms.handlers()),
  ];
  const [wa, tw] = fakes;
  running = await startTestServer({
    tenantCount: 1,
    features: serverFeatures().filter((feature) => !resourceFeatures.includes(feature)),
    env: {
      WEBHOOK_POLL_INTERVAL: '50ms',
      INBOUND_VISA_SECRET: visaSecret,
      WHATSAPP_ACCESS_TOKEN: whatsapp.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: whatsapp.phoneNumberId,
      WHATSAPP_API_URL: wa?.url ?? '',
      TWILIO_ACCOUNT_SID: sms.accountSid,
      TWILIO_AUTH_TOKEN: sms.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_URL: tw?.url ?? '',
    },
  });
});
afterAll(async () => {
  await running?.server.close();
  for (const fake of fakes) await fake.close();
});

async function until<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the notification');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe(`providers built from configuration (${testDatabaseKind})`, () => {
  test('a visa.granted webhook reaches the patient over WhatsApp', async () => {
    await grantVisa(running, { phone: '+905551110001', caseId: 'case-wa', visaSecret });
    const sent = await until(() => whatsapp.sent.find((m) => m.to === '905551110001'));
    expect(sent.template).toBe('visa_granted');
    expect(sms.sent.some((m) => m.To === '+905551110001')).toBe(false);
    // The audit row commits with the subscriber's acknowledgement, just after the send.
    const audit = await until(() =>
      running.server.database.db
        .selectFrom('audit_events')
        .select(['entity_id', 'metadata'])
        .where('action', '=', 'provider.call')
        .where('entity_id', '=', 'whatsapp')
        .executeTakeFirst(),
    );
    expect(audit.metadata).toMatchObject({ operation: 'messages.send', outcome: 'ok' });
  });

  test('when WhatsApp refuses the number, the same notification goes out by SMS', async () => {
    whatsapp.unreachable.add('905551110002');
    await grantVisa(running, { phone: '+905551110002', caseId: 'case-sms', visaSecret });
    const sent = await until(() => sms.sent.find((m) => m.To === '+905551110002'));
    expect(sent.Body).toContain('your visa was granted');
    expect(whatsapp.sent.some((m) => m.to === '905551110002')).toBe(false);
  });

  test('when every channel fails, a manual task is left for the operators', async () => {
    whatsapp.unreachable.add('905551110003');
    sms.optedOut.add('+905551110003');
    const patientId = await grantVisa(running, {
      phone: '+905551110003',
      caseId: 'case-manual',
      visaSecret,
    });
    const task = await until(() =>
      running.server.database.db
        .selectFrom('manual_tasks')
        .selectAll()
        .where('subject_ref', '=', patientId)
        .executeTakeFirst(),
    );
    expect(task).toMatchObject({ kind: 'messaging', operation: 'messages.send' });
  });
});
