/** Spans and audit events: one per call, with correlation id, attempts and outcome. */
import type { Attributes, Span, SpanStatus, Tracer } from '@opentelemetry/api';
import { expect, test } from 'vitest';
import { json, scriptedFetch } from './__fixtures__/scripted-fetch.ts';
import { createProviderClient } from './client.ts';

interface Recorded {
  name: string;
  attributes: Attributes;
  status?: SpanStatus;
  ended: boolean;
}

/** Just enough of a Tracer to record what the client does with spans. */
function recordingTracer(spans: Recorded[]): Tracer {
  const startActiveSpan = (
    name: string,
    options: { attributes?: Attributes },
    fn: (span: Span) => unknown,
  ) => {
    const recorded: Recorded = { name, attributes: { ...options.attributes }, ended: false };
    spans.push(recorded);
    const span = {
      setAttribute: (key: string, value: unknown) => {
        recorded.attributes[key] = value as never;
        return span;
      },
      setStatus: (status: SpanStatus) => {
        recorded.status = status;
        return span;
      },
      end: () => {
        recorded.ended = true;
      },
    } as unknown as Span;
    return fn(span);
  };
  return { startActiveSpan, startSpan: () => undefined } as unknown as Tracer;
}

test('one client span per call, with correlation id, attempts and error code', async () => {
  const spans: Recorded[] = [];
  const { fetch } = scriptedFetch([json({ ok: 1 }, 200), json({}, 404)]);
  const client = createProviderClient({
    provider: 'acme',
    baseUrl: 'https://api.acme.test',
    fetch,
    tracer: recordingTracer(spans),
  });
  await client.json({ operation: 'things.get', path: '/t', correlationId: 'corr_1' });
  await client
    .json({ operation: 'things.get', path: '/t', correlationId: 'corr_2' })
    .catch(() => undefined);
  expect(spans).toHaveLength(2);
  expect(spans[0]).toMatchObject({
    name: 'acme things.get',
    attributes: {
      'clinicbridge.provider': 'acme',
      'clinicbridge.operation': 'things.get',
      'clinicbridge.correlation_id': 'corr_1',
      'http.request.method': 'GET',
    },
    status: { code: 1 },
    ended: true,
  });
  expect(spans[1]).toMatchObject({
    attributes: {
      'clinicbridge.correlation_id': 'corr_2',
      'clinicbridge.error_code': 'not_found',
      'clinicbridge.attempts': 1,
    },
    status: { code: 2, message: 'not_found' },
    ended: true,
  });
});

test('a generated correlation id reaches the error when the caller gives none', async () => {
  const { fetch } = scriptedFetch([json({}, 400)]);
  const client = createProviderClient({
    provider: 'acme',
    baseUrl: 'https://api.acme.test',
    fetch,
  });
  const error = await client.json({ operation: 'things.get', path: '/t' }).catch((e: unknown) => e);
  expect((error as { correlationId?: string }).correlationId).toMatch(/^[0-9a-f-]{36}$/);
});

test('one audit event per call, with attempts and outcome, no content', async () => {
  const events: unknown[] = [];
  const { fetch } = scriptedFetch([json({}, 503), json({ secret: 'x' }, 200), json({}, 409)]);
  const client = createProviderClient({
    provider: 'acme',
    baseUrl: 'https://api.acme.test',
    fetch,
    idempotencyHeader: 'Idempotency-Key',
    policies: { retry: { baseDelayMs: 1, maxDelayMs: 1 } },
    audit: (event) => {
      events.push({ ...event, durationMs: typeof event.durationMs, at: typeof event.at });
    },
  });
  await client.json({
    operation: 'refunds.create',
    method: 'post',
    path: '/r',
    idempotencyKey: 'ref_1',
    correlationId: 'c1',
  });
  await client
    .json({
      operation: 'refunds.create',
      method: 'post',
      path: '/r',
      idempotencyKey: 'ref_2',
      correlationId: 'c2',
    })
    .catch(() => undefined);
  expect(events).toEqual([
    {
      provider: 'acme',
      operation: 'refunds.create',
      outcome: 'ok',
      attempts: 2,
      durationMs: 'number',
      correlationId: 'c1',
      idempotencyKey: 'ref_1',
      replayed: false,
      at: 'string',
    },
    {
      provider: 'acme',
      operation: 'refunds.create',
      outcome: 'conflict',
      attempts: 1,
      durationMs: 'number',
      correlationId: 'c2',
      idempotencyKey: 'ref_2',
      replayed: false,
      at: 'string',
    },
  ]);
});

test('a throwing audit hook does not fail the call', async () => {
  const { fetch } = scriptedFetch([json({ ok: 1 }, 200)]);
  const client = createProviderClient({
    provider: 'acme',
    baseUrl: 'https://api.acme.test',
    fetch,
    audit: () => {
      throw new Error('audit store down');
    },
  });
  await expect(client.json({ operation: 't', path: '/t' })).resolves.toEqual({ ok: 1 });
});
