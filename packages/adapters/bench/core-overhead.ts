/**
 * What the resilience core costs per call, against a bare ky call to the same
 * local server in the same run. Cases:
 *
 * - baseline: `ky.get(url).json()` (no retry, no hooks);
 * - core: `createProviderClient(...).json(...)` with auth, retry, breaker,
 *   bulkhead, timeout, error mapping, span (no-op tracer), no metrics;
 * - core + Prometheus metrics on a prom-client registry.
 *
 * Sequential latency comes from mitata's `measure`; the 50-way case times
 * batches of concurrent calls and also reports client CPU time per call
 * (`process.cpuUsage`; the server runs in another process), which is the
 * steadiest figure on a shared machine. Each case alternates with the
 * baseline over several rounds and keeps the best round.
 *
 * Run: `pnpm --filter @clinicbridge/adapters bench`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import ky from 'ky';
import { measure } from 'mitata';
import { Registry } from 'prom-client';
import { bearerAuth, createProviderClient } from '../src/index.ts';
import { createPrometheusMetrics } from '../src/prometheus/index.ts';

const ROUNDS = 3;
const CONCURRENCY = 50;
const BATCHES = 40;

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./server.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  return { url: `http://127.0.0.1:${port}`, stop: () => child.stdin!.end() };
}

const policies = { bulkhead: { limit: CONCURRENCY, queue: CONCURRENCY } };

async function main(): Promise<void> {
  const server = await startServer();
  const bare = ky.create({ prefix: server.url, retry: 0 });
  const core = createProviderClient({
    provider: 'bench',
    baseUrl: server.url,
    auth: bearerAuth('sk_bench'),
    policies,
  });
  const withMetrics = createProviderClient({
    provider: 'bench',
    baseUrl: server.url,
    auth: bearerAuth('sk_bench'),
    policies,
    metrics: createPrometheusMetrics(new Registry()),
  });

  const cases: Array<[string, () => Promise<unknown>]> = [
    ['bare ky (baseline)', () => bare.get('v1/payment_intents/pi_bench').json()],
    [
      'core client',
      () => core.json({ operation: 'payments.status', path: '/v1/payment_intents/pi_bench' }),
    ],
    [
      'core client + Prometheus',
      () =>
        withMetrics.json({ operation: 'payments.status', path: '/v1/payment_intents/pi_bench' }),
    ],
  ];

  const sequential = new Map<string, number>();
  const concurrent = new Map<string, number>();
  const cpu = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, call] of cases) {
      const stats = await measure(async () => call(), {
        min_cpu_time: 1_500 * 1e6,
        warmup_samples: 50,
        max_samples: 5_000,
      });
      sequential.set(name, Math.min(sequential.get(name) ?? Number.POSITIVE_INFINITY, stats.p50));
      const started = performance.now();
      const cpuStart = process.cpuUsage();
      for (let b = 0; b < BATCHES; b++)
        await Promise.all(Array.from({ length: CONCURRENCY }, call));
      const used = process.cpuUsage(cpuStart);
      const calls = BATCHES * CONCURRENCY;
      concurrent.set(
        name,
        Math.max(concurrent.get(name) ?? 0, calls / ((performance.now() - started) / 1000)),
      );
      cpu.set(
        name,
        Math.min(cpu.get(name) ?? Number.POSITIVE_INFINITY, (used.user + used.system) / calls),
      );
    }
  }
  server.stop();

  const baseSeq = sequential.get(cases[0]![0])!;
  const baseConc = concurrent.get(cases[0]![0])!;
  const baseCpu = cpu.get(cases[0]![0])!;
  const rows = cases.map(([name]) => {
    const p50 = sequential.get(name)!;
    const rate = concurrent.get(name)!;
    const cpuPerCall = cpu.get(name)!;
    const pct = (value: number) => `${(value * 100).toFixed(0)}%`.padStart(5);
    return `| ${name.padEnd(26)} | ${cpuPerCall.toFixed(0).padStart(6)} µs | ${pct(cpuPerCall / baseCpu)} | ${(p50 / 1000).toFixed(0).padStart(6)} µs | ${pct(p50 / baseSeq)} | ${Math.round(rate).toLocaleString('en').padStart(6)} /s | ${pct(rate / baseConc)} |`;
  });
  console.log(
    `@clinicbridge/adapters core overhead (Node ${process.versions.node}, best of ${ROUNDS} rounds)`,
  );
  console.log(
    '| case                       | CPU per call | vs ky | sequential p50 | vs ky | 50-way calls/s | vs ky |',
  );
  console.log(
    '| -------------------------- | -----------: | ----: | -------------: | ----: | -------------: | ----: |',
  );
  for (const row of rows) console.log(row);
}

await main();
