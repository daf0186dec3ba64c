/**
 * The conformance suite every `CrmSync` adapter must pass, run by each
 * adapter's test against its fake CRM: upserts, last-writer-wins with the
 * winner reported, the field allow-list, and the manual fallback.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { InMemoryManualTaskSink } from '../../core/manual-tasks.ts';
import { serverErrors } from '../../testing/failures.ts';
import type { CrmContact, CrmSync } from '../crm.ts';
import { rejection } from './rejection.ts';

export interface CrmHarness {
  name: string;
  /** URL pattern of every CRM call, for failure injection. */
  apiUrl: string | RegExp;
  setup(clock: { now: () => Date }): {
    crm: CrmSync;
    handlers: RequestHandler[];
    sink: InMemoryManualTaskSink;
    /** A marketer edits the contact with this email in the CRM, at the clock's time. */
    editContactInCrm(email: string): void;
    /** Stage of the deal with this external ref as the CRM holds it (port stage name). */
    dealStage(externalRef: string): string | undefined;
    /** Requests the CRM received (URLs and bodies). */
    requests(): string[];
  };
}

export function describeCrmSyncConformance(harness: CrmHarness): void {
  describe(`CrmSync conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      let now = new Date('2026-12-02T10:00:00Z');
      const clock = {
        now: () => now,
        set: (iso: string) => {
          now = new Date(iso);
        },
      };
      const env = harness.setup(clock);
      server.use(...env.handlers);
      return { ...env, clock };
    };
    const contact = (overrides: Partial<CrmContact> = {}): CrmContact => ({
      externalRef: 'pat_1',
      email: 'ayse@example.com',
      firstName: 'Ayse',
      marketingConsent: true,
      updatedAt: '2026-12-02T09:59:00Z',
      ...overrides,
    });

    test('a new contact is applied; a newer platform copy overwrites', async () => {
      const env = start();
      const first = await env.crm.upsertContact(contact());
      expect(first).toMatchObject({ status: 'applied', winner: 'platform' });
      env.clock.set('2026-12-02T11:00:00Z');
      const second = await env.crm.upsertContact(
        contact({ firstName: 'Ayşe', updatedAt: '2026-12-02T10:30:00Z' }),
      );
      expect(second).toMatchObject({ status: 'applied', winner: 'platform' });
      expect(second.status === 'applied' && second.recordId).toBe(
        first.status === 'applied' && first.recordId,
      );
    });

    test('a CRM edit later than the platform copy is kept, and the result says so', async () => {
      const env = start();
      await env.crm.upsertContact(contact());
      env.clock.set('2026-12-02T12:00:00Z');
      env.editContactInCrm('ayse@example.com');
      const result = await env.crm.upsertContact(contact({ updatedAt: '2026-12-02T11:00:00Z' }));
      expect(result).toMatchObject({ status: 'kept', winner: 'crm' });
      expect(result.status === 'kept' && Date.parse(result.crmUpdatedAt)).toBe(
        Date.parse('2026-12-02T12:00:00Z'),
      );
      const newer = await env.crm.upsertContact(contact({ updatedAt: '2026-12-02T12:30:00Z' }));
      expect(newer).toMatchObject({ status: 'applied', winner: 'platform' });
    });

    test('a field outside the allow-list is invalid_request before any call', async () => {
      const env = start();
      const withDiagnosis = { ...contact(), diagnosis: 'never-sent-marker' } as CrmContact;
      const error = await rejection(env.crm.upsertContact(withDiagnosis));
      expect(error.code).toBe('invalid_request');
      expect(error.fields).toEqual(['(root)']);
      expect(env.requests()).toHaveLength(0);
    });

    test('leads, deals and stage changes', async () => {
      const env = start();
      const lead = await env.crm.upsertLead({
        externalRef: 'inq_1',
        contactEmail: 'ayse@example.com',
        name: 'Dental package inquiry',
        updatedAt: '2026-12-02T09:00:00Z',
      });
      expect(lead.status).toBe('applied');
      const deal = await env.crm.upsertDeal({
        externalRef: 'case_1',
        contactEmail: 'ayse@example.com',
        name: 'Dental package',
        stage: 'quoted',
        amount: { amountMinor: 250_000, currency: 'EUR' },
        updatedAt: '2026-12-02T09:30:00Z',
      });
      expect(deal.status).toBe('applied');
      env.clock.set('2026-12-02T10:05:00Z');
      const moved = await env.crm.recordStageChange({
        externalRef: 'case_1',
        stage: 'booked',
        changedAt: '2026-12-02T10:10:00Z',
      });
      expect(moved).toMatchObject({ status: 'applied', winner: 'platform' });
      expect(env.dealStage('case_1')).toBe('booked');
      const stale = await env.crm.recordStageChange({
        externalRef: 'case_1',
        stage: 'quoted',
        changedAt: '2026-12-02T10:01:00Z',
      });
      expect(stale).toMatchObject({ status: 'kept', winner: 'crm' });
      expect(env.dealStage('case_1')).toBe('booked');
      const missing = await rejection(
        env.crm.recordStageChange({
          externalRef: 'case_404',
          stage: 'booked',
          changedAt: '2026-12-02T10:10:00Z',
        }),
      );
      expect(missing.code).toBe('not_found');
    });

    test('attribution of an unknown contact is found: false', async () => {
      const env = start();
      expect(await env.crm.readAttribution({ email: 'nobody@example.com' })).toEqual({
        found: false,
      });
    });

    test('an unavailable CRM becomes a manual task; an open circuit never calls it', async () => {
      const env = start();
      server.use(serverErrors({ method: 'all', url: harness.apiUrl, times: 1000 }).handler);
      const results = [];
      for (let i = 0; i < 3; i += 1) results.push(await env.crm.upsertContact(contact()));
      expect(results.every((r) => r.status === 'manual')).toBe(true);
      const before = env.requests().length;
      const open = await env.crm.upsertContact(contact());
      expect(env.requests().length).toBe(before);
      expect(open.status).toBe('manual');
      const task = env.sink.tasks.at(-1)!;
      expect(task).toMatchObject({ kind: 'crm', reason: 'circuit_open', subjectRef: 'pat_1' });
      expect(JSON.stringify(env.sink.tasks)).not.toContain('ayse@example.com');
    });
  });
}
