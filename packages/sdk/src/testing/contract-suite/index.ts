/**
 * The API v1 contract suite: one set of cases, run through the real
 * `ClinicBridge` client, that every implementation of the API must pass —
 * the fake API in this package and the reference server over HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listOperations, type Operation } from '../../contract/index.ts';
import { ClinicBridge } from '../../index.ts';
import { adminCases } from './cases/admin.ts';
import { appointmentCases } from './cases/appointments.ts';
import { catalogueCases } from './cases/catalogue.ts';
import { checkoutCases } from './cases/checkouts.ts';
import { claimCases } from './cases/claims.ts';
import { documentCases } from './cases/documents.ts';
import { eInvoiceCases } from './cases/e-invoices.ts';
import { encounterCases } from './cases/encounters.ts';
import { escrowCases } from './cases/escrows.ts';
import { importMappingCases } from './cases/import-mappings.ts';
import { moneyCases } from './cases/money.ts';
import { moneyOpsCases } from './cases/money-ops.ts';
import { patientDeviceCases } from './cases/patient-devices.ts';
import { patientCases } from './cases/patients.ts';
import { securityCases } from './cases/security.ts';
import { shipmentCases } from './cases/shipments.ts';
import { subscriptionCases } from './cases/subscriptions.ts';
import { teleRoomCases } from './cases/tele-rooms.ts';
import { visaCases } from './cases/visas.ts';
import { webhookEventCases } from './cases/webhooks-events.ts';
import { expectProblem } from './expect-problem.ts';
import { sampleArgs } from './samples.ts';
import type {
  CaseContext,
  ContractCase,
  ContractSuiteOptions,
  ContractSuiteTarget,
} from './types.ts';

export type {
  CaseContext,
  CatalogueSeed,
  CatalogueSeeder,
  ClinicalFeed,
  ClinicalFeedInput,
  ContractCase,
  ContractSuiteOptions,
  ContractSuiteTarget,
} from './types.ts';

/**
 * Every case of the suite.
 *
 * @example
 * const used = new Set(contractCases.flatMap((c) => c.uses));
 */
export const contractCases: readonly ContractCase[] = [
  ...patientCases,
  ...patientDeviceCases,
  ...documentCases,
  ...shipmentCases,
  ...appointmentCases,
  ...catalogueCases,
  ...importMappingCases,
  ...encounterCases,
  ...moneyCases,
  ...eInvoiceCases,
  ...escrowCases,
  ...checkoutCases,
  ...moneyOpsCases,
  ...subscriptionCases,
  ...claimCases,
  ...visaCases,
  ...teleRoomCases,
  ...securityCases,
  ...webhookEventCases,
  ...adminCases,
];

function caseContext(target: ContractSuiteTarget): CaseContext {
  const run = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  const clientFor = (apiKey: string) =>
    new ClinicBridge({
      baseUrl: target.baseUrl,
      apiKey,
      fetch: target.fetch,
      // The suite checks what the API answers, not how the client retries.
      retry: { maxRetries: 0 },
    });
  return {
    client: clientFor(target.apiKey),
    clientFor,
    target,
    unique: (label) => `${label}-${run}-${++counter}`,
  };
}

async function callOperation(ctx: CaseContext, op: Operation): Promise<unknown> {
  const result = ctx.client.request(op, ...(sampleArgs(op) as [])) as unknown;
  if (op.paginated) return (result as { page(): Promise<unknown> }).page();
  return result;
}

/**
 * Registers the contract suite with Vitest. `setup` runs once and returns how
 * to reach the API under test; operations listed in `unsupported` are each
 * checked to answer 501 `not_implemented`, and the cases using them are left out.
 *
 * @example
 * import { setupServer } from 'msw/node';
 * import { createFakeApi } from '@clinicbridge/sdk/testing';
 * import { defineContractSuite } from '@clinicbridge/sdk/testing/contract-suite';
 *
 * const api = createFakeApi();
 * const server = setupServer(...api.handlers);
 * defineContractSuite({
 *   name: 'fake API',
 *   setup: () => {
 *     server.listen();
 *     const { tenantId, apiKey } = api.state.defaultTenant;
 *     return {
 *       baseUrl: api.baseUrl,
 *       apiKey,
 *       createToken: async (scopes) => api.state.createApiKey(tenantId, scopes),
 *       otherTenantApiKey: api.state.createTenant().apiKey,
 *     };
 *   },
 *   teardown: () => server.close(),
 * });
 */
export function defineContractSuite(options: ContractSuiteOptions): void {
  const unsupported = new Set<string>(options.unsupported ?? []);
  const operations = listOperations();
  for (const id of unsupported) {
    if (!operations.some((op) => op.id === id))
      throw new Error(`unsupported lists an unknown operation: ${id}`);
  }
  const runnable = contractCases.filter((c) => c.uses.every((id) => !unsupported.has(id)));

  describe(options.name, () => {
    let ctx: CaseContext | undefined;
    const context = () => {
      if (!ctx) throw new Error('the contract suite setup did not run');
      return ctx;
    };
    beforeAll(async () => {
      ctx = caseContext(await options.setup());
    });
    afterAll(async () => {
      await options.teardown?.();
    });

    for (const c of runnable) test(c.name, () => c.run(context()));

    for (const op of operations.filter((o) => unsupported.has(o.id))) {
      test(`${op.id} is declared unsupported and answers 501 not_implemented`, async () => {
        await expectProblem(callOperation(context(), op), 501, 'not_implemented');
      });
    }

    test('every operation of the contract is exercised or declared unsupported', () => {
      const covered = new Set<string>([...runnable.flatMap((c) => c.uses), ...unsupported]);
      expect(operations.map((op) => op.id).filter((id) => !covered.has(id))).toEqual([]);
    });
  });
}
