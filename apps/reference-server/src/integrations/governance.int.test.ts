/**
 * Integration governance over real HTTP on 127.0.0.1, with the delivery
 * worker sending to a real receiver on 127.0.0.1 (PGlite, or PostgreSQL
 * with TEST_DATABASE_URL): the governance record, an API key and a webhook
 * endpoint linked to an integration, pausing refuses the key with 403
 * `integration_paused` and holds the endpoint's deliveries (the receiver
 * gets nothing while an unlinked endpoint gets the same events), deprecating
 * answers `integration_deprecated`, resuming delivers the held ones once;
 * and the review-due alert, raised once however often the job runs.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { eventFeatures } from '../../test/helpers/features.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { inboundConfig } from '../inbound/config.ts';
import { raiseReviewAlerts } from './review.ts';

let running: TestServer;
let receiver: Receiver;

interface Answer {
  status: number;
  type: string | null;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, body?: unknown, key?: string): Promise<Answer> {
  const res = await fetch(`${running.server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key ?? running.tenants[0]?.apiKey}`,
      'content-type': 'application/json',
      ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function ok(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const answer = await call(method, path, body);
  if (answer.status >= 300) {
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

const db = () => running.server.database.db;
const received = (path: string) => receiver.received.filter((r) => r.path === path);

beforeAll(async () => {
  receiver = await startReceiver();
  const config = {
    ...deliveryConfig.parse({
      WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host,
      WEBHOOK_TIMEOUT_MS: '5000',
    }),
    ...inboundConfig.parse({}),
  };
  running = await startTestServer({
    tenantCount: 1,
    features: eventFeatures(config),
    env: { WEBHOOK_POLL_INTERVAL: '50ms', INTEGRATION_REVIEW_ALERT_DAYS: '30' },
  });
}, 180_000);

afterAll(async () => {
  await running?.server.close();
  await receiver?.close();
});

describe(`integration governance (${testDatabaseKind})`, () => {
  test('pausing refuses the linked key and holds the linked endpoint; resuming delivers the held events once', async () => {
    const integration = await ok('POST', '/api/v1/integrations', {
      name: 'Lab results',
      purpose: 'Lab sends results',
      scopes: ['read:patients'],
      apis: ['patients.list'],
      events: ['appointment.created'],
      owner: 'IT lead',
      justification: 'Results reach doctors without re-typing',
      dataScope: 'Patient ids and lab results; no contact details',
      risk: { level: 'high', notes: 'Reads identified data' },
      reviewDate: '2099-06-30',
    });
    const id = integration.id as string;
    expect(integration).toMatchObject({
      status: 'active',
      owner: 'IT lead',
      justification: 'Results reach doctors without re-typing',
      dataScope: 'Patient ids and lab results; no contact details',
      risk: { level: 'high', notes: 'Reads identified data' },
      reviewDate: '2099-06-30',
    });

    // A key linked at creation, an endpoint linked afterwards, and an unlinked control endpoint.
    const token = await ok('POST', '/api/v1/integration-tokens', {
      name: 'lab',
      scopes: ['read:patients'],
      integrationId: id,
    });
    expect(token.integrationId).toBe(id);
    const key = token.apiKey as string;
    const held = await ok('POST', '/api/v1/webhook-endpoints', {
      url: `${receiver.url}/held`,
      eventTypes: ['appointment.created'],
    });
    const control = await ok('POST', '/api/v1/webhook-endpoints', {
      url: `${receiver.url}/control`,
      eventTypes: ['appointment.created'],
    });
    receiver.secrets.set('/held', [held.secret as string]);
    receiver.secrets.set('/control', [control.secret as string]);
    await ok('POST', `/api/v1/integrations/${id}/link`, { webhookEndpointId: held.id });
    expect((await ok('GET', `/api/v1/webhook-endpoints/${held.id}`)).integrationId).toBe(id);
    expect((await call('GET', '/api/v1/patients', undefined, key)).status).toBe(200);

    expect(
      (await ok('POST', `/api/v1/integrations/${id}/pause`, { reason: 'partner incident' })).status,
    ).toBe('paused');
    const refused = await call('GET', '/api/v1/patients', undefined, key);
    expect(refused.status).toBe(403);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.code).toBe('integration_paused');
    // Pausing twice is not a transition.
    expect((await call('POST', `/api/v1/integrations/${id}/pause`, {})).body.code).toBe(
      'invalid_state_transition',
    );

    // Two events while paused: the control endpoint gets both, the held one nothing.
    const patient = await ok('POST', '/api/v1/patients', patientBody());
    const appointments = [];
    for (const day of [7, 8]) {
      appointments.push(
        await ok(
          'POST',
          '/api/v1/appointments',
          appointmentBody(patient.id as string, {
            startsAt: `2027-01-0${day}T09:00:00.000Z`,
            endsAt: `2027-01-0${day}T09:30:00.000Z`,
          }),
        ),
      );
    }
    await until(
      async () => (received('/control').length >= 2 ? true : undefined),
      'the control endpoint to receive both events',
    );
    const waiting = await db()
      .selectFrom('deliveries')
      .select(['id', 'status', 'attempt_count'])
      .where('endpoint_id', '=', held.id as string)
      .execute();
    expect(waiting).toHaveLength(2);
    expect(waiting.every((d) => d.status === 'pending' && d.attempt_count === 0)).toBe(true);
    expect(received('/held')).toHaveLength(0);

    expect((await ok('POST', `/api/v1/integrations/${id}/deprecate`, {})).status).toBe(
      'deprecated',
    );
    expect((await call('GET', '/api/v1/patients', undefined, key)).body.code).toBe(
      'integration_deprecated',
    );
    expect(received('/held')).toHaveLength(0);

    expect((await ok('POST', `/api/v1/integrations/${id}/resume`, {})).status).toBe('active');
    await until(async () => {
      const rows = await db()
        .selectFrom('deliveries')
        .select('status')
        .where('endpoint_id', '=', held.id as string)
        .execute();
      return rows.every((d) => d.status === 'succeeded') ? true : undefined;
    }, 'the held deliveries to succeed');
    const arrived = received('/held');
    expect(arrived).toHaveLength(2);
    expect(arrived.every((r) => r.verified)).toBe(true);
    const entityIds = arrived.map((r) => (JSON.parse(r.body) as { entityId: string }).entityId);
    expect(entityIds.sort()).toEqual(appointments.map((a) => a.id as string).sort());
    expect((await call('GET', '/api/v1/patients', undefined, key)).status).toBe(200);

    const audit = await ok('GET', `/api/v1/audit-events?entityId=${id}&limit=20`);
    const actions = (audit.data as { action: string }[]).map((a) => a.action);
    for (const action of [
      'integration.created',
      'integration.linked',
      'integration.paused',
      'integration.deprecated',
      'integration.resumed',
    ]) {
      expect(actions).toContain(action);
    }
  });

  test('links are checked: unknown integration, foreign resources, unlinking what is not linked', async () => {
    const bad = await call('POST', '/api/v1/integration-tokens', {
      name: 'x',
      scopes: ['read:patients'],
      integrationId: 'int_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    const integration = await ok('POST', '/api/v1/integrations', {
      name: 'CRM',
      purpose: 'Leads',
      scopes: [],
      apis: [],
      events: [],
    });
    const token = await ok('POST', '/api/v1/integration-tokens', {
      name: 'crm',
      scopes: ['read:patients'],
    });
    const path = `/api/v1/integrations/${integration.id}`;
    expect((await call('POST', `${path}/unlink`, { tokenId: token.id })).body.code).toBe(
      'conflict',
    );
    expect(
      (await call('POST', `${path}/link`, { tokenId: 'tok_aaaaaaaaaaaaaaaaaaaaaaaaaa' })).status,
    ).toBe(404);
    expect((await call('POST', `${path}/link`, {})).status).toBe(400);
    await ok('POST', `${path}/link`, { tokenId: token.id });
    await ok('POST', `${path}/pause`, {});
    expect((await call('GET', '/api/v1/patients', undefined, token.apiKey as string)).status).toBe(
      403,
    );
    await ok('POST', `${path}/unlink`, { tokenId: token.id });
    // No longer the paused integration's: the key works again.
    expect((await call('GET', '/api/v1/patients', undefined, token.apiKey as string)).status).toBe(
      200,
    );
  });

  test('an OAuth client linked to a paused integration gets no token, and its issued tokens are refused', async () => {
    const tenant = running.tenants[0];
    const tokenRequest = () =>
      fetch(`${running.server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: tenant?.clientId ?? '',
          client_secret: tenant?.clientSecret ?? '',
          scope: 'read:patients',
        }),
      });
    const integration = await ok('POST', '/api/v1/integrations', {
      name: 'Partner portal',
      purpose: 'Portal',
      scopes: ['read:patients'],
      apis: [],
      events: [],
    });
    const path = `/api/v1/integrations/${integration.id}`;
    await ok('POST', `${path}/link`, { clientId: tenant?.clientId });
    const issued = (await (await tokenRequest()).json()) as { access_token: string };
    expect((await call('GET', '/api/v1/patients', undefined, issued.access_token)).status).toBe(
      200,
    );
    await ok('POST', `${path}/pause`, {});
    const used = await call('GET', '/api/v1/patients', undefined, issued.access_token);
    expect(used.status).toBe(403);
    expect(used.body.code).toBe('integration_paused');
    const refused = await tokenRequest();
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('integration_paused');
    await ok('POST', `${path}/resume`, {});
    expect((await tokenRequest()).status).toBe(200);
    await ok('POST', `${path}/unlink`, { clientId: tenant?.clientId });
  });

  test('a review coming due raises one alert, however often the job runs; a new date arms it again', async () => {
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const due = await ok('POST', '/api/v1/integrations', {
      name: 'Booking widget',
      purpose: 'Online booking',
      scopes: [],
      apis: [],
      events: [],
      reviewDate: inDays(10),
    });
    const later = await ok('POST', '/api/v1/integrations', {
      name: 'Survey tool',
      purpose: 'Feedback',
      scopes: [],
      apis: [],
      events: [],
      reviewDate: inDays(200),
    });
    const alertsOf = async (integrationId: unknown) =>
      (
        await sql<{ n: number }>`
          select count(*)::int as n from operator_alerts
          where kind = 'integration_review_due' and details->>'integrationId' = ${String(integrationId)}`.execute(
          db(),
        )
      ).rows[0]?.n ?? 0;
    // The server's scheduler raises it on its own.
    await until(
      async () => ((await alertsOf(due.id)) === 1 ? true : undefined),
      'the review-due alert',
    );
    // Repeated and concurrent runs raise nothing more.
    await Promise.all([1, 2, 3].map(() => raiseReviewAlerts(db(), new Date(), 30)));
    expect(await raiseReviewAlerts(db(), new Date(), 30)).toBe(0);
    expect(await alertsOf(due.id)).toBe(1);
    expect(await alertsOf(later.id)).toBe(0);
    // A new review date inside the window is a new review: one more alert.
    await ok('PATCH', `/api/v1/integrations/${due.id}`, { reviewDate: inDays(20) });
    await until(
      async () => ((await alertsOf(due.id)) === 2 ? true : undefined),
      'the alert for the new review date',
    );
    await raiseReviewAlerts(db(), new Date(), 30);
    expect(await alertsOf(due.id)).toBe(2);
  });
});
