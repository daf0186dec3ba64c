/**
 * Contract cases for the catalogue: practitioners, services with prices
 * in minor units per clinic and currency, free slots in start-time order,
 * and booking, which takes a place and answers 409 `slot_full` once none
 * is left. A target that can seed its catalogue (see `ContractSuiteTarget.catalogue`)
 * runs the whole flow; any target answers 404 for ids it does not hold.
 */
import { expect } from 'vitest';
import { newId } from '../../../contract/index.ts';
import { collect, expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

/**
 * Cases for the catalogue.
 *
 * @example
 * for (const c of catalogueCases) console.log(c.name, c.uses);
 */
export const catalogueCases: ContractCase[] = [
  {
    name: 'catalogue: unknown practitioners, services and slots are 404; the read scope is required',
    uses: [
      'practitioners.get',
      'practitioners.list',
      'services.get',
      'services.list',
      'availability.search',
      'availability.book',
    ],
    async run({ client, clientFor, target }) {
      await expectProblem(
        client.practitioners.get({ practitionerId: newId('prc') }),
        404,
        'not_found',
      );
      await expectProblem(client.services.get({ serviceId: newId('svc') }), 404, 'not_found');
      await expectProblem(
        client.availability
          .search({
            serviceId: newId('svc'),
            from: '2027-05-01T00:00:00Z',
            to: '2027-05-08T00:00:00Z',
          })
          .page(),
        404,
        'not_found',
      );
      await expectProblem(
        client.availability.book({ slotId: newId('slt') }, { patientId: newId('pat') }),
        404,
        'not_found',
      );
      const page = await client.practitioners.list({ limit: 1 }).page();
      expect(Array.isArray(page.data)).toBe(true);
      const noCatalogue = clientFor(await target.createToken(['read:appointments']));
      await expectProblem(noCatalogue.services.list({}).page(), 403, 'insufficient_scope');
    },
  },
  {
    name: 'catalogue: a priced service and a 1-place slot are listed, booked once, then full and gone from search',
    uses: [
      'patients.create',
      'practitioners.list',
      'practitioners.get',
      'services.list',
      'availability.search',
      'availability.book',
    ],
    async run({ client, clientFor, target, unique }) {
      if (!target.catalogue) return;
      const code = unique('SVC');
      const ref = unique('DR');
      const startsAt = '2027-06-07T09:00:00.000Z';
      const endsAt = '2027-06-07T09:30:00.000Z';
      await target.catalogue.seed({
        practitionerRef: ref,
        practitionerName: 'Dr Ada Contract',
        serviceCode: code,
        serviceName: 'Contract consultation',
        clinicRef: 'IST-1',
        price: { amount: 150_000, currency: 'TRY' },
        startsAt,
        endsAt,
        capacity: 1,
      });
      const services = await collect(client.services.list({ code }));
      expect(services).toHaveLength(1);
      const service = services[0]!;
      expect(service).toMatchObject({
        code,
        name: 'Contract consultation',
        prices: [{ clinicRef: 'IST-1', price: { amount: 150_000, currency: 'TRY' } }],
      });
      const doctors = (await collect(client.practitioners.list({}))).filter((p) => p.ref === ref);
      expect(doctors).toHaveLength(1);
      const doctor = await client.practitioners.get({ practitionerId: doctors[0]!.id });
      expect(doctor).toMatchObject({ ref, name: 'Dr Ada Contract' });

      const window = {
        serviceId: service.id,
        from: '2027-06-07T00:00:00Z',
        to: '2027-06-08T00:00:00Z',
      };
      const free = await collect(client.availability.search(window));
      expect(free).toEqual([
        expect.objectContaining({
          serviceId: service.id,
          practitionerId: doctor.id,
          startsAt,
          endsAt,
          capacity: 1,
          booked: 0,
          available: 1,
        }),
      ]);
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Booker',
        externalRef: unique('cat'),
      });
      const slotId = free[0]!.id;
      const appointment = await client.availability.book({ slotId }, { patientId: patient.id });
      expect(appointment).toMatchObject({
        patientId: patient.id,
        service: 'Contract consultation',
        clinicianRef: ref,
        startsAt,
        endsAt,
        status: 'scheduled',
      });
      await expectProblem(
        client.availability.book({ slotId }, { patientId: patient.id }),
        409,
        'slot_full',
      );
      expect(await collect(client.availability.search(window))).toEqual([]);
      const other = clientFor(target.otherTenantApiKey);
      await expectProblem(other.services.get({ serviceId: service.id }), 404, 'not_found');
    },
  },
];
