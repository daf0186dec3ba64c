/** FCM push against the fake: conformance, signed service-account assertion, token cache, wire shape. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { describePushChannelConformance } from '../ports/__fixtures__/push-channel.case.ts';
import { FakeFcm, FCM_API } from '../testing/fcm.ts';
import { createFcmPushChannel, mapFcmError } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

describePushChannelConformance({
  name: 'fcm',
  sendUrl: `${FCM_API}/v1/*`,
  async setup() {
    const fake = await FakeFcm.create();
    const sink = new InMemoryManualTaskSink();
    return {
      push: createFcmPushChannel({ serviceAccount: fake.serviceAccount, sink, policies: fast }),
      handlers: fake.handlers(),
      sink,
      unregister: (token) => fake.unregistered.add(token),
      sent: () => fake.sent.length,
      requests: () => fake.requests,
    };
  },
});

describe('fcm specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  test('the message has the HTTP v1 shape; one token serves many sends; an expired one is replaced', async () => {
    const fake = await FakeFcm.create();
    server.use(...fake.handlers());
    const push = createFcmPushChannel({
      serviceAccount: fake.serviceAccount,
      sink: new InMemoryManualTaskSink(),
    });
    await push.send({
      subjectRef: 'pat_1',
      deviceToken: 'device-token-0001',
      title: 'Your clinic',
      body: 'You have a new message',
      data: { threadRef: 'thr_1' },
      collapseKey: 'thread',
    });
    await push.send({
      subjectRef: 'pat_1',
      deviceToken: 'device-token-0001',
      title: 'Your clinic',
      body: 'Again',
    });
    expect(fake.tokenRequests).toBe(1);
    expect(fake.sent[0]!.message).toEqual({
      token: 'device-token-0001',
      notification: { title: 'Your clinic', body: 'You have a new message' },
      data: { threadRef: 'thr_1' },
      android: { collapse_key: 'thread' },
      apns: { headers: { 'apns-collapse-id': 'thread' } },
    });
    fake.expireTokens();
    expect(
      (
        await push.send({
          subjectRef: 'pat_1',
          deviceToken: 'device-token-0001',
          title: 'T',
          body: 'B',
        })
      ).status,
    ).toBe('sent');
    expect(fake.tokenRequests).toBe(2);
  });

  test('an assertion signed with another key is auth_failed', async () => {
    const fake = await FakeFcm.create();
    const other = await FakeFcm.create();
    server.use(...fake.handlers());
    const push = createFcmPushChannel({
      serviceAccount: { ...fake.serviceAccount, private_key: other.serviceAccount.private_key },
      sink: new InMemoryManualTaskSink(),
    });
    const error = await push
      .send({ subjectRef: 'pat_1', deviceToken: 'device-token-0001', title: 'T', body: 'B' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ProviderError', code: 'auth_failed' });
  });

  test('maps FCM error codes', () => {
    const reply = (status: number, errorCode?: string) => ({
      status,
      body: { error: { status: 'X', details: errorCode ? [{ errorCode }] : [] } },
      headers: new Headers(),
    });
    expect(mapFcmError(reply(404, 'UNREGISTERED'))).toEqual({
      code: 'not_found',
      providerCode: 'UNREGISTERED',
    });
    expect(mapFcmError(reply(429, 'QUOTA_EXCEEDED'))?.code).toBe('rate_limited');
    expect(mapFcmError(reply(500))).toEqual({ providerCode: 'X' });
    expect(mapFcmError(reply(200))).toBeUndefined();
  });
});
