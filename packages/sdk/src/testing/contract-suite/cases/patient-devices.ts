/**
 * Contract cases for a patient's push devices: registered (the same token
 * again is the same device), listed without the token, bounded per
 * patient, deleted; writes need `write:patients`, unknown ids are 404.
 */
import { expect } from 'vitest';
import { MAX_DEVICES_PER_PATIENT, newId } from '../../../contract/index.ts';
import { expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

/**
 * Cases for `patientDevices.*`.
 *
 * @example
 * for (const c of patientDeviceCases) console.log(c.name, c.uses);
 */
export const patientDeviceCases: ContractCase[] = [
  {
    name: 'patient devices: registered once per token, listed without it, deleted',
    uses: [
      'patients.create',
      'patientDevices.register',
      'patientDevices.list',
      'patientDevices.delete',
    ],
    async run({ client, clientFor, target, unique }) {
      const patient = await client.patients.create({
        givenName: 'Deniz',
        familyName: 'Aydın',
        externalRef: unique('dev'),
      });
      const token = `fcm-token-${unique('t')}`;
      const phone = await client.patientDevices.register(
        { patientId: patient.id },
        { token, platform: 'android', label: 'Phone' },
      );
      expect(phone).toMatchObject({ patientId: patient.id, platform: 'android', label: 'Phone' });
      expect(JSON.stringify(phone)).not.toContain(token);
      const again = await client.patientDevices.register(
        { patientId: patient.id },
        { token, platform: 'android' },
      );
      expect(again.id).toBe(phone.id);
      const web = await client.patientDevices.register(
        { patientId: patient.id },
        { token: `${token}-web`, platform: 'web' },
      );
      const listed = await client.patientDevices.list({ patientId: patient.id });
      expect(listed.data.map((d) => d.id).sort()).toEqual([phone.id, web.id].sort());
      expect(JSON.stringify(listed)).not.toContain(token);

      const reader = clientFor(await target.createToken(['read:patients']));
      expect((await reader.patientDevices.list({ patientId: patient.id })).data).toHaveLength(2);
      await expectProblem(
        reader.patientDevices.register({ patientId: patient.id }, { token, platform: 'ios' }),
        403,
        'insufficient_scope',
      );
      await expectProblem(
        reader.patientDevices.delete({ patientId: patient.id, deviceId: web.id }),
        403,
        'insufficient_scope',
      );

      await client.patientDevices.delete({ patientId: patient.id, deviceId: web.id });
      expect((await client.patientDevices.list({ patientId: patient.id })).data).toEqual([
        expect.objectContaining({ id: phone.id }),
      ]);
      await expectProblem(
        client.patientDevices.delete({ patientId: patient.id, deviceId: web.id }),
        404,
        'not_found',
      );
      await expectProblem(
        client.patientDevices.list({ patientId: newId('pat') }),
        404,
        'not_found',
      );
    },
  },
  {
    name: 'patient devices: at most MAX_DEVICES_PER_PATIENT per patient',
    uses: ['patients.create', 'patientDevices.register', 'patientDevices.delete'],
    async run({ client, unique }) {
      const patient = await client.patients.create({
        givenName: 'Cem',
        familyName: 'Arslan',
        externalRef: unique('devmax'),
      });
      const prefix = `fcm-${unique('max')}`;
      const devices = [];
      for (let i = 0; i < MAX_DEVICES_PER_PATIENT; i++)
        devices.push(
          await client.patientDevices.register(
            { patientId: patient.id },
            { token: `${prefix}-${i}`, platform: 'ios' },
          ),
        );
      await expectProblem(
        client.patientDevices.register(
          { patientId: patient.id },
          { token: `${prefix}-over`, platform: 'ios' },
        ),
        409,
        'conflict',
      );
      // A token already registered is not a new device, even at the bound.
      const same = await client.patientDevices.register(
        { patientId: patient.id },
        { token: `${prefix}-0`, platform: 'ios' },
      );
      const [first] = devices;
      if (!first) throw new Error('no device registered');
      expect(same.id).toBe(first.id);
      await client.patientDevices.delete({ patientId: patient.id, deviceId: first.id });
      await client.patientDevices.register(
        { patientId: patient.id },
        { token: `${prefix}-over`, platform: 'ios' },
      );
    },
  },
];
