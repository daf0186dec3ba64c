/** Prometheus hooks: metric names and labels as the /metrics page shows them. */
import { Registry } from 'prom-client';
import { expect, test } from 'vitest';
import { json, scriptedFetch } from '../core/__fixtures__/scripted-fetch.ts';
import { createProviderClient } from '../core/client.ts';
import { createPrometheusMetrics } from './index.ts';

test('exposes requests, durations, errors and circuit state on the given registry', async () => {
  const registry = new Registry();
  const metrics = createPrometheusMetrics(registry);
  expect(createPrometheusMetrics(registry)).toBeDefined(); // registering twice is fine
  const { fetch } = scriptedFetch([json(503, {}), json(200, {}), json(404, {})]);
  const client = createProviderClient({
    provider: 'acme',
    baseUrl: 'https://api.acme.test',
    fetch,
    metrics,
    policies: { retry: { baseDelayMs: 1, maxDelayMs: 1 }, breaker: { consecutiveFailures: 1 } },
  });
  await client.json({ operation: 'things.get', path: '/t' }).catch(() => undefined);
  await client.json({ operation: 'things.get', path: '/t' }).catch(() => undefined);
  const text = await registry.metrics();
  expect(text).toContain(
    'integration_requests_total{provider="acme",operation="things.get",status="provider_unavailable"} 1',
  );
  expect(text).toContain(
    'integration_errors_total{provider="acme",error_type="provider_unavailable"}',
  );
  expect(text).toMatch(
    /integration_request_duration_seconds_count\{provider="acme",operation="things.get"\} \d/,
  );
  expect(text).toMatch(/integration_circuit_state\{provider="acme"\} [012]/);
});
