/**
 * Property test of the appointment state machine through the API: any
 * sequence of actions leaves the appointment exactly where the contract's
 * `nextAppointmentStatus` says, refusing every illegal move with 409.
 */
import {
  type AppointmentAction,
  type AppointmentStatus,
  nextAppointmentStatus,
} from '@clinicbridge/sdk/contract';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';

let t: TestApp;
let token: string;
let patientId: string;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1, env: { RATE_LIMIT_HIGH_PER_MINUTE: '1000000' } });
  token = t.tenants[0]?.apiKey ?? '';
  patientId = (
    await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() }),
    )
  ).id;
});
afterAll(() => t.close());

const bodies: Record<AppointmentAction, unknown> = {
  cancel: { reason: 'property' },
  complete: {},
  reschedule: { startsAt: '2026-12-05T10:00:00Z', endsAt: '2026-12-05T10:30:00Z' },
};

test('any action sequence follows nextAppointmentStatus', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom<AppointmentAction>('cancel', 'complete', 'reschedule'), {
        maxLength: 5,
      }),
      async (actions) => {
        const created = await json<{ id: string }>(
          await call(t.app, 'POST', '/api/v1/appointments', {
            token,
            body: appointmentBody(patientId),
          }),
        );
        let model: AppointmentStatus = 'scheduled';
        for (const action of actions) {
          const res = await call(t.app, 'POST', `/api/v1/appointments/${created.id}/${action}`, {
            token,
            body: bodies[action],
          });
          const next = nextAppointmentStatus(model, action);
          if (next === null) {
            expect(res.status).toBe(409);
            expect((await json(res)).code).toBe('invalid_state_transition');
          } else {
            expect(res.status).toBe(200);
            model = next;
          }
        }
        const final = await json(
          await call(t.app, 'GET', `/api/v1/appointments/${created.id}`, { token }),
        );
        expect(final.status).toBe(model);
      },
    ),
    { numRuns: 25 },
  );
});
