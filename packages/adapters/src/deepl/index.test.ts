/** The DeepL adapter against the fake: conformance, wire shape, quota and key errors, error mapping. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { describeTranslationServiceConformance } from '../ports/__fixtures__/translation-service.case.ts';
import { DEEPL_API, FakeDeepL } from '../testing/deepl.ts';
import { createDeepLTranslation, mapDeepLError } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

const build = (fake: FakeDeepL, authKey = fake.authKey) => {
  const sink = new InMemoryManualTaskSink();
  return { translation: createDeepLTranslation({ authKey, sink, policies: fast }), sink };
};

describeTranslationServiceConformance({
  name: 'deepl',
  apiUrl: `${DEEPL_API}/v2/translate`,
  setup() {
    const fake = new FakeDeepL();
    const { translation, sink } = build(fake);
    return {
      translation,
      handlers: fake.handlers(),
      sink,
      received: () => fake.received,
      requests: () => fake.requests,
    };
  },
});

describe('deepl specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  test("locales become DeepL's codes; the dictionary answers", async () => {
    const fake = new FakeDeepL();
    fake.dictionary.set('PT-PT:Welcome', 'Bem-vindo');
    server.use(...fake.handlers());
    const { translation } = build(fake);
    expect(
      await translation.translate({
        requestRef: 'tr_1',
        text: 'Welcome',
        sourceLocale: 'en',
        targetLocale: 'pt',
        purpose: 'administrative',
      }),
    ).toEqual({ status: 'translated', text: 'Bem-vindo', detectedSourceLocale: 'en' });
  });

  test('a used-up quota is rejected, a wrong key auth_failed; neither is a manual task', async () => {
    const fake = new FakeDeepL();
    server.use(...fake.handlers());
    const wrong = build(fake, 'wrong');
    const request = {
      requestRef: 'tr_1',
      text: 'Hello',
      targetLocale: 'de',
      purpose: 'administrative' as const,
    };
    expect((await rejection(wrong.translation.translate(request))).code).toBe('auth_failed');
    fake.exhaustQuota();
    const ok = build(fake);
    expect((await rejection(ok.translation.translate(request))).code).toBe('rejected');
    expect([...wrong.sink.tasks, ...ok.sink.tasks]).toHaveLength(0);
  });

  test('maps DeepL statuses', () => {
    const reply = (status: number) => ({ status, body: { message: 'x' }, headers: new Headers() });
    expect(mapDeepLError(reply(456))).toEqual({ code: 'rejected', providerCode: 'quota_exceeded' });
    expect(mapDeepLError(reply(413))?.code).toBe('invalid_request');
    expect(mapDeepLError(reply(503))).toEqual({ providerCode: 'http_503' });
    expect(mapDeepLError(reply(200))).toBeUndefined();
  });
});
