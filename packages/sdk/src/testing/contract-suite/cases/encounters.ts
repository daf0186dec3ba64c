/**
 * Contract cases for encounters: an admission, a transfer and a discharge
 * from the clinical feed, read back by id and by patient, with their
 * `encounter.*` events; tenant isolation and filters.
 */
import { expect } from 'vitest';
import { collect, expectProblem } from '../expect-problem.ts';
import type { CaseContext, ContractCase } from '../types.ts';

/** Polls `read` until `done` accepts it (an API may apply a feed asynchronously). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function encounterOfVisit(
  { client }: CaseContext,
  patientId: `pat_${string}`,
  visitNumber: string,
) {
  const list = await until(
    () => collect(client.encounters.list({ patientId, limit: 100 })),
    (all) => all.some((e) => e.visitNumber === visitNumber),
  );
  const found = list.find((e) => e.visitNumber === visitNumber);
  if (!found) throw new Error(`no encounter for visit ${visitNumber}`);
  return found;
}

/**
 * Cases for encounters.
 *
 * @example
 * for (const c of encounterCases) console.log(c.name, c.uses);
 */
export const encounterCases: ContractCase[] = [
  {
    name: 'encounters: admit, transfer and discharge from the clinical feed, by id and by patient',
    uses: ['patients.create', 'encounters.get', 'encounters.list', 'events.list'],
    async run(ctx) {
      const { client, target, unique } = ctx;
      const feed = target.clinicalFeed;
      if (!feed) {
        // An API without a feed still answers encounter reads.
        const page = await client.encounters.list({ limit: 5 }).page();
        expect(Array.isArray(page.data)).toBe(true);
        return;
      }
      const mrn = unique('MRN');
      const visitNumber = unique('V');
      // The partner registered the patient with the hospital MRN as its reference.
      const patient = await client.patients.create({
        givenName: 'Asha',
        familyName: 'Rao',
        externalRef: mrn,
      });
      await feed.admit({
        mrn,
        visitNumber,
        location: { pointOfCare: 'W4', room: '402', bed: 'B' },
      });
      const admitted = await encounterOfVisit(ctx, patient.id, visitNumber);
      expect(admitted).toMatchObject({
        patientId: patient.id,
        status: 'in_progress',
        class: 'inpatient',
        location: { pointOfCare: 'W4', room: '402', bed: 'B' },
        dischargedAt: null,
      });
      expect(await client.encounters.get({ encounterId: admitted.id })).toEqual(admitted);

      await feed.transfer({
        mrn,
        visitNumber,
        location: { pointOfCare: 'ICU', room: '1', bed: 'A' },
      });
      const moved = await until(
        () => client.encounters.get({ encounterId: admitted.id }),
        (e) => e.location?.pointOfCare === 'ICU',
      );
      expect(moved.locations.map((l) => [l.pointOfCare, l.bed, l.endedAt === null])).toEqual([
        ['W4', 'B', false],
        ['ICU', 'A', true],
      ]);

      await feed.discharge({ mrn, visitNumber });
      const done = await until(
        () => client.encounters.get({ encounterId: admitted.id }),
        (e) => e.status === 'finished',
      );
      expect(done.dischargedAt).not.toBeNull();
      expect(done.locations.every((l) => l.endedAt !== null)).toBe(true);
      const finished = await collect(
        client.encounters.list({ patientId: patient.id, status: 'finished' }),
      );
      expect(finished.map((e) => e.id)).toEqual([admitted.id]);
      expect(
        await collect(client.encounters.list({ patientId: patient.id, status: 'in_progress' })),
      ).toEqual([]);

      const events = await until(
        () => collect(client.events.list({ entityId: admitted.id, limit: 100 })),
        (list) => list.length >= 3,
      );
      expect(events.map((e) => e.type).sort()).toEqual([
        'encounter.admitted',
        'encounter.discharged',
        'encounter.transferred',
      ]);
      const transferred = events.find((e) => e.type === 'encounter.transferred');
      expect(transferred?.data).toMatchObject({
        encounterId: admitted.id,
        patientId: patient.id,
        previousLocation: { pointOfCare: 'W4', bed: 'B' },
        location: { pointOfCare: 'ICU', bed: 'A' },
      });
      // Events carry codes and ids, never the patient's name.
      expect(JSON.stringify(events)).not.toContain('Asha');
    },
  },
  {
    name: "encounters: another tenant's encounter is not found; filters are validated",
    uses: ['encounters.get', 'encounters.list'],
    async run({ client, clientFor, target }) {
      const other = clientFor(target.otherTenantApiKey);
      const mine = await client.encounters.list({ limit: 1 }).page();
      const someId = mine.data[0]?.id ?? 'enc_0000000000000000000000aaaa';
      await expectProblem(other.encounters.get({ encounterId: someId }), 404, 'not_found');
      await expectProblem(
        client.encounters.list({ status: 'admitted' as never }).page(),
        400,
        'validation_failed',
      );
      const scoped = clientFor(await target.createToken(['read:patients']));
      await expectProblem(scoped.encounters.list().page(), 403, 'insufficient_scope');
    },
  },
];
