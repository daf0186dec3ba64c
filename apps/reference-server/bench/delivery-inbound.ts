/**
 * Benchmark: inbound provider webhooks per second and p99 latency of a
 * verified (Standard Webhooks), deduplicated, durably stored webhook on
 * `POST /webhooks/visa`, against a bare Hono route served the same way, in
 * the same run, over real HTTP on 127.0.0.1. Processing is not included
 * (it happens after the answer, on the bus). On PostgreSQL a hand-written
 * route doing the same work with group commit (verify, seal the body, one
 * multi-row INSERT … ON CONFLICT DO NOTHING for every webhook that arrived
 * while the previous one committed) is the same-work baseline of goal 2
 * (issue 16: ≥ 0.9 of it and ≥ 0.3 of the bare route; MISS when missed).
 * Run: `pnpm --filter @clinicbridge/reference-server bench:delivery`.
 */

import type { AddressInfo } from 'node:net';
import { newId } from '@clinicbridge/sdk/contract';
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type pg from 'pg';
import { Agent } from 'undici';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { withKeyRing } from '../src/crypto/keys.ts';
import type { Database } from '../src/db/database.ts';
import { deliveryConfig } from '../src/delivery/config.ts';
import { resourceFeatures } from '../src/features.ts';
import { inboundConfig } from '../src/inbound/config.ts';
import { inboundFeature } from '../src/inbound/feature.ts';
import { sealRawBody } from '../src/inbound/raw-body.ts';
import { createLogger } from '../src/observability/logger.ts';
import { testKeyRing } from '../test/helpers/pii-keys.ts';
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

/** The same work by hand, with group commit: the same-work baseline of goal 2. */
function handWrittenGroupCommit(database: Database & { pool: pg.Pool }): Hono {
  interface Waiting {
    id: string;
    eventId: string;
    body: { raw_body: string; raw_body_kid: string };
    resolve: (duplicate: boolean) => void;
    reject: (error: unknown) => void;
  }
  let waiting: Waiting[] = [];
  let running = false;
  const drain = async () => {
    while (waiting.length > 0) {
      const batch = waiting.slice(0, 100);
      waiting = waiting.slice(batch.length);
      const values: unknown[] = [];
      const rows = batch.map((w) => {
        const at = values.length;
        values.push(w.id, w.eventId, w.body.raw_body, w.body.raw_body_kid);
        return `($${at + 1}, 'visa', $${at + 2}, 'visa.granted', 'received', $${at + 3}, $${at + 4}, 0, now(), now())`;
      });
      try {
        const { rows: inserted } = await database.pool.query<{ id: string }>(
          `insert into inbound_webhooks (id, provider, provider_event_id, event_type, status, raw_body, raw_body_kid, attempts, next_attempt_at, received_at)
           values ${rows.join(', ')} on conflict (provider, provider_event_id) do nothing returning id`,
          values,
        );
        const ids = new Set(inserted.map((r) => r.id));
        for (const w of batch) w.resolve(!ids.has(w.id));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    running = false;
  };
  const app = new Hono();
  const scheme = getScheme('standard');
  app.post('/webhooks/visa', async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    await scheme.verify(raw, c.req.raw.headers, [secret], { parse: false });
    const id = newId('inb');
    const duplicate = await new Promise<boolean>((resolve, reject) => {
      waiting.push({
        id,
        eventId: c.req.header('webhook-id') ?? '',
        body: sealRawBody(database.db, id, Buffer.from(raw).toString('utf8')),
        resolve,
        reject,
      });
      if (!running) {
        running = true;
        setImmediate(() => void drain());
      }
    });
    return c.json({ received: true, id, duplicate }, duplicate ? 200 : 202);
  });
  return app;
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
  // Webhook bodies are stored encrypted: the bench runs with the tests' keys.
  const database = withKeyRing(await openBenchDatabase(kind), testKeyRing);
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
  if (database.pool) {
    runs.push([
      `hand-written, group commit, ${kind}`,
      await measure(
        handWrittenGroupCommit(database as Database & { pool: pg.Pool }),
        '/webhooks/visa',
        true,
      ),
    ]);
  }
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

const project = runs.find(([name]) => name === 'verified + deduplicated + stored, postgres')?.[1];
const handWritten = runs.find(([name]) => name === 'hand-written, group commit, postgres')?.[1];
if (project && handWritten) {
  const ofHandWritten = project.perSecond / handWritten.perSecond;
  const ofBare = project.perSecond / baseline.perSecond;
  console.log(
    `${ofHandWritten >= 0.9 ? 'met ' : 'MISS'} 2. inbound on PostgreSQL vs hand-written group commit: ${ofHandWritten.toFixed(2)} (goal 0.9)`,
  );
  console.log(
    `${ofBare >= 0.3 ? 'met ' : 'MISS'} 2. inbound on PostgreSQL vs bare Hono: ${ofBare.toFixed(2)} (goal 0.3)`,
  );
}
