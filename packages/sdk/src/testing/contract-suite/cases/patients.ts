/** Contract cases for patients: CRUD, filtered pagination, and PII visible only with its scope. */
import { expect } from 'vitest';
import { collect } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

/**
 * Cases for patients.
 *
 * @example
 * for (const c of patientCases) console.log(c.name, c.uses);
 */
export const patientCases: ContractCase[] = [
  {
    name: 'patients: create, get, update, and list page by page',
    uses: ['patients.create', 'patients.get', 'patients.update', 'patients.list'],
    async run({ client, unique }) {
      const externalRef = unique('pat');
      const created = [];
      for (const givenName of ['Ada', 'Elif', 'Mehmet']) {
        created.push(
          await client.patients.create({
            givenName,
            familyName: 'Demir',
            externalRef,
            preferredLanguage: 'tr',
          }),
        );
      }
      const first = created[0]!;
      expect(first).toMatchObject({
        givenName: 'Ada',
        familyName: 'Demir',
        externalRef,
        preferredLanguage: 'tr',
      });
      expect(await client.patients.get({ patientId: first.id })).toEqual(first);

      const updated = await client.patients.update(
        { patientId: first.id },
        { email: 'ada@example.com' },
      );
      expect(updated).toMatchObject({ id: first.id, email: 'ada@example.com', givenName: 'Ada' });

      const page = await client.patients.list({ externalRef, limit: 2 }).page();
      expect(page.data).toHaveLength(2);
      expect(page.nextCursor).not.toBeNull();
      const all = await collect(client.patients.list({ externalRef, limit: 2 }));
      expect(all.map((p) => p.id).sort()).toEqual(created.map((p) => p.id).sort());
    },
  },
  {
    name: 'patients: names and contact details need read:patients:pii',
    uses: ['patients.create', 'patients.get', 'patients.list'],
    async run({ client, clientFor, target, unique }) {
      const externalRef = unique('pii');
      const patient = await client.patients.create({
        givenName: 'Zeynep',
        familyName: 'Kaya',
        email: 'zeynep@example.com',
        externalRef,
      });
      const plain = clientFor(await target.createToken(['read:patients']));
      const hidden = await plain.patients.get({ patientId: patient.id });
      expect(hidden.id).toBe(patient.id);
      for (const field of ['givenName', 'familyName', 'email', 'phone', 'birthDate']) {
        expect(hidden, `${field} must be hidden`).not.toHaveProperty(field);
      }
      const listed = await plain.patients.list({ externalRef }).page();
      expect(listed.data[0]).not.toHaveProperty('givenName');
      const pii = clientFor(await target.createToken(['read:patients:pii']));
      expect(await pii.patients.get({ patientId: patient.id })).toMatchObject({
        givenName: 'Zeynep',
        email: 'zeynep@example.com',
      });
    },
  },
];
