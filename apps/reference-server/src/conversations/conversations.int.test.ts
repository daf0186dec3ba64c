/**
 * Conversations and offers end to end over real HTTP on 127.0.0.1: a
 * started server, a partner's webhook receiver and the fake Amadeus served
 * on 127.0.0.1.
 *
 * - A signed inbound WhatsApp message from a patient who consented to
 *   messaging reaches the partner once as `whatsapp.inbound`, on the
 *   patient's open case, with the text masked and no phone number; a
 *   repeat of the webhook adds nothing.
 * - From a patient who did not consent, or from a number no patient has,
 *   no event is recorded; a forged signature is refused.
 * - A number two clinics know is attributed only when the message replies
 *   to a message one of them sent.
 * - The Travel Desk's flight search for a case at `/ops/travel` reaches
 *   the partner once as `travel.offer.generated` with normalised options;
 *   a forged cross-site post is refused; with Amadeus unreachable the search
 *   becomes a manual task and no event.
 */
import {
  AMADEUS_API,
  FakeAmadeus,
  type ServedFakeProvider,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { eventFeatures } from '../../test/helpers/features.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { consoleFeature } from '../console/feature.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { inboundConfig } from '../inbound/config.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { visasFeature } from '../visas/feature.ts';
import { conversationsFeature } from './feature.ts';

const metaSecret = generateSecret();
const OPS_PASSWORD = 'conversations-ops-password';
const amadeus = new FakeAmadeus();
let served: ServedFakeProvider;
let amadeusClosed = false;
let receiver: Receiver;
let running: TestServer;
const db = () => running.server.database.db;

function apiAs(tenant: number) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${running.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${running.tenants[tenant]?.apiKey}`,
        'content-type': 'application/json',
        ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
}
const api = apiAs(0);

beforeAll(async () => {
  served = await serveFakeProvider(AMADEUS_API, amadeus.handlers());
  receiver = await startReceiver();
  const config = {
    ...deliveryConfig.parse({
      WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host,
      WEBHOOK_TIMEOUT_MS: '2000',
    }),
    ...inboundConfig.parse({ INBOUND_WHATSAPP_SECRET: metaSecret }),
  };
  running = await startTestServer({
    tenantCount: 2,
    features: [
      ...eventFeatures(config),
      manualTasksFeature,
      visasFeature,
      consoleFeature(),
      conversationsFeature,
    ],
    env: {
      WEBHOOK_POLL_INTERVAL: '50ms',
      OPS_USER: 'ops',
      OPS_PASSWORD,
      AMADEUS_CLIENT_ID: amadeus.clientId,
      AMADEUS_CLIENT_SECRET: amadeus.clientSecret,
      AMADEUS_API_URL: served.url,
    },
  });
  const endpoint = await api<{ secret: string }>('POST', '/api/v1/webhook-endpoints', {
    url: `${receiver.url}/partner`,
    eventTypes: ['whatsapp.inbound', 'travel.offer.generated'],
  });
  receiver.secrets.set('/partner', [endpoint.secret]);
}, 120_000);

afterAll(async () => {
  await running?.server.close();
  await receiver?.close();
  if (!amadeusClosed) await served?.close();
});

interface Delivered {
  type: string;
  data: Record<string, unknown>;
}
const delivered = (type: string) =>
  receiver.received
    .filter((r) => r.path === '/partner' && r.verified)
    .map((r) => JSON.parse(r.body) as Delivered)
    .filter((e) => e.type === type);

let wamid = 0;
function inboundMessage(from: string, text: string, extra: Record<string, unknown> = {}) {
  wamid += 1;
  const id = `wamid.HBgMOTA1NTUxMTEyMjMzFQIAEhgU${wamid}`;
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Ada Y' }, wa_id: from }],
              messages: [
                {
                  from,
                  id,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: text },
                  ...extra,
                },
              ],
            },
          },
        ],
      },
    ],
  });
  return { id, body };
}

async function postWhatsApp(body: string, secret = metaSecret): Promise<number> {
  const headers = getScheme('meta').signSync({ payload: body, secret });
  const res = await fetch(`${running.server.url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  await res.body?.cancel();
  return res.status;
}

/** Waits until the inbound processor has handled the webhook of message `id`; its reason. */
const processed = (id: string) =>
  until(async () => {
    const row = await db()
      .selectFrom('inbound_webhooks')
      .select(['status', 'reason'])
      .where('provider_event_id', '=', id)
      .executeTakeFirst();
    return row?.status === 'processed' ? row.reason : undefined;
  }, `the WhatsApp webhook of ${id} to be processed`);

const inboundEvents = (messageId: string) =>
  db()
    .selectFrom('events')
    .select(['tenant_id', 'data'])
    .where('type', '=', 'whatsapp.inbound')
    .where('entity_id', '=', messageId)
    .execute();

describe('whatsapp.inbound', () => {
  test('a consenting patient’s message reaches the partner once, on the open case, masked and without the number', async () => {
    const patient = await api<{ id: string }>(
      'POST',
      '/api/v1/patients',
      patientBody({ phone: '+905551112233', consent: { messaging: true, marketing: false } }),
    );
    await api('POST', '/api/v1/visa-applications', {
      patientId: patient.id,
      caseRef: 'case_ist_42',
      destination: 'TR',
      nationality: 'GB',
      visaType: 'medical',
      arrivalDate: '2027-03-01',
      documents: [
        {
          kind: 'passport',
          contentType: 'application/pdf',
          data: Buffer.from('%PDF-1.4 passport').toString('base64'),
        },
      ],
    });
    const message = inboundMessage(
      '905551112233',
      'Hi, I am Ada Yılmaz. Call me on +90 555 111 22 33 or ada@example.com, passport U12345678; see https://x.example/scan — can we move to 12/03?',
    );
    expect(await postWhatsApp(message.body, generateSecret())).toBe(401);
    expect(await postWhatsApp(message.body)).toBe(202);
    expect(await postWhatsApp(message.body)).toBe(200); // Meta's retry: a duplicate

    const [event] = await until(async () => {
      const got = delivered('whatsapp.inbound');
      return got.length > 0 ? got : undefined;
    }, 'whatsapp.inbound at the partner');
    expect(event?.data).toEqual({
      caseId: 'case_ist_42',
      patientId: patient.id,
      messageId: message.id,
      kind: 'text',
      message:
        'Hi, I am [name] [name]. Call me on +[number] or [email] passport U[number]; see [link] — can we move to [number]?',
      lang: 'en',
      receivedAt: expect.any(String),
    });
    const raw = receiver.received.map((r) => r.body).join('\n');
    for (const secret of ['905551112233', '555 111', 'ada@example.com', 'Yılmaz', 'U12345678'])
      expect(raw).not.toContain(secret);
    expect(await processed(message.id)).toMatch(/^0 message status\(es\) applied.*1 inbound/);
    expect(await inboundEvents(message.id)).toHaveLength(1);
    expect(delivered('whatsapp.inbound')).toHaveLength(1);
  });

  test('no event from a patient without consent, or from a number no patient has', async () => {
    await api(
      'POST',
      '/api/v1/patients',
      patientBody({ phone: '+447700900456', consent: { messaging: false, marketing: false } }),
    );
    const noConsent = inboundMessage('447700900456', 'Please call me back');
    const unknown = inboundMessage('12025550199', 'Hello?');
    expect(await postWhatsApp(noConsent.body)).toBe(202);
    expect(await postWhatsApp(unknown.body)).toBe(202);
    expect(await processed(noConsent.id)).toMatch(/0 inbound message\(s\) recorded, 1 not/);
    expect(await processed(unknown.id)).toMatch(/0 inbound message\(s\) recorded, 1 not/);
    expect(await inboundEvents(noConsent.id)).toEqual([]);
    expect(await inboundEvents(unknown.id)).toEqual([]);
  });

  test('a number two clinics know is attributed only to the clinic whose message it answers', async () => {
    const phone = '+905559998877';
    const consenting = { phone, consent: { messaging: true, marketing: false } };
    const first = await api<{ id: string }>('POST', '/api/v1/patients', patientBody(consenting));
    await apiAs(1)('POST', '/api/v1/patients', patientBody(consenting));
    const bare = inboundMessage('905559998877', 'Hello');
    expect(await postWhatsApp(bare.body)).toBe(202);
    expect(await processed(bare.id)).toMatch(/0 inbound message\(s\) recorded, 1 not/);

    const now = new Date();
    await db()
      .insertInto('notification_intents')
      .values({
        id: 'ntf_conversations_reply_1',
        tenant_id: running.tenants[0]?.tenantId ?? '',
        event_id: 'evt_conversations_reply_0001',
        template: 'appointment_confirmation',
        patient_id: first.id,
        status: 'sent',
        provider_message_id: 'wamid.SENT_BY_CLINIC_1',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const reply = inboundMessage('905559998877', 'Yes, confirmed', {
      context: { from: '15550783881', id: 'wamid.SENT_BY_CLINIC_1' },
    });
    expect(await postWhatsApp(reply.body)).toBe(202);
    await processed(reply.id);
    const events = await inboundEvents(reply.id);
    expect(
      events.map((e) => [e.tenant_id, (e.data as unknown as { caseId: string }).caseId]),
    ).toEqual([[running.tenants[0]?.tenantId, first.id]]);
  });
});

describe('travel.offer.generated', () => {
  const basic = `Basic ${Buffer.from(`ops:${OPS_PASSWORD}`).toString('base64')}`;
  const search = (caseId: string, origin?: string) =>
    fetch(`${running.server.url}/ops/travel/flight-offers`, {
      method: 'POST',
      headers: {
        authorization: basic,
        origin: origin ?? running.server.url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        tenantId: running.tenants[0]?.tenantId ?? '',
        caseId,
        origin: 'lhr',
        destination: 'IST',
        departureDate: '2026-12-01',
        adults: '1',
      }).toString(),
    });
  const offerEvents = (caseId: string) =>
    db()
      .selectFrom('events')
      .select('data')
      .where('type', '=', 'travel.offer.generated')
      .where('entity_id', '=', caseId)
      .execute();

  test('a flight search for a case reaches the partner once with normalised options', async () => {
    const page = await fetch(`${running.server.url}/ops/travel`, {
      headers: { authorization: basic },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Search and offer');

    const forged = await search('case_ist_42', 'https://evil.example');
    expect(forged.status).toBe(403);
    await forged.body?.cancel();

    const res = await search('case_ist_42');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('2 flight option(s) offered for case case_ist_42');
    const [event] = await until(async () => {
      const got = delivered('travel.offer.generated');
      return got.length > 0 ? got : undefined;
    }, 'travel.offer.generated at the partner');
    expect(event?.data).toMatchObject({
      caseId: 'case_ist_42',
      provider: 'amadeus',
      origin: 'LHR',
      destination: 'IST',
      departureDate: '2026-12-01',
      returnDate: null,
      adults: 1,
      total: 2,
    });
    const flights = event?.data.flights as Record<string, unknown>[];
    expect(flights).toHaveLength(2);
    expect(flights[0]).toEqual({
      id: '1',
      flightNumber: 'TK1980',
      depart: { airport: 'LHR', at: '2026-12-01T11:35:00' },
      arrive: { airport: 'IST', at: '2026-12-01T17:30:00' },
      durationMinutes: 235,
      stops: 0,
      cabin: expect.any(String),
      fare: { amount: 91_240, currency: 'EUR' },
      tags: expect.arrayContaining(['non_stop']),
    });
    expect(JSON.stringify(event)).not.toContain('offerToken');
    expect(await offerEvents('case_ist_42')).toHaveLength(1);
    expect(delivered('travel.offer.generated')).toHaveLength(1);
    const trail = await db()
      .selectFrom('operator_actions')
      .select(['action', 'outcome'])
      .where('entity_id', '=', 'case_ist_42')
      .execute();
    expect(trail).toEqual([{ action: 'travel.flight_offers', outcome: 'offered' }]);
  });

  test('with Amadeus unreachable the search becomes a manual task and no offer', async () => {
    await served.close();
    amadeusClosed = true;
    const res = await search('case_down_1');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('is a manual task');
    const tasks = await db()
      .selectFrom('manual_tasks')
      .select(['kind', 'operation'])
      .where('subject_ref', '=', 'case_down_1')
      .execute();
    expect(tasks).toEqual([{ kind: 'travel', operation: 'flights.search' }]);
    expect(await offerEvents('case_down_1')).toEqual([]);
  }, 60_000);
});
