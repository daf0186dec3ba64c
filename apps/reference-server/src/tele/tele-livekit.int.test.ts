/**
 * Telemedicine rooms on LiveKit, end to end over real HTTP on 127.0.0.1: a
 * started server with `TELE_PROVIDER=livekit` whose LiveKit is the fake
 * served on 127.0.0.1. Opening a room creates it on LiveKit (the server's
 * call audited for the tenant); the patient's join link is refused until the
 * invoice is paid, then carries an access token LiveKit accepts for that
 * room only, with the patient's id as identity and no name beyond the one
 * asked. With LiveKit down the room is handed to the operators as a manual
 * task, and the request still succeeds.
 */
import {
  FakeLiveKit,
  LIVEKIT_API,
  type ServedFakeProvider,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import type { TeleJoinLink, TeleRoom } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { teleClient } from './__fixtures__/tele-client.ts';
import { teleRoomsFeature } from './feature.ts';

const livekit = new FakeLiveKit();
const MEET = 'https://meet.clinic.test/rooms';
let served: ServedFakeProvider;
let running: TestServer;

beforeAll(async () => {
  served = await serveFakeProvider(LIVEKIT_API, livekit.handlers());
  running = await startTestServer({
    tenantCount: 1,
    features: [teleRoomsFeature],
    env: {
      TELE_PROVIDER: 'livekit',
      TELE_LIVEKIT_URL: served.url,
      TELE_LIVEKIT_API_KEY: livekit.apiKey,
      TELE_LIVEKIT_API_SECRET: livekit.apiSecret,
      TELE_LIVEKIT_MEET_URL: MEET,
      TELE_JOIN_LINK_TTL: '20m',
    },
  });
}, 60_000);

afterAll(async () => {
  await running?.server.close();
  await served?.close();
});

const { send, api, booking } = teleClient(() => running);

test('the room is created on LiveKit; the patient joins only after prepayment, with a token for that room', async () => {
  const { patient, appointment, invoice } = await booking();
  const room = await api<TeleRoom>('POST', '/api/v1/tele-rooms', {
    appointmentId: appointment.id,
    invoiceId: invoice.id,
  });
  expect(room).toMatchObject({ status: 'open', provider: 'livekit', patientId: patient.id });
  const roomName = (room.roomUrl ?? '').slice(`${MEET}/`.length);
  expect(roomName).toMatch(/^[a-f0-9]{32}$/);
  expect(livekit.rooms.get(roomName)).toMatchObject({ maxParticipants: 4 });
  const audited = await until(async () => {
    const rows = await running.server.database.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('tenant_id', '=', running.tenants[0]?.tenantId ?? '')
      .where('action', '=', 'provider.call')
      .where('entity_id', '=', 'livekit')
      .execute();
    return rows.length > 0 ? rows : undefined;
  }, 'the LiveKit call audited for the tenant');
  expect(audited.map((row) => (row.metadata as { operation: string }).operation)).toContain(
    'tele.createRoom',
  );

  const refused = await send('POST', `/api/v1/tele-rooms/${room.id}/join`, { role: 'patient' });
  expect([refused.status, refused.body.code]).toEqual([409, 'prepayment_required']);

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
  expect(`${url.origin}${url.pathname}`).toBe(`${MEET}/${roomName}`);
  expect(url.searchParams.get('liveKitUrl')).toBe(served.url.replace(/^http/, 'ws'));
  const token = await livekit.verifyJoin(url.searchParams.get('token') ?? '');
  expect(token).toMatchObject({
    sub: patient.id,
    name: 'A. Y.',
    video: { roomJoin: true, room: roomName },
  });
  expect(token.exp).toBeLessThanOrEqual(before + 20 * 60 + 5);
  expect(JSON.stringify(token)).not.toContain('Yılmaz');
  expect((await api<TeleRoom>('GET', `/api/v1/tele-rooms/${room.id}`)).status).toBe('in_session');
});

test('with LiveKit down the room goes to the operators as a manual task and the request succeeds', async () => {
  livekit.outage();
  try {
    const { appointment, invoice } = await booking();
    const room = await api<TeleRoom>('POST', '/api/v1/tele-rooms', {
      appointmentId: appointment.id,
      invoiceId: invoice.id,
    });
    expect(room).toMatchObject({ status: 'manual', provider: 'manual', roomUrl: null });
    const tasks = await running.server.database.db
      .selectFrom('manual_tasks')
      .select(['kind', 'operation', 'reason', 'summary'])
      .where('subject_ref', '=', room.id)
      .execute();
    expect(tasks).toEqual([
      expect.objectContaining({
        kind: 'telemedicine',
        operation: 'tele.create',
        reason: 'provider_unavailable',
      }),
    ]);
    expect(tasks[0]?.summary).toContain('livekit');
  } finally {
    livekit.restore();
  }
});
