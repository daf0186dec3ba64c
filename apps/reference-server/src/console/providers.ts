/**
 * Provider health for `/ops/providers`, read from the metrics the adapters'
 * resilience core writes to the server's Prometheus registry: the circuit
 * breaker's state per provider (`integration_circuit_state`), and the calls
 * and failures counted since the process started
 * (`integration_requests_total`, `integration_errors_total`).
 */
import type { Registry } from 'prom-client';

/**
 * One provider as the page shows it.
 *
 * @example
 * const row: ProviderHealth = { provider: 'amadeus', breaker: 'open', calls: 12, failed: 9, errors: { timeout: 9 } };
 */
export interface ProviderHealth {
  provider: string;
  /** `closed`, `half_open` or `open`; `closed` until the breaker first changes. */
  breaker: 'closed' | 'half_open' | 'open';
  /** HTTP attempts since start. */
  calls: number;
  /** Of which did not succeed. */
  failed: number;
  /** Failures by error code. */
  errors: Record<string, number>;
}

const BREAKER = ['closed', 'half_open', 'open'] as const;

type Values = { value: number; labels: Record<string, string | number | undefined> }[];

async function valuesOf(registry: Registry, name: string): Promise<Values> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  return (await metric.get()).values as Values;
}

/**
 * Every provider the metrics know of (it made a call or its breaker moved),
 * open breakers first.
 *
 * @example
 * const rows = await providerHealth(context.metrics.registry);
 */
export async function providerHealth(registry: Registry): Promise<ProviderHealth[]> {
  const rows = new Map<string, ProviderHealth>();
  const row = (provider: string) => {
    let found = rows.get(provider);
    if (!found) {
      found = { provider, breaker: 'closed', calls: 0, failed: 0, errors: {} };
      rows.set(provider, found);
    }
    return found;
  };
  for (const v of await valuesOf(registry, 'integration_circuit_state')) {
    const provider = String(v.labels.provider ?? '');
    if (provider) row(provider).breaker = BREAKER[v.value] ?? 'closed';
  }
  for (const v of await valuesOf(registry, 'integration_requests_total')) {
    const provider = String(v.labels.provider ?? '');
    if (!provider) continue;
    const r = row(provider);
    r.calls += v.value;
    if (v.labels.status !== 'ok') r.failed += v.value;
  }
  for (const v of await valuesOf(registry, 'integration_errors_total')) {
    const provider = String(v.labels.provider ?? '');
    const type = String(v.labels.error_type ?? 'unknown');
    if (!provider || v.value === 0) continue;
    const r = row(provider);
    r.errors[type] = (r.errors[type] ?? 0) + v.value;
  }
  const rank = { open: 0, half_open: 1, closed: 2 } as const;
  return [...rows.values()].sort(
    (a, b) => rank[a.breaker] - rank[b.breaker] || a.provider.localeCompare(b.provider),
  );
}

/**
 * A short fingerprint of the breaker states, for the live-update feed.
 *
 * @example
 * const before = await breakerFingerprint(registry);
 */
export async function breakerFingerprint(registry: Registry): Promise<string> {
  const states = await valuesOf(registry, 'integration_circuit_state');
  return states
    .map((v) => `${v.labels.provider}=${v.value}`)
    .sort()
    .join(',');
}
