/**
 * Contract cases for webhook endpoints, the events writes record, and the
 * deliveries and dead-letter queue behind them.
 */
import { expect } from 'vitest';
import { collect, expectProblem } from '../expect-problem.ts';
import type { CaseContext, ContractCase } from '../types.ts';

async function endpoint(
  { client, unique, target }: CaseContext,
  eventTypes: ['*'] | ('appointment.created' | 'webhook_endpoint.ping')[],
) {
  const base = target.webhookBaseUrl ?? 'https://partner.example.com/hooks';
  return client.webhookEndpoints.create({
    url: `${base}/${unique('ep')}`,
    description: 'Contract suite',
    eventTypes,
  });
}

/** How long an event may take to fan out into deliveries (at-least-once, asynchronous). */
const DELIVERY_WAIT_MS = 5_000;
const DELIVERY_POLL_MS = 25;

/**
 * Calls `read` until `done` accepts its result or {@link DELIVERY_WAIT_MS}
 * has passed, and returns the last result. An API may create deliveries after
 * answering the write (a dispatcher fans events out asynchronously).
 */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + DELIVERY_WAIT_MS;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, DELIVERY_POLL_MS));
  }
}

/** The delivery of `eventId` to `endpointId`, waiting for the fan-out (see {@link pollUntil}). */
async function deliveryOf({ client }: CaseContext, eventId: `evt_${string}`, endpointId: string) {
  const deliveries = await pollUntil(
    () => collect(client.events.deliveries({ eventId })),
    (list) => list.some((d) => d.endpointId === endpointId),
  );
  return deliveries.find((d) => d.endpointId === endpointId);
}

/**
 * Cases for webhooks and events.
 *
 * @example
 * for (const c of webhookEventCases) console.log(c.name, c.uses);
 */
