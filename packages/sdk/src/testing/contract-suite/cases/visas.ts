/**
 * Contract cases for visa applications: an application for a patient's case
 * is accepted with its documents described (size and SHA-256), never
 * echoed; get, list and tenant isolation; cancellation once, refused after.
 * Whether the API then hands it to a partner or to its operators is its own
 * business, so the cases accept `pending` or `manual` after creation.
 */
import { expect } from 'vitest';
import { collect, expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

const PASSPORT_BASE64 = btoa('%PDF-1.4 passport scan');

/**
 * Cases for visa applications.
 *
 * @example
 * for (const c of visaCases) console.log(c.name, c.uses);
 */
export const visaCases: ContractCase[] = [
  {
    name: 'visas: an application describes its documents without echoing them; get, list, isolation, cancel once',
    uses: ['patients.create', 'visas.create', 'visas.get', 'visas.list', 'visas.cancel'],
    async run({ client, clientFor, target, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Traveller',
        externalRef: unique('vsa'),
      });
      const application = await client.visas.create({
        patientId: patient.id,
        caseRef: 'case_contract_1',
        destination: 'TR',
        nationality: 'GB',
        visaType: 'medical',
        arrivalDate: '2027-05-01',
        departureDate: '2027-05-20',
        documents: [{ kind: 'passport', contentType: 'application/pdf', data: PASSPORT_BASE64 }],
      });
      expect(application).toMatchObject({
        patientId: patient.id,
        caseRef: 'case_contract_1',
        destination: 'TR',
        status: 'pending',
        medicalReference: null,
        reasonCodes: [],
        documents: [
          {
            kind: 'passport',
            contentType: 'application/pdf',
            size: 22,
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          },
        ],
      });
      expect(JSON.stringify(application)).not.toContain(PASSPORT_BASE64);
      const read = await client.visas.get({ visaApplicationId: application.id });
      expect(read.id).toBe(application.id);
      expect(['pending', 'manual']).toContain(read.status);
      const listed = await collect(client.visas.list({ patientId: patient.id }));
      expect(listed.map((a) => a.id)).toEqual([application.id]);

      const other = clientFor(target.otherTenantApiKey);
      await expectProblem(other.visas.get({ visaApplicationId: application.id }), 404, 'not_found');
      await expectProblem(
        client.visas.create({
          patientId: patient.id.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) as `pat_${string}`,
          caseRef: 'case_contract_1',
          destination: 'TR',
          nationality: 'GB',
          visaType: 'medical',
          arrivalDate: '2027-05-01',
          documents: [],
        }),
        404,
        'not_found',
      );

      const cancelled = await client.visas.cancel({ visaApplicationId: application.id }, {});
      expect(cancelled).toMatchObject({ id: application.id, status: 'cancelled' });
      await expectProblem(
        client.visas.cancel({ visaApplicationId: application.id }, {}),
        409,
        'invalid_state_transition',
      );
    },
  },
];
