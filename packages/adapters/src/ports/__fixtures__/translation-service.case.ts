/**
 * The conformance suite every `TranslationService` adapter must pass, run
 * by each adapter's test against its fake provider: translation with the
 * detected source, a clinical request routed to an interpreter without
 * reaching the provider, validation before any call, retries of a 5xx
 * burst, and a manual task without the text once the provider is down.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { InMemoryManualTaskSink } from '../../core/manual-tasks.ts';
import { serverErrors } from '../../testing/failures.ts';
import type { TranslationRequest, TranslationService } from '../translation.ts';
import { rejection } from './rejection.ts';

export interface TranslationServiceHarness {
  name: string;
  apiUrl: string | RegExp;
  setup(): {
    translation: TranslationService;
    handlers: RequestHandler[];
    sink: InMemoryManualTaskSink;
    /** Texts the provider received. */
    received(): string[];
    requests(): string[];
  };
}

export function describeTranslationServiceConformance(harness: TranslationServiceHarness): void {
  describe(`TranslationService conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };
    const request = (overrides: Partial<TranslationRequest> = {}): TranslationRequest => ({
      requestRef: 'tr_1',
      text: 'Your airport transfer leaves at 09:00.',
      targetLocale: 'tr',
      purpose: 'administrative',
      ...overrides,
    });

    test('an administrative text is translated, with the detected source locale', async () => {
      const env = start();
      const result = await env.translation.translate(request());
      expect(result).toMatchObject({ status: 'translated', detectedSourceLocale: 'en' });
      if (result.status === 'translated') expect(result.text.length).toBeGreaterThan(0);
    });

    test('a clinical request goes to an interpreter; the text never reaches the provider', async () => {
      const env = start();
      const text = 'The biopsy shows a benign lesion.';
      const result = await env.translation.translate(request({ text, purpose: 'clinical' }));
      expect(result.status).toBe('interpreter');
      expect(env.requests()).toHaveLength(0);
      expect(env.received()).not.toContain(text);
      expect(env.sink.tasks.at(-1)).toMatchObject({ kind: 'translation', subjectRef: 'tr_1' });
      expect(JSON.stringify(env.sink.tasks)).not.toContain('biopsy');
    });

    test('invalid input is invalid_request before any call', async () => {
      const env = start();
      expect(
        (await rejection(env.translation.translate(request({ targetLocale: 'Turkish' })))).fields,
      ).toEqual(['targetLocale']);
      expect((await rejection(env.translation.translate(request({ text: '' })))).code).toBe(
        'invalid_request',
      );
      expect(env.requests()).toHaveLength(0);
    });

    test('a 5xx burst is retried into one translation', async () => {
      const env = start();
      server.use(serverErrors({ method: 'post', url: harness.apiUrl, times: 2 }).handler);
      expect((await env.translation.translate(request())).status).toBe('translated');
    });

    test('a provider that stays down leaves a manual task without the text; an open breaker makes no call', async () => {
      const env = start();
      server.use(serverErrors({ method: 'post', url: harness.apiUrl, times: 1000 }).handler);
      expect((await env.translation.translate(request())).status).toBe('manual');
      const before = env.requests().length;
      expect((await env.translation.translate(request({ requestRef: 'tr_2' }))).status).toBe(
        'manual',
      );
      expect(env.requests().length).toBe(before);
      expect(env.sink.tasks.at(-1)).toMatchObject({
        kind: 'translation',
        reason: 'circuit_open',
        subjectRef: 'tr_2',
      });
      expect(JSON.stringify(env.sink.tasks)).not.toContain('airport');
    });
  });
}
