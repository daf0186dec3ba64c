/**
 * A worker's send past the sender's daily quota with
 * `MESSAGING_QUOTA_EXHAUSTED=defer`: nothing reaches the WhatsApp fake on
 * 127.0.0.1, the intent is marked `deferred` until the next UTC midnight
 * and no inbox row is kept, so the send on the next day is not taken for a
 * repeat; with quota left it goes out once.
 */

import {
  FakeWhatsApp,
  type ServedFakeProvider,
  serveFakeProvider,
  WHATSAPP_API,
} from '@clinicbridge/adapters/testing';
import { createWhatsAppChannel } from '@clinicbridge/adapters/whatsapp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import {
  DatabaseQuotaStore,
  senderQuotaConfig,
  senderQuotaOptions,
} from '../providers/sender-quota.ts';
import type { NotificationIntent } from './intent.ts';
import { sendIntentOnce } from './worker-send.ts';

const whatsapp = new FakeWhatsApp();
whatsapp.approvedTemplates.add('visa_granted');
let fake: ServedFakeProvider;
let running: TestServer;

beforeAll(async () => {
  fake = await serveFakeProvider(WHATSAPP_API, whatsapp.handlers());
  running = await startTestServer({ tenantCount: 1 });
}, 120_000);
afterAll(async () => {
  await running?.server.close();
  await fake?.close();
});

describe(`worker send past the sender quota (${testDatabaseKind})`, () => {
  test('deferred: no send, the intent waits for the next UTC day, then goes out once', async () => {
    const db = running.server.database.db;
    const tenant = running.tenants[0];
    if (!tenant) throw new Error('no tenant');
    const res = await fetch(`${running.server.url}/api/v1/patients`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tenant.apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': 'worker-quota-patient',
      },
      body: JSON.stringify(
        patientBody({ phone: '+905553300001', consent: { messaging: true, marketing: false } }),
      ),
    });
    expect(res.status).toBe(201);
    const patient = (await res.json()) as { id: string };
    const at = new Date();
    await db
      .insertInto('notification_intents')
      .values({
        id: 'ntf_workerquota01',
        tenant_id: tenant.tenantId,
        event_id: 'evt_workerquota01',
        template: 'visa_granted',
        patient_id: patient.id,
        status: 'queued',
        provider_message_id: null,
        not_before: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const intent: NotificationIntent = {
      v: 1,
      queue: 'sms_notifications',
      intentId: 'ntf_workerquota01',
      tenantId: tenant.tenantId,
      eventId: 'evt_workerquota01',
      subjectRef: patient.id,
      template: 'visa_granted',
      locale: 'en',
      variables: { givenName: 'Ayşe', country: 'TR' },
      createdAt: at.toISOString(),
      to: { phone: '+905553300001' },
    };
    const channel = createWhatsAppChannel({
      accessToken: whatsapp.accessToken,
      phoneNumberId: whatsapp.phoneNumberId,
      templates: { visa_granted: { name: 'visa_granted', body: ['givenName', 'country'] } },
      baseUrl: fake.url,
    });
    const store = new DatabaseQuotaStore(db);
    const sender = `whatsapp:${whatsapp.phoneNumberId}`;
    const senders = (cap: string) => ({
      channels: [channel],
      manualTasks: { record: async () => undefined },
      senderQuota: senderQuotaOptions(
        senderQuotaConfig.parse({ WHATSAPP_DAILY_QUOTA: cap, MESSAGING_QUOTA_EXHAUSTED: 'defer' }),
        { whatsapp: whatsapp.phoneNumberId },
        store,
      ),
    });
    // Today's one message is already used.
    await store.increment(sender, at.toISOString().slice(0, 10));

    const deferred = await sendIntentOnce(db, intent, senders('1'), { finalAttempt: false });
    const midnight = new Date(
      Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1),
    ).toISOString();
    expect(deferred).toEqual({ kind: 'deferred', retryAt: midnight });
    expect(whatsapp.sent.some((m) => m.to === '905553300001')).toBe(false);
    const row = await db
      .selectFrom('notification_intents')
      .select(['status', 'not_before'])
      .where('id', '=', intent.intentId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'deferred', not_before: new Date(midnight) });
    const inbox = await db
      .selectFrom('relay_consumer_inbox')
      .selectAll()
      .where('event_id', '=', intent.intentId)
      .execute();
    expect(inbox).toEqual([]);

    // The next day (a fresh cap here): sent once, then a redelivery is a repeat.
    const sent = await sendIntentOnce(db, intent, senders('2'), { finalAttempt: false });
    expect(sent.kind).toBe('sent');
    expect(await sendIntentOnce(db, intent, senders('2'), { finalAttempt: false })).toEqual({
      kind: 'repeat',
    });
    expect(whatsapp.sent.filter((m) => m.to === '905553300001')).toHaveLength(1);
  }, 120_000);
});
