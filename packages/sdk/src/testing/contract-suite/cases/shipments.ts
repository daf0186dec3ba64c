/**
 * Contract cases for shipments: a dispatch for a case is accepted without
 * echoing its addresses (`manual` without a provider, a carrier state with
 * one); get and tenant isolation; an address that is not one is 400.
 */
import { expect } from 'vitest';
import { expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

const from = {
  name: 'Clinic pharmacy',
  street1: 'Halaskargazi Cd. 1',
  city: 'Istanbul',
  zip: '34371',
  country: 'TR',
};
const to = {
  name: 'A. Patient',
  street1: '1 High Street',
  city: 'London',
  zip: 'N1 1AA',
  country: 'GB',
};
const parcel = { lengthMm: 300, widthMm: 200, heightMm: 50, weightGrams: 500 };

/**
 * Cases for shipments.
 *
 * @example
 * for (const c of shipmentCases) console.log(c.name, c.uses);
 */
export const shipmentCases: ContractCase[] = [
  {
    name: 'shipments: a dispatch keeps no address; get, isolation, validation',
    uses: ['shipments.create', 'shipments.get'],
    async run({ client, clientFor, target }) {
      const shipment = await client.shipments.create({
        caseId: 'case_contract_1',
        contents: 'medication',
        from,
        to,
        parcel,
      });
      expect(shipment).toMatchObject({ caseId: 'case_contract_1', contents: 'medication' });
      expect(['manual', 'pre_transit']).toContain(shipment.status);
      expect(JSON.stringify(shipment)).not.toContain('High Street');
      expect((await client.shipments.get({ shipmentId: shipment.id })).id).toBe(shipment.id);
      const other = clientFor(target.otherTenantApiKey);
      await expectProblem(other.shipments.get({ shipmentId: shipment.id }), 404, 'not_found');
      await expectProblem(
        client.shipments.create({
          caseId: 'case_contract_1',
          contents: 'documents',
          from,
          to: { ...to, country: 'England' },
          parcel,
        }),
        400,
        'validation_failed',
      );
    },
  },
];
