/**
 * The load generator of the write benchmark, in its own process (forked by
 * bench/write.ts): `concurrency` keep-alive connections (undici) sending
 * authenticated idempotent `POST /api/v1/appointments`, each with a fresh
 * key. Warms up for one second, tells the parent `measuring` (so it samples
 * the server's and PostgreSQL's CPU), runs `seconds`, tells it `measured`,
 * then reports requests, errors, latencies and its own CPU for the phase.
 */
import { Pool } from 'undici';

interface Job {
  url: string;
  concurrency: number;
  seconds: number;
  apiKey: string;
  body: string;
  tag: string;
}

async function runJob(job: Job): Promise<void> {
  const pool = new Pool(job.url, { connections: job.concurrency, pipelining: 1 });
  const headers = (i: number) => ({
    authorization: `Bearer ${job.apiKey}`,
    'content-type': 'application/json',
    'idempotency-key': `${job.tag}-${i}`,
  });
  let counter = 0;
  let firstError: string | undefined;
  const phase = async (seconds: number, latencies: number[] | null) => {
    const until = performance.now() + seconds * 1000;
    let errors = 0;
    await Promise.all(
      Array.from({ length: job.concurrency }, async () => {
        while (performance.now() < until) {
          const started = performance.now();
          const res = await pool.request({
            method: 'POST',
            path: '/api/v1/appointments',
            headers: headers(counter++),
            body: job.body,
          });
          const text = await res.body.text();
          if (res.statusCode !== 201) {
            errors++;
            firstError ??= `${res.statusCode} ${text.slice(0, 300)}`;
          }
          latencies?.push(performance.now() - started);
        }
      }),
    );
    return errors;
  };
  await phase(1, null);
  process.send?.({ measuring: true });
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const errors = await phase(job.seconds, latencies);
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  process.send?.({ measured: true });
  await pool.close();
  // Leave once the report is out: disconnecting earlier may drop it.
  const leave = () => process.disconnect?.();
  process.send?.(
    {
      done: true,
      requests: latencies.length,
      errors,
      elapsed,
      latencies,
      cpuMicros: used.user + used.system,
      firstError,
    },
    undefined,
    {},
    leave,
  );
}

process.on('message', (job: Job) => {
  void runJob(job);
});
