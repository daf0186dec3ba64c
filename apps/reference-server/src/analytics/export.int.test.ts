/**
 * The analytics export from a running server to a Segment-compatible batch
 * API (the fake Segment collector over real HTTP on 127.0.0.1): events of
 * API writes reach the collector pseudonymised — per-tenant keyed
 * pseudonyms, no raw id, name, email or service — at least once; while the
 * collector answers 503 they wait in `analytics_events` (backlog and
 * freshness grow on /metrics, nothing is marked exported) and are sent when
 * it recovers, after which backlog and freshness are 0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FakeSegment,
  SEGMENT_API,
  type ServedFakeProvider,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { analyticsFeature } from './feature.ts';
import { createPseudonymiser } from './pseudonymiser.ts';

const secret = 'analytics-export-secret-0123456789';
const pseudonymiser = createPseudonymiser(secret);
const segment = new FakeSegment('wk_export_test');
let down = true;
let attemptsWhileDown = 0;
let served: ServedFakeProvider;
/** In front of the fake: 503 while `down`, else the fake's answer. */
let front: Server;
let frontUrl: string;
let running: TestServer;

async function post(tenant: number, path: string, body: unknown): Promise<string> {
  const res = await fetch(`${running.server.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.tenants[tenant]?.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const metric = async (name: string) => {
  const text = await (await fetch(`${running.server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

beforeAll(async () => {
  served = await serveFakeProvider(SEGMENT_API, segment.handlers());
  front = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (down) {
        attemptsWhileDown += 1;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"success":false}');
        return;
      }
      fetch(`${served.url}${req.url}`, {
        method: req.method ?? 'POST',
        headers: {
          authorization: req.headers.authorization ?? '',
          'content-type': req.headers['content-type'] ?? 'application/json',
        },
        body: Buffer.concat(chunks),
      })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  running = await startTestServer({
    tenantCount: 2,
    features: [analyticsFeature],
    env: {
      WEBHOOK_POLL_INTERVAL: '50ms',
      SEGMENT_WRITE_KEY: 'wk_export_test',
      SEGMENT_URL: frontUrl,
      ANALYTICS_PSEUDONYM_KEY: secret,
    },
  });
}, 60_000);

afterAll(async () => {
  await running?.server.close();
  await new Promise((resolve) => front?.close(resolve));
  await served?.close();
});

describe('the analytics export', () => {
  test('pseudonymised events wait out an outage and reach the collector once it answers', async () => {
    const [a, b] = running.tenants.map((t) => t.tenantId) as [string, string];
    const patientA = await post(0, '/api/v1/patients', patientBody());
    const patientB = await post(1, '/api/v1/patients', patientBody({ email: 'b@example.com' }));
    const appointments = [
      await post(0, '/api/v1/appointments', appointmentBody(patientA)),
      await post(0, '/api/v1/appointments', appointmentBody(patientA)),
      await post(1, '/api/v1/appointments', appointmentBody(patientB)),
    ];

    // The collector is down: the attempts fail, nothing is marked, the backlog waits and ages.
    await until(
      async () =>
        ((await metric('analytics_exported_total{outcome="failed"}')) ?? 0) > 0 || undefined,
      'a failed export attempt',
    );
    expect(attemptsWhileDown).toBeGreaterThan(0);
    expect(segment.events).toEqual([]);
    // The subscriber records the three events in the background; the gauge counts them as they come.
    await until(
      async () => ((await metric('analytics_export_backlog_events')) === 3 ? true : undefined),
      'a backlog of three events',
    );
    const exported = await running.server.database.db
      .selectFrom('analytics_events')
      .select('event_id')
      .where('exported_at', 'is not', null)
      .execute();
    expect(exported).toEqual([]);
    await until(
      async () => ((await metric('analytics_export_freshness_seconds')) ?? 0) > 0 || undefined,
      'a growing freshness',
    );

    down = false;
    await until(
      () => (segment.events.length >= 3 ? true : undefined),
      'three events at the collector',
      // The job backs off while the collector was down (up to 60 s).
      120_000,
    );
    expect(segment.events).toHaveLength(3);
    const refA = pseudonymiser.pseudonym(a, patientA);
    const refB = pseudonymiser.pseudonym(b, patientB);
    expect(segment.events.map((e) => e.userId).sort()).toEqual([refA, refA, refB].sort());
    expect(pseudonymiser.pseudonym(b, patientA)).not.toBe(refA);
    for (const event of segment.events) {
      expect(event).toMatchObject({
        type: 'track',
        event: 'appointment.created',
        properties: expect.objectContaining({ status: 'scheduled' }),
      });
      expect(event.messageId).toMatch(/^[0-9a-f]{64}$/);
    }
    const sent = segment.requests.join('\n');
    for (const raw of [
      a,
      b,
      patientA,
      patientB,
      ...appointments,
      'Ada',
      'Yılmaz',
      'ada@example.com',
      'b@example.com',
      '+905551112233',
      'Dental consultation',
    ])
      expect(sent).not.toContain(raw);
    await until(
      async () => ((await metric('analytics_export_backlog_events')) === 0 ? true : undefined),
      'an empty backlog',
    );
    expect(await metric('analytics_export_freshness_seconds')).toBe(0);
    expect(await metric('analytics_exported_total{outcome="exported"}')).toBe(3);
  }, 240_000);
});
