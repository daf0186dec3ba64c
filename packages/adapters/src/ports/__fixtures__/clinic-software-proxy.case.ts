/**
 * The conformance suite every `ClinicSoftwareProxy` adapter must pass, run
 * by each adapter's test against its fake clinic system: deliveries, updates
 * instead of duplicates, tenant isolation, validation, manual fallback.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { InMemoryManualTaskSink } from '../../core/manual-tasks.ts';
import { serverErrors } from '../../testing/failures.ts';
import type { ClinicDeal, ClinicSoftwareProxy } from '../clinic-software.ts';
import { rejection } from './rejection.ts';

export interface ClinicSoftwareHarness {
  name: string;
  apiUrl: string | RegExp;
  /** Two tenants the fake knows. */
  tenants: readonly [string, string];
  setup(): {
    proxy: ClinicSoftwareProxy;
    handlers: RequestHandler[];
    sink: InMemoryManualTaskSink;
    /** Records the clinic system holds for a tenant. */
    recordCount(tenant: string): number;
    requests(): string[];
  };
}

export function describeClinicSoftwareProxyConformance(harness: ClinicSoftwareHarness): void {
  describe(`ClinicSoftwareProxy conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };
    const [tenantA, tenantB] = harness.tenants;
    const deal = (overrides: Partial<ClinicDeal> = {}): ClinicDeal => ({
      tenantRef: tenantA,
      dealRef: 'case_1',
      patientRef: 'pat_1',
      packageCode: 'DENT-IMPL-4',
      amount: { amountMinor: 250_000, currency: 'EUR' },
      stage: 'booked',
      updatedAt: '2026-12-02T10:00:00Z',
      ...overrides,
    });

    test('deal, itinerary and flight are delivered; a repeat updates the same record', async () => {
      const env = start();
      const first = await env.proxy.sendDeal(deal());
      expect(first.status).toBe('delivered');
      const again = await env.proxy.sendDeal(
        deal({ stage: 'cancelled', updatedAt: '2026-12-02T11:00:00Z' }),
      );
      expect(again).toEqual(first);
      await env.proxy.sendItinerary({
        tenantRef: tenantA,
        caseRef: 'case_1',
        items: [
          {
            kind: 'appointment',
            startsAt: '2026-12-10T09:00:00Z',
            place: 'Clinic, Şişli',
            reference: 'apt_1',
          },
          {
            kind: 'flight',
            reference: 'bk_1-1',
            airline: 'TK',
            flightNumber: 'TK1980',
            from: 'LHR',
            to: 'IST',
            departAt: '2026-12-09T08:00:00Z',
            arriveAt: '2026-12-09T14:00:00Z',
          },
        ],
      });
      await env.proxy.sendFlight({
        tenantRef: tenantA,
        caseRef: 'case_1',
        direction: 'inbound',
        airline: 'TK',
        flightNumber: 'TK1980',
        from: 'LHR',
        to: 'IST',
        departAt: '2026-12-09T08:00:00Z',
        arriveAt: '2026-12-09T14:00:00Z',
      });
      expect(env.recordCount(tenantA)).toBe(3);
      expect(env.recordCount(tenantB)).toBe(0);
    });

    test('each tenant writes into its own clinic system', async () => {
      const env = start();
      await env.proxy.sendDeal(deal());
      await env.proxy.sendDeal(deal({ tenantRef: tenantB }));
      expect(env.recordCount(tenantA)).toBe(1);
      expect(env.recordCount(tenantB)).toBe(1);
    });

    test('invalid input and unknown tenants are invalid_request before any call', async () => {
      const env = start();
      const withName = { ...deal(), patientName: 'Ayşe Yılmaz' } as ClinicDeal;
      expect((await rejection(env.proxy.sendDeal(withName))).code).toBe('invalid_request');
      const leg = {
        kind: 'flight' as const,
        reference: 'bk_1-1',
        airline: 'TK',
        flightNumber: 'TK1980',
        from: 'LHR',
        to: 'IST',
        departAt: '2026-12-09T08:00:00Z',
        arriveAt: '2026-12-09T14:00:00Z',
      };
      for (const item of [
        { ...leg, from: 'London' },
        { ...leg, passengerName: 'Ayşe Yılmaz' },
        { ...leg, kind: 'hotel' },
      ]) {
        const itinerary = { tenantRef: tenantA, caseRef: 'case_1', items: [item] } as never;
        expect((await rejection(env.proxy.sendItinerary(itinerary))).code).toBe('invalid_request');
      }
      const unknown = await rejection(env.proxy.sendDeal(deal({ tenantRef: 'tnt_unknown' })));
      expect(unknown).toMatchObject({ code: 'invalid_request', fields: ['tenantRef'] });
      expect(env.requests()).toHaveLength(0);
    });

    test('a 5xx burst is retried into one write', async () => {
      const env = start();
      server.use(serverErrors({ method: 'put', url: harness.apiUrl, times: 2 }).handler);
      expect((await env.proxy.sendDeal(deal())).status).toBe('delivered');
      expect(env.recordCount(tenantA)).toBe(1);
    });

    test('an unavailable clinic system becomes a manual task; its open circuit spares other tenants', async () => {
      const env = start();
      const outage = serverErrors({ method: 'put', url: harness.apiUrl, times: 1000 });
      server.use(outage.handler);
      expect((await env.proxy.sendDeal(deal())).status).toBe('manual');
      const before = env.requests().length;
      expect((await env.proxy.sendDeal(deal())).status).toBe('manual');
      expect(env.requests().length).toBe(before);
      expect(env.sink.tasks.at(-1)).toMatchObject({
        kind: 'clinic_software',
        reason: 'circuit_open',
        subjectRef: 'case_1',
      });
      server.resetHandlers(...env.handlers);
      expect((await env.proxy.sendDeal(deal({ tenantRef: tenantB }))).status).toBe('delivered');
    });
  });
}
