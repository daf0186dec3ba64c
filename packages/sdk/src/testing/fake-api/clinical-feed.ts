/**
 * A simulated clinical (ADT) feed for the fake API: what the reference
 * server does when a hospital's HL7 v2 A01, A02 and A03 arrive, applied to
 * a tenant's rows directly. The patient is found by MRN the way the server
 * finds one (a mapping made by an earlier message, else the one patient
 * whose `externalRef` is the MRN, else a new patient), and the
 * `encounter.*` events are recorded with their deliveries.
 */
import { type Encounter, newId, type Patient } from '../../contract/index.ts';
import type { ClinicalFeed, ClinicalFeedInput } from '../contract-suite/types.ts';
import { recordEvent } from './event-recorder.ts';
import type { TenantState } from './tenant-state.ts';

const fullLocation = (l: ClinicalFeedInput['location']) =>
  l
    ? {
        pointOfCare: l.pointOfCare ?? null,
        room: l.room ?? null,
        bed: l.bed ?? null,
        facility: null,
        building: null,
        floor: null,
      }
    : null;

/**
 * The fake API's clinical feed for one tenant.
 *
 * @example
 * const feed = createFakeClinicalFeed(api.state.tenant(tenantId), () => new Date());
 */
export function createFakeClinicalFeed(tenant: TenantState, now: () => Date): ClinicalFeed {
  const mrns = tenant.patientsByMrn;
  const patientFor = (mrn: string): string => {
    const known = mrns.get(mrn);
    if (known) return known;
    const matches = tenant.patients.values().filter((p) => p.externalRef === mrn);
    let id: string;
    if (matches.length === 1) id = matches[0]!.id;
    else {
      const at = now().toISOString();
      const patient: Patient = {
        id: newId('pat'),
        externalRef: null,
        preferredLanguage: 'en',
        countryCode: null,
        consent: { messaging: false, marketing: false },
        createdAt: at,
        updatedAt: at,
        givenName: 'Unknown',
        familyName: 'Unknown',
        birthDate: null,
        email: null,
        phone: null,
      };
      id = tenant.patients.insert(patient).id;
    }
    mrns.set(mrn, id);
    return id;
  };
  const find = (visitNumber: string): Encounter => {
    const found = tenant.encounters.values().find((e) => e.visitNumber === visitNumber);
    if (!found) throw new Error(`the fake clinical feed knows no visit ${visitNumber}`);
    return found;
  };
  const eventData = (e: Encounter) => ({
    encounterId: e.id,
    patientId: e.patientId,
    status: e.status,
    class: e.class,
    location: e.location,
    departmentRef: e.departmentRef,
    admittedAt: e.admittedAt,
    dischargedAt: e.dischargedAt,
  });
  return {
    async admit(input) {
      const at = now().toISOString();
      const location = fullLocation(input.location);
      const encounter = tenant.encounters.insert({
        id: newId('enc'),
        patientId: patientFor(input.mrn) as `pat_${string}`,
        status: 'in_progress',
        class: 'inpatient',
        visitNumber: input.visitNumber,
        location,
        locations: location ? [{ ...location, startedAt: at, endedAt: null }] : [],
        hospitalService: null,
        departmentRef: null,
        attendingProviderCode: null,
        attendingClinicianRef: null,
        admittedAt: at,
        dischargedAt: null,
        dischargeDisposition: null,
        invoiceId: null,
        createdAt: at,
        updatedAt: at,
      });
      recordEvent(tenant, at, {
        type: 'encounter.admitted',
        entityType: 'encounter',
        entityId: encounter.id,
        data: eventData(encounter),
      });
    },
    async transfer(input) {
      const at = now().toISOString();
      const current = find(input.visitNumber);
      const location = fullLocation(input.location);
      const updated = tenant.encounters.update({
        ...current,
        location,
        locations: [
          ...current.locations.map((l) => (l.endedAt === null ? { ...l, endedAt: at } : l)),
          ...(location ? [{ ...location, startedAt: at, endedAt: null }] : []),
        ],
        updatedAt: at,
      });
      recordEvent(tenant, at, {
        type: 'encounter.transferred',
        entityType: 'encounter',
        entityId: updated.id,
        data: { ...eventData(updated), previousLocation: current.location },
      });
    },
    async discharge(input) {
      const at = now().toISOString();
      const current = find(input.visitNumber);
      const updated = tenant.encounters.update({
        ...current,
        status: 'finished',
        dischargedAt: at,
        locations: current.locations.map((l) => (l.endedAt === null ? { ...l, endedAt: at } : l)),
        updatedAt: at,
      });
      recordEvent(tenant, at, {
        type: 'encounter.discharged',
        entityType: 'encounter',
        entityId: updated.id,
        data: { ...eventData(updated), dischargeDisposition: null, invoiceId: null },
      });
    },
  };
}
