/**
 * Telemedicine rooms end to end over real HTTP on 127.0.0.1: a started
 * server with Jitsi configured opens a room for an appointment; the
 * patient's join link is refused (409 `prepayment_required`) until the
 * invoice is paid through the API; the link then issued carries a token
 * that verifies with jose against the app secret for that room; completing
 * the session schedules its follow-up, and the `tele.*` events are recorded
 * and delivered, signed, to a webhook endpoint, with ids, codes and times
 * only. A server without a video provider hands the room to the operators.
 */
import type { EventEnvelope, TeleJoinLink, TeleRoom } from '@clinicbridge/sdk/contract';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { eventFeatures } from '../../test/helpers/features.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { inboundConfig } from '../inbound/config.ts';
import { teleClient as client } from './__fixtures__/tele-client.ts';
import { teleRoomsFeature } from './feature.ts';

const JITSI = {
  TELE_JITSI_DOMAIN: 'meet.clinic.test',
  TELE_JITSI_APP_ID: 'clinicbridge',
  TELE_JITSI_SECRET: 'tele-e2e-secret-0123456789abcdefghij',
};
const busEnv = { WEBHOOK_POLL_INTERVAL: '50ms', WEBHOOK_TIMEOUT_MS: '2000' };

let receiver: Receiver;
let running: TestServer;
let bare: TestServer;

beforeAll(async () => {
  receiver = await startReceiver();
  const allow = new URL(receiver.url).host;
  running = await startTestServer({
    tenantCount: 1,
    features: [
      ...eventFeatures({
        ...deliveryConfig.parse({ ...busEnv, WEBHOOK_TARGET_ALLOWLIST: allow }),
        ...inboundConfig.parse({}),
      }),
      teleRoomsFeature,
    ],
    env: { ...JITSI, ...busEnv, WEBHOOK_TARGET_ALLOWLIST: allow, TELE_JOIN_LINK_TTL: '30m' },
  });
  bare = await startTestServer({ tenantCount: 1, features: [teleRoomsFeature] });
}, 60_000);

afterAll(async () => {
  await running?.server.close();
  await bare?.server.close();
  await receiver?.close();
});

