/**
 * Senders' daily quotas from started servers, with the WhatsApp and Twilio
 * fakes on 127.0.0.1: two server processes on one database share the
 * WhatsApp number's count (PostgreSQL rows), so past the cap the rest goes
 * out by SMS and `/metrics` shows nothing left; with `defer` the message
 * waits for the next UTC day instead and goes out over WhatsApp then; with
 * `REDIS_URL` the count lives in Redis.
 */
import { randomUUID } from 'node:crypto';
import {
  FakeTwilio,
  FakeWhatsApp,
  type ServedFakeProvider,
  serveFakeProvider,
  TWILIO_API,
  WHATSAPP_API,
} from '@clinicbridge/adapters/testing';
import { generateSecret } from '@clinicbridge/webhooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { redisAnswers, TEST_REDIS_URL } from '../../test/helpers/redis.ts';
import { until } from '../../test/helpers/until.ts';
import { grantVisa } from '../../test/helpers/visa-granted.ts';
import { resourceFeatures, serverFeatures } from '../features.ts';

const visaSecret = generateSecret();
/** A new case for `phone`'s patient, granted under this file's visa secret. */
const visaFor = (phone: string) => ({ phone, caseId: `case-${randomUUID()}`, visaSecret });
const whatsapp = new FakeWhatsApp();
const sms = new FakeTwilio();
whatsapp.approvedTemplates.add('visa_granted');
let fakes: ServedFakeProvider[] = [];
const redisUp = await redisAnswers('sender-quota.int.test.ts');

beforeAll(async () => {
  fakes = [
    await serveFakeProvider(WHATSAPP_API, whatsapp.handlers()),
    await serveFakeProvider(TWILIO_API, sms.handlers()),
  ];
});
afterAll(async () => {
  for (const fake of fakes) await fake.close();
});

function messagingEnv(extra: Record<string, string>): Record<string, string> {
  const [wa, tw] = fakes;
  return {
    WEBHOOK_POLL_INTERVAL: '50ms',
    INBOUND_VISA_SECRET: visaSecret,
    WHATSAPP_ACCESS_TOKEN: whatsapp.accessToken,
    WHATSAPP_PHONE_NUMBER_ID: whatsapp.phoneNumberId,
    WHATSAPP_API_URL: wa?.url ?? '',
    TWILIO_ACCOUNT_SID: sms.accountSid,
    TWILIO_AUTH_TOKEN: sms.authToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_URL: tw?.url ?? '',
    ...extra,
  };
}

const extraFeatures = () =>
  serverFeatures().filter((feature) => !resourceFeatures.includes(feature));

const digits = (phone: string) => phone.replace('+', '');
const sentTo = (phones: readonly string[]) => ({
  whatsapp: whatsapp.sent.filter((m) => phones.some((p) => digits(p) === m.to)).length,
  sms: sms.sent.filter((m) => phones.includes(m.To ?? '')).length,
});

async function remainingGauge(running: TestServer, channel: string): Promise<string | undefined> {
  const text = await (await fetch(`${running.server.url}/metrics`)).text();
  return text
    .split('\n')
    .find((line) => line.startsWith(`messaging_sender_quota_remaining{channel="${channel}"`));
}

describe(`sender quotas over PostgreSQL rows, two server processes (${testDatabaseKind})`, () => {
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    const env = messagingEnv({ WHATSAPP_DAILY_QUOTA: '3' });
    first = await startTestServer({ tenantCount: 1, features: extraFeatures(), env });
    second = await startTestServer({
      tenantCount: 0,
      features: extraFeatures(),
      env,
      database: first.server.database,
    });
    second.tenants = first.tenants;
  }, 120_000);
  afterAll(async () => {
    await second?.server.close();
    await first?.server.close();
  });

  test('past the WhatsApp number’s cap the rest go out by SMS; the gauge shows none left', async () => {
    const phones = Array.from({ length: 6 }, (_, i) => `+90555200000${i}`);
    for (const [i, phone] of phones.entries())
      await grantVisa(i % 2 ? second : first, visaFor(phone));
    await until(
      () => (sentTo(phones).whatsapp + sentTo(phones).sms === 6 ? true : undefined),
      'six notifications to go out',
    );
    expect(sentTo(phones)).toEqual({ whatsapp: 3, sms: 3 });
    const row = await first.server.database.db
      .selectFrom('messaging_sender_quota')
      .selectAll()
      .where('sender', '=', `whatsapp:${whatsapp.phoneNumberId}`)
      .executeTakeFirstOrThrow();
    expect(row.used).toBe(3);
    expect(row.day).toBe(new Date().toISOString().slice(0, 10));
    for (const running of [first, second]) {
      expect(await remainingGauge(running, 'whatsapp')).toBe(
        `messaging_sender_quota_remaining{channel="whatsapp",sender="${whatsapp.phoneNumberId}"} 0`,
      );
      // SMS has no cap unless SMS_DAILY_QUOTA is set.
      expect(await remainingGauge(running, 'sms')).toBeUndefined();
    }
  }, 120_000);
});

