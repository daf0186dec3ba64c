/**
 * Benchmark: inbound provider webhooks per second and p99 latency of a
 * verified (Standard Webhooks), deduplicated, durably stored webhook on
 * `POST /webhooks/visa`, against a bare Hono route served the same way, in
 * the same run, over real HTTP on 127.0.0.1. Processing is not included
 * (it happens after the answer, on the bus).
 * Run: `pnpm --filter @clinicbridge/reference-server bench:delivery`.
 */

import type { AddressInfo } from 'node:net';
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Agent } from 'undici';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { deliveryConfig } from '../src/delivery/config.ts';
import { resourceFeatures } from '../src/features.ts';
import { inboundConfig } from '../src/inbound/config.ts';
import { inboundFeature } from '../src/inbound/feature.ts';
import { createLogger } from '../src/observability/logger.ts';
import {
  fmt,
  type LoopResult,
  openBenchDatabase,
  postgresAnswers,
  postLoop,
} from './delivery-lib.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const CONCURRENCY = 20;
const secret = generateSecret();
const body = JSON.stringify({
  type: 'visa.granted',
  tenantId: 'ten_benchinboundtenant0000001',
  data: { caseId: 'case-1', country: 'TR', status: 'granted' },
});

async function measure(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  path: string,
  signed: boolean,
) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((done) => server.once('listening', () => done()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const scheme = getScheme('standard');
  const result = await postLoop(agent, url, REQUESTS, CONCURRENCY, (i) => ({
    body,
    headers: signed
      ? scheme.signSync({
          id: `msg_bench_${path.length}_${i}_${Date.now()}`,
          payload: body,
          secret,
        })
      : {},
  }));
  await agent.close();
  await new Promise((done) => server.close(done));
  return result;
}

function line(name: string, r: LoopResult, base?: LoopResult) {
  const ratio = base ? `${fmt((r.perSecond / base.perSecond) * 100)}% of baseline` : '(baseline)';
  console.log(
    `${name.padEnd(34)} ${fmt(r.perSecond).padStart(7)} req/s   p50 ${fmt(r.p50, 1)} ms   p99 ${fmt(r.p99, 1)} ms   ${ratio}${r.failures ? `   ${r.failures} non-2xx` : ''}`,
  );
}

const bare = new Hono();
bare.post('/bare', async (c) => {
  await c.req.arrayBuffer();
  return c.json({ received: true }, 202);
});
const firstBaseline = await measure(bare, '/bare', false);
const runs: [string, LoopResult][] = [];
const kinds: ('pglite' | 'postgres')[] = ['pglite'];
const postgres = await postgresAnswers();
if (postgres) kinds.push('postgres');
for (const kind of kinds) {
  const database = await openBenchDatabase(kind);
  const config = {
    ...loadConfig({ LOG_LEVEL: 'silent' }),
    ...deliveryConfig.parse({ WEBHOOK_DISPATCHER: 'false' }),
    ...inboundConfig.parse({ INBOUND_VISA_SECRET: secret }),
  };
  const app = createApp({
    database,
    config,
    logger: createLogger('silent'),
    features: [...resourceFeatures, inboundFeature({ config })],
  });
  runs.push([
    `verified + deduplicated + stored, ${kind}`,
    await measure(app, '/webhooks/visa', true),
  ]);
  await database.close();
}
const lastBaseline = await measure(bare, '/bare', false);
const baseline = lastBaseline.perSecond > firstBaseline.perSecond ? lastBaseline : firstBaseline;
console.log(
  `Inbound webhooks, ${fmt(REQUESTS)} requests, concurrency ${CONCURRENCY}, Node ${process.version}`,
);
line('bare Hono route', baseline);
for (const [name, r] of runs) line(name, r, baseline);
if (!postgres)
  console.log('PostgreSQL does not answer: skipping the PostgreSQL run (set BENCH_DATABASE_URL).');
