import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';

let t: TestApp;
let token: string;
let patientId: string;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
  token = t.tenants[0]?.apiKey ?? '';
  patientId = (
    await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() }),
    )
  ).id;
});
afterAll(() => t.close());

describe('visits', () => {
  test('complete once, emitting visit.completed without the clinical summary', async () => {
    const appointment = await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/appointments', {
        token,
        body: appointmentBody(patientId),
      }),
    );
    const visit = await json<{ id: string; status: string }>(
      await call(t.app, 'POST', '/api/v1/visits', {
        token,
        body: { patientId, appointmentId: appointment.id },
      }),
    );
    expect(visit.status).toBe('open');
    const done = await call(t.app, 'POST', `/api/v1/visits/${visit.id}/complete`, {
      token,
      body: { summary: 'Caries on 36; filling done' },
    });
    expect(await json(done)).toMatchObject({
      status: 'completed',
      summary: 'Caries on 36; filling done',
    });
    const again = await call(t.app, 'POST', `/api/v1/visits/${visit.id}/complete`, {
      token,
      body: {},
    });
    expect(again.status).toBe(409);
    const events = await call(t.app, 'GET', `/api/v1/events?entityId=${visit.id}`, { token });
    const text = await events.text();
    expect(JSON.parse(text).data[0]).toMatchObject({
      type: 'visit.completed',
      data: { visitId: visit.id, patientId, appointmentId: appointment.id },
    });
    expect(text).not.toContain('Caries');
  });

  test('an appointment of another patient is refused', async () => {
    const other = await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() }),
    );
    const appointment = await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/appointments', { token, body: appointmentBody(other.id) }),
    );
    const res = await call(t.app, 'POST', '/api/v1/visits', {
      token,
      body: { patientId, appointmentId: appointment.id },
    });
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe('unprocessable');
  });
});