describe('with Jitsi', () => {
  const { send, api, booking } = client(() => running);

  test('prepayment gates the patient; the link verifies for its room; completion schedules the follow-up and delivers the events', async () => {
    const endpoint = await api<{ id: string; secret: string }>(
      'POST',
      '/api/v1/webhook-endpoints',
      {
        url: `${receiver.url}/tele`,
        eventTypes: [
          'tele.room.created',
          'tele.session.started',
          'tele.session.completed',
          'tele.session.failed',
        ],
      },
    );
    receiver.secrets.set('/tele', [endpoint.secret]);
    const { patient, appointment, invoice } = await booking();

    const room = await api<TeleRoom>('POST', '/api/v1/tele-rooms', {
      appointmentId: appointment.id,
      invoiceId: invoice.id,
    });
    expect(room).toMatchObject({ status: 'open', provider: 'jitsi', patientId: patient.id });
    const roomName = new URL(room.roomUrl ?? '').pathname.slice(1);
    expect(roomName).toMatch(/^[a-f0-9]{32}$/);
    expect(
      (
        await send('POST', '/api/v1/tele-rooms', {
          appointmentId: appointment.id,
          invoiceId: invoice.id,
        })
      ).status,
    ).toBe(409);

    const refused = await send('POST', `/api/v1/tele-rooms/${room.id}/join`, { role: 'patient' });
    expect([refused.status, refused.body.code]).toEqual([409, 'prepayment_required']);
    expect((await api<TeleRoom>('GET', `/api/v1/tele-rooms/${room.id}`)).status).toBe('open');

    await api('POST', '/api/v1/payments', {
      invoiceId: invoice.id,
      amount: { amount: 9_000, currency: 'EUR' },
      method: 'card',
      source: 'terminal',
    });
    const before = Math.floor(Date.now() / 1000);
    const link = await api<TeleJoinLink>('POST', `/api/v1/tele-rooms/${room.id}/join`, {
      role: 'patient',
      displayName: 'A. Y.',
    });
    const url = new URL(link.url ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`https://meet.clinic.test/${roomName}`);
    const { payload } = await jwtVerify(
      url.searchParams.get('jwt') ?? '',
      new TextEncoder().encode(JITSI.TELE_JITSI_SECRET),
      {
        issuer: 'clinicbridge',
        audience: 'jitsi',
        subject: 'meet.clinic.test',
        algorithms: ['HS256'],
      },
    );
    expect(payload).toMatchObject({
      room: roomName,
      context: { user: { id: patient.id, name: 'A. Y.', moderator: false } },
    });
    expect(payload.exp).toBeLessThanOrEqual(before + 30 * 60 + 5);
    expect(JSON.stringify(payload)).not.toContain('Yılmaz');
    // The link is a credential: a replay of its request does not return it again.
    const replay = async () => {
      const res = await fetch(`${running.server.url}/api/v1/tele-rooms/${room.id}/join`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${running.tenants[0]?.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': `join-${room.id}`,
        },
        body: JSON.stringify({ role: 'patient' }),
      });
      return (await res.json()) as TeleJoinLink;
    };
    expect((await replay()).url).toEqual(expect.any(String));
    const replayed = await replay();
    expect(replayed).toMatchObject({ teleRoomId: room.id, secretShownOnce: true });
    expect(replayed.url).toBeUndefined();
    const host = await api<TeleJoinLink>('POST', `/api/v1/tele-rooms/${room.id}/join`, {
      role: 'host',
    });
    expect(host.role).toBe('host');
    expect((await api<TeleRoom>('GET', `/api/v1/tele-rooms/${room.id}`)).status).toBe('in_session');

    const done = await api<TeleRoom>('POST', `/api/v1/tele-rooms/${room.id}/complete`, {
      outcome: 'completed',
      followUpInDays: 10,
    });
    const due = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    expect(done).toMatchObject({ status: 'completed', followUpDue: due, failureCode: null });
    const again = await send('POST', `/api/v1/tele-rooms/${room.id}/complete`, {
      outcome: 'failed',
    });
    expect([again.status, again.body.code]).toEqual([409, 'invalid_state_transition']);

    const tasks = await running.server.database.db
      .selectFrom('manual_tasks')
      .select(['kind', 'operation', 'reason', 'summary'])
      .where('subject_ref', '=', room.id)
      .execute();
    expect(tasks).toEqual([
      expect.objectContaining({
        kind: 'telemedicine',
        operation: 'tele.follow_up',
        reason: 'follow_up_due',
      }),
    ]);
    expect(tasks[0]?.summary).toContain(due);

    const events = await api<{ data: EventEnvelope[] }>(
      'GET',
      `/api/v1/events?entityId=${room.id}`,
    );
    expect(events.data.map((e) => e.type)).toEqual([
      'tele.session.completed',
      'tele.session.started',
      'tele.room.created',
    ]);
    expect(events.data[0]?.data).toMatchObject({
      teleRoomId: room.id,
      status: 'completed',
      followUpDue: due,
    });
    const text = JSON.stringify(events.data);
    for (const secret of [link.url ?? 'none', 'Yılmaz', 'A. Y.', roomName])
      expect(text).not.toContain(secret);

    const delivered = await until(() => {
      const mine = receiver.received.filter((r) => r.path === '/tele' && r.body.includes(room.id));
      return mine.length === 3 ? mine : undefined;
    }, 'three tele events delivered');
    expect(delivered.every((r) => r.verified)).toBe(true);
    expect(delivered.map((r) => (JSON.parse(r.body) as { type: string }).type).sort()).toEqual([
      'tele.room.created',
      'tele.session.completed',
      'tele.session.started',
    ]);
  });

  test('a failed session records its code and asks the operators to rebook; a bad request is 400', async () => {
    const { appointment, invoice } = await booking();
    const room = await api<TeleRoom>('POST', '/api/v1/tele-rooms', {
      appointmentId: appointment.id,
      invoiceId: invoice.id,
    });
    const failed = await api<TeleRoom>('POST', `/api/v1/tele-rooms/${room.id}/complete`, {
      outcome: 'failed',
      failureCode: 'no_show',
    });
    expect(failed).toMatchObject({ status: 'failed', failureCode: 'no_show', followUpDue: null });
    const task = await running.server.database.db
      .selectFrom('manual_tasks')
      .select(['operation', 'reason'])
      .where('subject_ref', '=', room.id)
      .executeTakeFirst();
    expect(task).toEqual({ operation: 'tele.rebook', reason: 'no_show' });
    const bad = await send('POST', `/api/v1/tele-rooms/${room.id}/complete`, {
      outcome: 'failed',
      failureCode: 'Patient did not come',
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    const other = await booking();
    const mismatch = await send('POST', '/api/v1/tele-rooms', {
      appointmentId: appointment.id,
      invoiceId: other.invoice.id,
    });
    expect([mismatch.status, mismatch.body.code]).toEqual([400, 'validation_failed']);
  });
});

describe('without a video provider', () => {
  const { send, api, booking } = client(() => bare);

  test('the room is handed to the operators and issues no link', async () => {
    const { appointment, invoice } = await booking();
    const room = await api<TeleRoom>('POST', '/api/v1/tele-rooms', {
      appointmentId: appointment.id,
      invoiceId: invoice.id,
    });
    expect(room).toMatchObject({ status: 'manual', provider: 'manual', roomUrl: null });
    const tasks = await bare.server.database.db
      .selectFrom('manual_tasks')
      .select(['kind', 'operation', 'reason'])
      .where('subject_ref', '=', room.id)
      .execute();
    expect(tasks).toEqual([
      { kind: 'telemedicine', operation: 'tele.create', reason: 'tele_provider_not_configured' },
    ]);
    const host = await send('POST', `/api/v1/tele-rooms/${room.id}/join`, { role: 'host' });
    expect([host.status, host.body.code]).toEqual([409, 'invalid_state_transition']);
  });
});