export const webhookEventCases: ContractCase[] = [
  {
    name: 'webhook endpoints: the secret is shown at creation and rotation only',
    uses: [
      'webhookEndpoints.create',
      'webhookEndpoints.get',
      'webhookEndpoints.list',
      'webhookEndpoints.update',
      'webhookEndpoints.rotateSecret',
      'webhookEndpoints.delete',
    ],
    async run(ctx) {
      const { client } = ctx;
      const created = await endpoint(ctx, ['appointment.created']);
      expect(created.secret).toMatch(/^whsec_/);
      expect(created).toMatchObject({ enabled: true, eventTypes: ['appointment.created'] });
      const got = await client.webhookEndpoints.get({ endpointId: created.id });
      expect(got).not.toHaveProperty('secret');
      const { secret: _secret, ...withoutSecret } = created;
      expect(got).toEqual(withoutSecret);
      const listed = await collect(client.webhookEndpoints.list({ limit: 100 }));
      expect(listed.find((e) => e.id === created.id)).not.toHaveProperty('secret');

      const updated = await client.webhookEndpoints.update(
        { endpointId: created.id },
        { enabled: false, eventTypes: ['*'] },
      );
      expect(updated).toMatchObject({ enabled: false, eventTypes: ['*'] });
      const rotated = await client.webhookEndpoints.rotateSecret({ endpointId: created.id }, {});
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(created.secret);

      await client.webhookEndpoints.delete({ endpointId: created.id });
      await expectProblem(
        client.webhookEndpoints.get({ endpointId: created.id }),
        404,
        'not_found',
      );
    },
  },
  {
    name: 'events: writes record catalogue events, listed newest first',
    uses: [
      'patients.create',
      'appointments.create',
      'appointments.cancel',
      'events.list',
      'events.get',
    ],
    async run({ client, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Öz',
        externalRef: unique('evt'),
      });
      const apt = await client.appointments.create({
        patientId: patient.id,
        service: 'Check-up',
        startsAt: '2027-04-01T09:00:00.000Z',
        endsAt: '2027-04-01T09:30:00.000Z',
      });
      await client.appointments.cancel({ appointmentId: apt.id }, { reason: 'Travel delayed' });
      const events = await collect(client.events.list({ entityId: apt.id }));
      expect(events.map((e) => e.type).sort()).toEqual([
        'appointment.cancelled',
        'appointment.created',
      ]);
      const times = events.map((e) => Date.parse(e.occurredAt));
      expect(times, 'newest first').toEqual([...times].sort((x, y) => y - x));
      const cancelled = events.find((e) => e.type === 'appointment.cancelled');
      expect(cancelled).toMatchObject({
        entityId: apt.id,
        data: { appointmentId: apt.id, status: 'cancelled' },
      });
      expect(await client.events.get({ eventId: cancelled!.id })).toEqual(cancelled);
      const byType = await client.events.list({ type: 'appointment.cancelled', limit: 1 }).page();
      expect(byType.data[0]?.type).toBe('appointment.cancelled');
    },
  },
  {
    name: 'webhook endpoints: a test ping records a webhook_endpoint.ping event',
    uses: ['webhookEndpoints.create', 'webhookEndpoints.test', 'events.get'],
    async run(ctx) {
      const ep = await endpoint(ctx, ['webhook_endpoint.ping']);
      const { eventId } = await ctx.client.webhookEndpoints.test({ endpointId: ep.id }, {});
      const event = await ctx.client.events.get({ eventId });
      expect(event).toMatchObject({ type: 'webhook_endpoint.ping', data: { endpointId: ep.id } });
    },
  },
  {
    name: 'webhook endpoints: a replay schedules the events the endpoint subscribes to',
    uses: ['webhookEndpoints.create', 'webhookEndpoints.test', 'webhookEndpoints.replay'],
    async run(ctx) {
      const ep = await endpoint(ctx, ['webhook_endpoint.ping']);
      await ctx.client.webhookEndpoints.test({ endpointId: ep.id }, {});
      // The ping's delivery may be created after the answer: replay until it is there.
      const scheduled = await pollUntil(
        async () =>
          (
            await ctx.client.webhookEndpoints.replay(
              { endpointId: ep.id },
              { since: '2000-01-01T00:00:00.000Z' },
            )
          ).scheduled,
        (n) => n >= 1,
      );
      expect(scheduled).toBeGreaterThanOrEqual(1);
    },
  },
  {
    name: 'deliveries: an event lists its deliveries; a delivery can be fetched and retried',
    uses: [
      'webhookEndpoints.create',
      'webhookEndpoints.test',
      'events.deliveries',
      'deliveries.get',
      'deliveries.retry',
    ],
    async run(ctx) {
      const { client } = ctx;
      const ep = await endpoint(ctx, ['webhook_endpoint.ping']);
      const { eventId } = await client.webhookEndpoints.test({ endpointId: ep.id }, {});
      const delivery = await deliveryOf(ctx, eventId, ep.id);
      expect(delivery).toMatchObject({ eventId, eventType: 'webhook_endpoint.ping' });
      expect(await client.deliveries.get({ deliveryId: delivery!.id })).toMatchObject({
        id: delivery!.id,
      });
      // A delivery whose attempt is in flight refuses a retry with 409 until the attempt is
      // recorded (issue #10, finding 15); then the retry is accepted.
      const deadline = Date.now() + 15_000;
      const retryOnce = () =>
        client.deliveries.retry({ deliveryId: delivery!.id }, {}).withResponse();
      let retried = await retryOnce().catch((error: unknown) => error);
      while (
        (retried as { status?: number; code?: string }).code === 'invalid_state_transition' &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        retried = await retryOnce().catch((error: unknown) => error);
      }
      if (retried instanceof Error) throw retried;
      if (!('data' in (retried as object))) throw new Error('deliveries.retry gave no response');
      const accepted = retried as Awaited<ReturnType<typeof retryOnce>>;
      expect(accepted.status).toBe(202);
      expect(accepted.data.id).toBe(delivery!.id);
    },
  },
  {
    name: 'dead letters: a new endpoint has none; replaying an unknown delivery is 404',
    uses: ['webhookEndpoints.create', 'deadLetters.list', 'deadLetters.replay'],
    async run(ctx) {
      const { client } = ctx;
      const ep = await endpoint(ctx, ['*']);
      expect(await collect(client.deadLetters.list({ endpointId: ep.id }))).toEqual([]);
      await expectProblem(
        client.deadLetters.replay({ deliveryId: 'dlv_doesnotexist0000000000' }, {}),
        404,
        'not_found',
      );
    },
  },
];