describe(`sender quotas with MESSAGING_QUOTA_EXHAUSTED=defer (${testDatabaseKind})`, () => {
  let running: TestServer;
  let offsetMs = 0;
  beforeAll(async () => {
    running = await startTestServer({
      tenantCount: 1,
      features: extraFeatures(),
      env: messagingEnv({ WHATSAPP_DAILY_QUOTA: '1', MESSAGING_QUOTA_EXHAUSTED: 'defer' }),
      now: () => new Date(Date.now() + offsetMs),
    });
  }, 120_000);
  afterAll(async () => {
    await running?.server.close();
  });

  test('past the cap the notification waits for the next UTC day, then goes out over WhatsApp', async () => {
    const phones = ['+905552100001', '+905552100002'];
    const patients = [];
    for (const phone of phones) patients.push(await grantVisa(running, visaFor(phone)));
    const deferred = await until(
      () =>
        running.server.database.db
          .selectFrom('notification_intents')
          .select(['patient_id', 'not_before'])
          .where('status', '=', 'deferred')
          .executeTakeFirst(),
      'one intent to be deferred',
    );
    await until(() => (sentTo(phones).whatsapp === 1 ? true : undefined), 'the first to go out');
    const today = new Date(Date.now() + offsetMs);
    const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1);
    expect(deferred.not_before?.getTime()).toBe(midnight);
    expect(patients).toContain(deferred.patient_id);
    expect(sentTo(phones)).toEqual({ whatsapp: 1, sms: 0 });
    expect(await remainingGauge(running, 'whatsapp')).toMatch(/ 0$/);

    offsetMs += 24 * 3_600_000;
    await until(() => (sentTo(phones).whatsapp === 2 ? true : undefined), 'the deferred one');
    expect(sentTo(phones)).toEqual({ whatsapp: 2, sms: 0 });
    const intent = await until(
      () =>
        running.server.database.db
          .selectFrom('notification_intents')
          .select(['status', 'not_before'])
          .where('patient_id', '=', deferred.patient_id)
          .where('status', '=', 'sent')
          .executeTakeFirst(),
      'the deferred intent to be marked sent',
    );
    expect(intent.not_before).toBeNull();
  }, 180_000);
});

describe.skipIf(!redisUp)(`sender quotas in Redis (${testDatabaseKind})`, () => {
  let running: TestServer;
  const prefix = `cbtest:${randomUUID()}:`;
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  beforeAll(async () => {
    running = await startTestServer({
      tenantCount: 1,
      features: extraFeatures(),
      env: messagingEnv({
        WHATSAPP_DAILY_QUOTA: '2',
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
      }),
    });
    await redis.connect();
  }, 120_000);
  afterAll(async () => {
    await running?.server.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  test('the count is a Redis key per sender and day; past it, SMS', async () => {
    const phones = ['+905552200001', '+905552200002', '+905552200003'];
    for (const phone of phones) await grantVisa(running, visaFor(phone));
    await until(
      () => (sentTo(phones).whatsapp + sentTo(phones).sms === 3 ? true : undefined),
      'three notifications to go out',
    );
    expect(sentTo(phones)).toEqual({ whatsapp: 2, sms: 1 });
    const day = new Date().toISOString().slice(0, 10);
    expect(await redis.get(`${prefix}msgquota:whatsapp:${whatsapp.phoneNumberId}:${day}`)).toBe(
      '2',
    );
    expect(
      await redis.ttl(`${prefix}msgquota:whatsapp:${whatsapp.phoneNumberId}:${day}`),
    ).toBeGreaterThan(172_000);
    const rows = await running.server.database.db
      .selectFrom('messaging_sender_quota')
      .selectAll()
      .execute();
    expect(rows).toEqual([]);
  }, 120_000);
});
