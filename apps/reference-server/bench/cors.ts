/**
 * Benchmark: CPU per answer of an API route behind `corsFor`, called from an
 * allowed origin, against the same route called with no `Origin` (a server
 * or the same origin), in the same run and the same process as its
 * undici load. The allowed origin's answer carries three more headers and
 * should cost little more; a middleware that makes Hono copy the handler's
 * answer (headers set on `c.res` before the handler) costs about a third
 * more here.
 * Run: `node bench/cors.ts` (from apps/reference-server).
 */
import { Hono } from 'hono';
import { Pool } from 'undici';
import { corsFor } from '../src/http/cors/index.ts';
import { cpuMicrosPerRequest, interleavedMedians, serveOnLoopback } from './delivery-lib.ts';

const ORIGIN = 'https://app.clinic.example';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8_000);
const ROUNDS = 5;
const CONCURRENCY = 10;
const page = {
  data: Array.from({ length: 20 }, (_, i) => ({
    id: `pat_${i}`,
    givenName: 'Ada',
    familyName: `Lovelace ${i}`,
    email: `ada${i}@example.com`,
    createdAt: new Date(0).toISOString(),
  })),
  nextCursor: null,
};
const app = new Hono();
app.use('/api/*', corsFor([ORIGIN]));
app.get('/api/v1/patients', (c) => c.json(page));

const served = await serveOnLoopback(app);
const pool = new Pool(served.url, { connections: CONCURRENCY });

/** CPU µs per answer over one pass; every answer checked for its CORS header. */
function pass(origin: string | undefined): Promise<number> {
  return cpuMicrosPerRequest(REQUESTS, CONCURRENCY, async () => {
    const res = await pool.request({
      method: 'GET',
      path: '/api/v1/patients',
      headers: origin ? { origin } : {},
    });
    await res.body.text();
    if ((res.headers['access-control-allow-origin'] === ORIGIN) !== (origin === ORIGIN)) {
      throw new Error('an answer with the wrong CORS headers');
    }
  });
}

const { none, allowed } = await interleavedMedians(ROUNDS, {
  none: () => pass(undefined),
  allowed: () => pass(ORIGIN),
});
await pool.close();
await served.close();
console.log(
  `CORS answers, ${REQUESTS.toLocaleString('en-US')} GETs × ${ROUNDS} rounds, concurrency ${CONCURRENCY}, Node ${process.version} (CPU µs per answer, route and load in one process, median)`,
);
console.log(`no Origin header          ${none.toFixed(1).padStart(6)} µs   (baseline)`);
console.log(
  `from an allowed origin    ${allowed.toFixed(1).padStart(6)} µs   ${(allowed / none).toFixed(2)}× the baseline`,
);
