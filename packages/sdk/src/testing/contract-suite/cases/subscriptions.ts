/**
 * Contract cases for subscriptions: Stripe needs the gateway's customer, a
 * subscription starts `active` with no period paid, a plan change keeps
 * the currency, cancelling at the period's end keeps it active until then,
 * cancelling now ends it and nothing changes a cancelled one. The target
 * must have the Stripe gateway configured (the reference server's suite
 * points it at the adapters' fake, which takes `cus_…` and `price_…` ids).
 */
import { expect } from 'vitest';
import { newId } from '../../../contract/index.ts';
import { expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

const eur = (amount: number) => ({ amount, currency: 'EUR' });

/**
 * Cases for subscriptions.
 *
 * @example
 * for (const c of subscriptionCases) console.log(c.name, c.uses);
 */
export const subscriptionCases: ContractCase[] = [
  {
    name: 'subscriptions: create, list, change plan, cancel at period end then now',
    uses: [
      'patients.create',
      'subscriptions.create',
      'subscriptions.get',
      'subscriptions.list',
      'subscriptions.changePlan',
      'subscriptions.cancel',
    ],
    async run({ client, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Arslan',
        externalRef: unique('sbs'),
      });
      const body = {
        patientId: patient.id,
        gateway: 'stripe' as const,
        planId: 'price_contract_monthly',
        amount: eur(2_900),
        interval: 'month' as const,
      };
      await expectProblem(client.subscriptions.create(body), 422, 'unprocessable');
      const created = await client.subscriptions.create({ ...body, customerRef: 'cus_contract1' });
      expect(created).toMatchObject({
        patientId: patient.id,
        gateway: 'stripe',
        planId: 'price_contract_monthly',
        amount: eur(2_900),
        interval: 'month',
        status: 'active',
        cancelAtPeriodEnd: false,
        periodsPaid: 0,
        failureCode: null,
        cancelledAt: null,
      });
      expect(await client.subscriptions.get({ subscriptionId: created.id })).toEqual(created);
      const listed = await client.subscriptions.list({ patientId: patient.id });
      expect(listed.data.map((s) => s.id)).toEqual([created.id]);
      const ids = { subscriptionId: created.id };
      await expectProblem(
        client.subscriptions.changePlan(ids, {
          planId: 'price_contract_yearly',
          amount: { amount: 29_000, currency: 'USD' },
        }),
        422,
        'currency_mismatch',
      );
      const changed = await client.subscriptions.changePlan(ids, {
        planId: 'price_contract_yearly',
        amount: eur(29_000),
      });
      expect(changed).toMatchObject({ planId: 'price_contract_yearly', amount: eur(29_000) });
      const ending = await client.subscriptions.cancel(ids, {});
      expect(ending).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
      const ended = await client.subscriptions.cancel(ids, { atPeriodEnd: false });
      expect(ended.status).toBe('cancelled');
      expect(ended.cancelledAt).toEqual(expect.any(String));
      await expectProblem(
        client.subscriptions.changePlan(ids, { planId: 'price_contract_monthly', amount: eur(1) }),
        409,
        'invalid_state_transition',
      );
      await expectProblem(
        client.subscriptions.get({ subscriptionId: newId('sbs') }),
        404,
        'not_found',
      );
    },
  },
];
