/**
 * The load generator of `bench/multiproc.ts`, in a process of its own so its
 * CPU is not counted as the servers'. It sends authenticated idempotent
 * `POST /api/v1/appointments` (each with a fresh Idempotency-Key) to the
 * servers in `BENCH_URLS` (comma-separated) in turn, `BENCH_CONCURRENCY` at a
 * time: `BENCH_WARMUP_SECONDS` of warm-up, then prints `measuring`, sends for
 * `BENCH_SECONDS`, prints one JSON line `{ requests, errors, seconds, p50, p99 }`
 * and exits when its stdin closes.
 */
import { Pool } from 'undici';
import { percentile } from './delivery-lib.ts';

const urls = (process.env.BENCH_URLS ?? '').split(',').filter((u) => u !== '');
const apiKey = process.env.BENCH_API_KEY ?? '';
const patientId = process.env.BENCH_PATIENT_ID ?? '';
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 12);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);

const pools = urls.map(
  (url) => new Pool(url, { connections: Math.ceil(concurrency / urls.length), pipelining: 1 }),
);
const body = JSON.stringify({
  patientId,
  service: 'Consultation',
  startsAt: '2026-12-01T09:00:00Z',
  endsAt: '2026-12-01T09:30:00Z',
});
const run = `${process.pid}-${Date.now()}`;
let counter = 0;

async function send(latencies: number[] | null): Promise<boolean> {
  const i = counter++;
  const pool = pools[i % pools.length] as Pool;
  const started = performance.now();
  const res = await pool.request({
    method: 'POST',
    path: '/api/v1/appointments',
    headers: {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': `bench-${run}-${i}`,
    },
    body,
  });
  await res.body.dump();
  latencies?.push(performance.now() - started);
  return res.statusCode === 201;
}

async function phase(forSeconds: number, latencies: number[] | null): Promise<number> {
  const until = performance.now() + forSeconds * 1_000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) if (!(await send(latencies))) errors++;
    }),
  );
  return errors;
}

await phase(warmup, null);
process.stdout.write('measuring\n');
const latencies: number[] = [];
const started = performance.now();
const errors = await phase(seconds, latencies);
const elapsed = (performance.now() - started) / 1_000;
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    errors,
    seconds: elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  })}\n`,
);
await Promise.all(pools.map((pool) => pool.close()));
// Stay until the benchmark has read this process's CPU time and closes stdin.
process.stdin.resume();
await new Promise((resolve) => process.stdin.once('end', resolve));
