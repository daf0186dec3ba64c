/**
 * The claim state machine: exhaustively against its table, by property on
 * any sequence of transitions (terminal statuses stay terminal; settling
 * needs an approval, an approval a submission), and through the service on
 * the database: any interleaving of partner requests, withdrawals and payer
 * answers leaves the claim where the machine says, refuses every illegal
 * move with 409, and its history is exactly the transitions that happened.
 */
import {
  type ClaimAction,
  type ClaimStatus,
  type ClaimTransition,
  claimActionsFrom,
  claimStatus,
  claimTransitions,
  MAX_CLAIM_RESUBMISSIONS,
  nextClaimStatus,
} from '@clinicbridge/sdk/contract';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { isApiError } from '../kernel/problem.ts';
import { claimsFeature } from './feature.ts';
import { claimHistory } from './history.ts';
import { createClaim, requestClaimAction, requireClaim, withdrawClaim } from './service.ts';
import { applyTransition } from './transitions.ts';

const statuses = claimStatus.options as readonly ClaimStatus[];
const transitions = Object.keys(claimTransitions) as ClaimTransition[];
const terminal: ClaimStatus[] = ['settled', 'self_pay', 'withdrawn'];

describe('the claim state machine', () => {
  test('nextClaimStatus is its table, and terminal statuses have no way out', () => {
    for (const status of statuses) {
      for (const t of transitions) {
        const expected = claimTransitions[t].from.includes(status) ? claimTransitions[t].to : null;
        expect(nextClaimStatus(status, t)).toBe(expected);
        if (terminal.includes(status)) expect(nextClaimStatus(status, t)).toBeNull();
      }
    }
  });

  test('on any walk, settled follows approved, approved follows a submission, draft never returns', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...transitions), { maxLength: 40 }), (walk) => {
        let status: ClaimStatus = 'draft';
        const taken: ClaimTransition[] = [];
        for (const t of walk) {
          const next = nextClaimStatus(status, t);
          if (next === null) continue;
          if (t === 'claim.settled') expect(status).toBe('approved');
          if (t === 'claim.approved')
            expect(['claim.submitted', 'claim.resubmitted']).toContain(taken.at(-1));
          expect(next).not.toBe('draft');
          taken.push(t);
          status = next;
        }
        expect(statuses).toContain(status);
      }),
    );
  });
});

describe('claims through the service', () => {
  let t: TestApp;
  let invoiceId: string;
  let change: ChangeContext;
  beforeAll(async () => {
    t = await startTestApp({ tenantCount: 1, deps: { features: [claimsFeature] } });
    const token = t.tenants[0]?.apiKey ?? '';
    const patient = await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() }),
    );
    invoiceId = (
      await json<{ id: string }>(
        await call(t.app, 'POST', '/api/v1/invoices', {
          token,
          body: {
            patientId: patient.id,
            currency: 'EUR',
            lines: [
              { description: 'Scan', quantity: 1, unitPrice: { amount: 5_000, currency: 'EUR' } },
            ],
          },
        }),
      )
    ).id;
    change = {
      tenantId: t.tenants[0]?.tenantId ?? '',
      actor: { type: 'system', id: 'test' },
      requestId: null,
      now: new Date(),
    };
  });
  afterAll(() => t.close());

  type Step =
    | { kind: 'request'; action: ClaimAction }
    | { kind: 'payer'; transition: ClaimTransition }
    | { kind: 'withdraw' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc
      .constantFrom<ClaimAction>('preauthorize', 'submit', 'resubmit')
      .map((action) => ({ kind: 'request' as const, action })),
    fc
      .constantFrom<ClaimTransition>(...transitions.filter((x) => x !== 'claim.withdrawn'))
      .map((transition) => ({ kind: 'payer' as const, transition })),
    fc.constant({ kind: 'withdraw' as const }),
  );

  const refused = async (run: () => Promise<unknown>) => {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isApiError(error) && error.code).toBe('invalid_state_transition');
  };

  test('any interleaving follows the machine, and the history is exactly what happened', async () => {
    const { db } = t.database;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 14 }), async (steps) => {
        const claim = await db.transaction().execute((trx) =>
          createClaim(trx, change, {
            invoiceId,
            payer: { payerRef: 'payer_1', memberId: 'M-1' },
          }),
        );
        let status: ClaimStatus = 'draft';
        let pending: ClaimAction | null = null;
        let resubmissions = 0;
        const expected: string[] = ['claim.created'];
        for (const s of steps) {
          if (s.kind === 'request') {
            const allowed =
              pending === null &&
              claimActionsFrom[s.action].includes(status) &&
              (s.action !== 'resubmit' || resubmissions < MAX_CLAIM_RESUBMISSIONS);
            const run = () =>
              db
                .transaction()
                .execute((trx) => requestClaimAction(trx, change, claim.id, s.action));
            if (!allowed) await refused(run);
            else {
              await run();
              pending = s.action;
            }
          } else if (s.kind === 'withdraw') {
            const next: ClaimStatus | null =
              pending === null ? nextClaimStatus(status, 'claim.withdrawn') : null;
            const run = () =>
              db.transaction().execute((trx) => withdrawClaim(trx, change, claim.id));
            if (!next) await refused(run);
            else {
              await run();
              status = next;
              expected.push('claim.withdrawn');
            }
          } else {
            const next: ClaimStatus | null = nextClaimStatus(status, s.transition);
            const resubmission =
              s.transition === 'claim.resubmitted' ? { resubmissions: resubmissions + 1 } : {};
            const run = () =>
              db.transaction().execute(async (trx) => {
                const row = await requireClaim(trx, change.tenantId, claim.id, { lock: true });
                await applyTransition(trx, change, row, s.transition, {
                  pending_action: null,
                  ...resubmission,
                });
              });
            if (!next) await refused(run);
            else {
              await run();
              status = next;
              pending = null;
              if (s.transition === 'claim.resubmitted') resubmissions += 1;
              expected.push(s.transition);
            }
          }
        }
        const row = await requireClaim(db, change.tenantId, claim.id);
        expect([row.status, row.pending_action, row.resubmissions]).toEqual([
          status,
          pending,
          resubmissions,
        ]);
        const history = await claimHistory(db, change.tenantId, claim.id);
        expect(history.data.map((e) => e.type)).toEqual(expected);
        expect(history.data.map((e) => e.data.status).slice(1)).toEqual(
          history.data.slice(1).map((e) => claimTransitions[e.type as ClaimTransition].to),
        );
      }),
      { numRuns: 25 },
    );
  });
});
