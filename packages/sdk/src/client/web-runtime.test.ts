/**
 * The client promises to run wherever web-standard `fetch` does (Deno, Bun,
 * browsers, edge runtimes), not only in Node. This test bundles the package
 * for the browser platform, where esbuild refuses any Node built-in, and runs
 * the bundle in a sandbox holding only web-standard globals — no `process`,
 * `Buffer` or `require` — then makes calls through it: API key and OAuth,
 * a retry after a 503, response validation, and webhook verification.
 */
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { fixtures } from '../testing/fixtures/index.ts';
import { signTestWebhook } from '../testing/sign-test-webhook.ts';
import { API_KEY, appointmentSample, BASE_URL } from './__fixtures__/samples.ts';
import { json, problem, scriptedFetch } from './__fixtures__/scripted-fetch.ts';
import type * as Sdk from './index.ts';

const webGlobals = [
  'fetch',
  'Request',
  'Response',
  'Headers',
  'URL',
  'URLSearchParams',
  'AbortController',
  'AbortSignal',
  'DOMException',
  'Event',
  'EventTarget',
  'TextEncoder',
  'TextDecoder',
  'crypto',
  'atob',
  'btoa',
  'setTimeout',
  'clearTimeout',
  'queueMicrotask',
  'structuredClone',
  'console',
] as const;

async function loadInWebSandbox(): Promise<{ sdk: typeof Sdk; sandbox: Record<string, unknown> }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../index.ts', import.meta.url))],
    tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)),
    bundle: true,
    format: 'iife',
    globalName: 'ClinicBridgeSdk',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const sandbox: Record<string, unknown> = {};
  for (const name of webGlobals) sandbox[name] = (globalThis as Record<string, unknown>)[name];
  const code = `${result.outputFiles[0]!.text};ClinicBridgeSdk`;
  return { sdk: runInNewContext(code, sandbox) as typeof Sdk, sandbox };
}

describe('in a runtime with only web-standard globals', () => {
  it('bundles for the browser and calls the API with retries and validation', async () => {
    const { sdk, sandbox } = await loadInWebSandbox();
    expect(runInNewContext('typeof process + typeof Buffer + typeof require', sandbox)).toBe(
      'undefinedundefinedundefined',
    );
    const scripted = scriptedFetch([
      problem(503, 'service_unavailable'),
      json(appointmentSample()),
    ]);
    const client = new sdk.ClinicBridge({
      baseUrl: BASE_URL,
      apiKey: API_KEY,
      fetch: scripted.fetch,
      retry: { baseDelay: 1 },
    });
    const result = await client.appointments
      .get({ appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' })
      .withResponse();
    expect(result.data.status).toBe('scheduled');
    expect(result.attempts).toBe(2);
    expect(scripted.requests[1]!.headers.get('traceparent')).toMatch(/^00-[\da-f]{32}-/);

    const broken = scriptedFetch([json({ ...appointmentSample(), status: 'teleported' })]);
    const error = await new sdk.ClinicBridge({
      baseUrl: BASE_URL,
      apiKey: API_KEY,
      fetch: broken.fetch,
    }).appointments
      .get({ appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' })
      .catch((e: unknown) => e);
    expect(sdk.isResponseValidationError(error)).toBe(true);
  });

  it('fetches an OAuth token and verifies a signed webhook', async () => {
    const { sdk } = await loadInWebSandbox();
    const scripted = scriptedFetch([
      json({ access_token: 'at_1', token_type: 'Bearer', expires_in: 900, scope: '' }),
      json(appointmentSample()),
    ]);
    const client = new sdk.ClinicBridge({
      baseUrl: BASE_URL,
      clientId: 'cli_web',
      clientSecret: 'sécret',
      fetch: scripted.fetch,
    });
    await client.appointments.get({ appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' });
    expect(scripted.requests[0]!.headers.get('authorization')).toBe(
      `Basic ${btoa('cli_web:s%C3%A9cret')}`,
    );
    expect(scripted.requests[1]!.headers.get('authorization')).toBe('Bearer at_1');

    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signed = await signTestWebhook(fixtures.event('payment.received'), secret);
    const event = await client.webhooks.verify(signed.body, signed.headers, secret);
    expect(event.type).toBe('payment.received');
    await expect(
      client.webhooks.verify(`${signed.body} `, signed.headers, secret),
    ).rejects.toMatchObject({ name: 'WebhookVerificationError' });
  });
});
