/** Prometheus hooks: metric names, labels and values as the /metrics page shows them. */
import { Registry } from 'prom-client';
import { expect, test } from 'vitest';
import { json, scriptedFetch } from '../core/__fixtures__/scripted-fetch.ts';
import { createProviderClient } from '../core/client.ts';
import { createPrometheusMetrics } from './index.ts';

test('exposes requests, durations, errors and circuit state on the given registry', async () => {
  const registry = new Registry();
  const metrics = createPrometheusMetrics(registry);
  expect(createPrometheusMetrics(registry)).toBeDefined(); // registering twice is fine
  const { fetch } = scriptedFetch([json({}, 503), json({}, 200), json({}, 404)]);
  const client = createProviderClient({
    provider: 'acme',
    baseUrl: 'https://api.acme.test',
    fetch,
    metrics,
    policies: { retry: { maxRetries: 0 }, breaker: { consecutiveFailures: 3 } },
  });
  for (let i = 0; i < 3; i++)
    await client.json({ operation: 'things.get', path: '/t' }).catch(() => undefined);

  const down = createProviderClient({
    provider: 'beta',
    baseUrl: 'https://api.beta.test',
    fetch: scriptedFetch([], json({}, 503)).fetch,
    metrics,
    policies: { retry: { maxRetries: 0 }, breaker: { consecutiveFailures: 1 } },
  });
  await down.json({ operation: 'things.get', path: '/t' }).catch(() => undefined);
  await down.json({ operation: 'things.get', path: '/t' }).catch(() => undefined); // refused

  const text = await registry.metrics();
  for (const line of [
    'integration_requests_total{provider="acme",operation="things.get",status="provider_unavailable"} 1',
    'integration_requests_total{provider="acme",operation="things.get",status="ok"} 1',
    'integration_requests_total{provider="acme",operation="things.get",status="not_found"} 1',
    'integration_request_duration_seconds_count{provider="acme",operation="things.get"} 3',
    'integration_errors_total{provider="acme",error_type="provider_unavailable"} 1',
    'integration_errors_total{provider="acme",error_type="not_found"} 1',
    // One failed attempt, then one call refused by the open circuit.
    'integration_requests_total{provider="beta",operation="things.get",status="provider_unavailable"} 1',
    'integration_errors_total{provider="beta",error_type="provider_unavailable"} 2',
    'integration_circuit_state{provider="beta"} 2',
  ]) {
    expect(text).toContain(line);
  }
  expect(text).not.toContain('integration_circuit_state{provider="acme"}');
});
