/**
 * Encounters: a patient's stay or visit, written by the hospital's ADT feed
 * (the hl7 feature) and read through the API. Each change is one state
 * transition — planned → in_progress (admitted) → finished (discharged),
 * cancelled from planned or in_progress, a discharge undone — recorded with
 * its audit row and, for admissions, transfers, discharges and
 * cancellations, its `encounter.*` event. Events carry ids, codes and
 * states only. The location history is kept as periods, one open at a time.
 */
import type { Encounter } from '@clinicbridge/sdk/contract';
import { eventCode, locationCode, newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { listPage, type PatientListQuery } from '../kernel/list.ts';
import { insertOwned, updateOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';

/**
 * A place as the hospital codes it (PV1-3); absent parts are null.
 *
 * @example
 * const bed: EncounterPlace = { pointOfCare: 'W4', room: '402', bed: 'B', facility: 'CITYHOSP', building: null, floor: null };
 */
export interface EncounterPlace {
  pointOfCare: string | null;
  room: string | null;
  bed: string | null;
  facility: string | null;
  building: string | null;
  floor: string | null;
}

/**
 * What an ADT message says about an encounter besides its place.
 *
 * @example
 * const details: EncounterDetails = { class: 'inpatient', hospitalService: 'MED', departmentRef: 'medicine', attendingProviderCode: 'D123', attendingClinicianRef: null };
 */
export interface EncounterDetails {
  class: Encounter['class'];
  hospitalService: string | null;
  departmentRef: string | null;
  attendingProviderCode: string | null;
  attendingClinicianRef: string | null;
}

type EncounterRow = Row<'encounters'>;
type LocationRow = Row<'encounter_locations'>;

type PlaceColumns = Pick<
  EncounterRow,
  'point_of_care' | 'room' | 'bed' | 'facility' | 'building' | 'floor'
>;

const placeOf = (row: PlaceColumns): EncounterPlace => ({
  pointOfCare: row.point_of_care,
  room: row.room,
  bed: row.bed,
  facility: row.facility,
  building: row.building,
  floor: row.floor,
});

const placeColumns = (place: EncounterPlace | null) => ({
  point_of_care: place?.pointOfCare ?? null,
  room: place?.room ?? null,
  bed: place?.bed ?? null,
  facility: place?.facility ?? null,
  building: place?.building ?? null,
  floor: place?.floor ?? null,
});

const hasPlace = (place: EncounterPlace | null): place is EncounterPlace =>
  place !== null && Object.values(place).some((v) => v !== null);

function currentPlace(row: EncounterRow): EncounterPlace | null {
  const place = placeOf(row);
  return hasPlace(place) ? place : null;
}

/**
 * The public view of an encounter row and its location periods.
 *
 * @example
 * toEncounter(row, locations).status; // 'in_progress'
 */
export function toEncounter(row: EncounterRow, locations: readonly LocationRow[]): Encounter {
  return {
    id: row.id as `enc_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    status: row.status,
    class: row.class as Encounter['class'],
    visitNumber: row.visit_number,
    location: currentPlace(row),
    locations: locations.map((l) => ({
      ...placeOf(l),
      startedAt: l.started_at.toISOString(),
      endedAt: l.ended_at?.toISOString() ?? null,
    })),
    hospitalService: row.hospital_service,
    departmentRef: row.department_ref,
    attendingProviderCode: row.attending_provider_code,
    attendingClinicianRef: row.attending_clinician_ref,
    admittedAt: row.admitted_at?.toISOString() ?? null,
    dischargedAt: row.discharged_at?.toISOString() ?? null,
    dischargeDisposition: row.discharge_disposition,
    invoiceId: row.invoice_id as `inv_${string}` | null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function locationsOf(
  db: Kysely<DB>,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, LocationRow[]>> {
  const byEncounter = new Map<string, LocationRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byEncounter;
  const rows = await db
    .selectFrom('encounter_locations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('encounter_id', 'in', [...ids])
    .orderBy('encounter_id')
    .orderBy('seq')
    .execute();
  for (const row of rows) byEncounter.get(row.encounter_id)?.push(row);
  return byEncounter;
}

/**
 * An encounter row of the tenant, or 404.
 *
 * @example
 * const row = await requireEncounter(trx, tenantId, 'enc_…', { lock: true });
 */
export function requireEncounter(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<EncounterRow> {
  return requireOwned(db, 'encounters', tenantId, id, options);
}

/**
 * One encounter of the tenant as the API shows it, or 404.
 *
 * @example
 * const encounter = await getEncounter(db, tenantId, 'enc_…');
 */
export async function getEncounter(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<Encounter> {
  const row = await requireEncounter(db, tenantId, id);
  const locations = await locationsOf(db, tenantId, [id]);
  return toEncounter(row, locations.get(id) ?? []);
}

/**
 * Lists encounters, by patient and status, oldest first.
 *
 * @example
 * await listEncounters(db, tenantId, { patientId: 'pat_…', status: 'in_progress' });
 */
export async function listEncounters(db: Kysely<DB>, tenantId: string, query: PatientListQuery) {
  const page = await listPage(
    db,
    'encounters',
    tenantId,
    query,
    [
      query.patientId !== undefined && ['patient_id', '=', query.patientId],
      query.status !== undefined && ['status', '=', query.status],
    ],
    (row) => row,
  );
  const locations = await locationsOf(
    db,
    tenantId,
    page.data.map((row) => row.id),
  );
  return { ...page, data: page.data.map((row) => toEncounter(row, locations.get(row.id) ?? [])) };
}

/**
 * The encounter with this visit number in its assigning authority, if any.
 *
 * @example
 * const row = await findEncounterByVisit(trx, tenantId, 'CITYHOSP', 'V0001', { lock: true });
 */
export async function findEncounterByVisit(
  db: Kysely<DB>,
  tenantId: string,
  authority: string,
  visitNumber: string,
  options: { lock?: boolean } = {},
): Promise<EncounterRow | undefined> {
  let query = db
    .selectFrom('encounters')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('visit_authority', '=', authority)
    .where('visit_number', '=', visitNumber);
  if (options.lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/**
 * The patient's most recent encounter that is not over (planned or in
 * progress), for messages that name no visit number.
 *
 * @example
 * const open = await findOpenEncounter(trx, tenantId, 'pat_…');
 */
export async function findOpenEncounter(
  db: Kysely<DB>,
  tenantId: string,
  patientId: string,
  options: { lock?: boolean; includeFinished?: boolean } = {},
): Promise<EncounterRow | undefined> {
  let query = db
    .selectFrom('encounters')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('patient_id', '=', patientId)
    .where(
      'status',
      'in',
      options.includeFinished ? ['planned', 'in_progress', 'finished'] : ['planned', 'in_progress'],
    )
    .orderBy('created_at', 'desc')
    .limit(1);
  if (options.lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

// Events carry codes only (no free text reaches partners): a location part or
// department that is not a code travels as null; the encounter resource keeps it.
const asCode = (value: string | null, shape: typeof eventCode): string | null =>
  value !== null && shape.safeParse(value).success ? value : null;

function eventPlace(place: EncounterPlace | null): EncounterPlace | null {
  if (place === null) return null;
  return {
    pointOfCare: asCode(place.pointOfCare, locationCode),
    room: asCode(place.room, locationCode),
    bed: asCode(place.bed, locationCode),
    facility: asCode(place.facility, locationCode),
    building: asCode(place.building, locationCode),
    floor: asCode(place.floor, locationCode),
  };
}

function eventData(row: EncounterRow) {
  return {
    encounterId: row.id as `enc_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    status: row.status,
    class: row.class as Encounter['class'],
    location: eventPlace(currentPlace(row)),
    departmentRef: asCode(row.department_ref, eventCode),
    admittedAt: row.admitted_at?.toISOString() ?? null,
    dischargedAt: row.discharged_at?.toISOString() ?? null,
  };
}

async function openPeriod(
  db: Kysely<DB>,
  row: EncounterRow,
  place: EncounterPlace,
  at: Date,
): Promise<void> {
  const last = await db
    .selectFrom('encounter_locations')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('encounter_id', '=', row.id)
    .executeTakeFirst();
  await db
    .insertInto('encounter_locations')
    .values({
      tenant_id: row.tenant_id,
      encounter_id: row.id,
      seq: Number(last?.seq ?? 0) + 1,
      ...placeColumns(place),
      started_at: at,
      ended_at: null,
    })
    .execute();
}

async function closePeriods(db: Kysely<DB>, row: EncounterRow, at: Date): Promise<void> {
  await db
    .updateTable('encounter_locations')
    .set({ ended_at: at })
    .where('encounter_id', '=', row.id)
    .where('ended_at', 'is', null)
    .execute();
}

async function save(
  db: Kysely<DB>,
  change: ChangeContext,
  row: EncounterRow,
  set: Partial<Omit<EncounterRow, 'id' | 'tenant_id' | 'created_at'>>,
): Promise<EncounterRow> {
  const next = { ...row, ...set, updated_at: change.now };
  const { id: _id, tenant_id: _tenant, created_at: _created, ...columns } = next;
  await updateOwned(db, 'encounters', change.tenantId, row.id, columns);
  return next;
}

/**
 * Opens an encounter: planned (A05 pre-admission) or in progress (A01
 * admission, A04 registration, which emit `encounter.admitted`).
 *
 * @example
 * await openEncounter(trx, change, { patientId, status: 'in_progress', visitNumber: 'V1', visitAuthority: 'CITYHOSP', place, details, admittedAt });
 */
export async function openEncounter(
  db: Kysely<DB>,
  change: ChangeContext,
  input: {
    patientId: string;
    status: 'planned' | 'in_progress';
    visitNumber: string | null;
    visitAuthority: string | null;
    place: EncounterPlace | null;
    details: EncounterDetails;
    admittedAt: Date | null;
  },
): Promise<EncounterRow> {
  const row: EncounterRow = {
    id: newId('enc'),
    tenant_id: change.tenantId,
    patient_id: input.patientId,
    status: input.status,
    class: input.details.class,
    visit_number: input.visitNumber,
    visit_authority: input.visitNumber === null ? null : input.visitAuthority,
    ...placeColumns(hasPlace(input.place) ? input.place : null),
    hospital_service: input.details.hospitalService,
    department_ref: input.details.departmentRef,
    attending_provider_code: input.details.attendingProviderCode,
    attending_clinician_ref: input.details.attendingClinicianRef,
    admitted_at:
      input.status === 'in_progress' ? (input.admittedAt ?? change.now) : input.admittedAt,
    discharged_at: null,
    discharge_disposition: null,
    invoice_id: null,
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'encounters', row);
  if (input.status === 'in_progress' && hasPlace(input.place)) {
    await openPeriod(db, row, input.place, row.admitted_at ?? change.now);
  }
  await recordChange(db, change, {
    action: input.status === 'planned' ? 'encounter.planned' : 'encounter.admitted',
    entityType: 'encounter',
    entityId: row.id,
    audit: { status: row.status, class: row.class },
    ...(input.status === 'in_progress'
      ? { event: { type: 'encounter.admitted' as const, data: eventData(row) } }
      : {}),
  });
  return row;
}

/**
 * Admits a planned encounter (A01 after A05): in progress from `at`.
 *
 * @example
 * await admitPlannedEncounter(trx, change, row, { place, details, at });
 */
export async function admitPlannedEncounter(
  db: Kysely<DB>,
  change: ChangeContext,
  row: EncounterRow,
  input: { place: EncounterPlace | null; details: EncounterDetails; at: Date },
): Promise<EncounterRow> {
  if (row.status !== 'planned') {
    throw new ApiError('invalid_state_transition', `The encounter is ${row.status}, not planned.`);
  }
  const place = hasPlace(input.place) ? input.place : currentPlace(row);
  const next = await save(db, change, row, {
    status: 'in_progress',
    admitted_at: input.at,
    ...placeColumns(place),
    ...detailColumns(input.details),
  });
  if (place) await openPeriod(db, next, place, input.at);
  await recordChange(db, change, {
    action: 'encounter.admitted',
    entityType: 'encounter',
    entityId: row.id,
    audit: { status: next.status },
    event: { type: 'encounter.admitted', data: eventData(next) },
  });
  return next;
}

function detailColumns(details: EncounterDetails) {
  return {
    class: details.class,
    hospital_service: details.hospitalService,
    department_ref: details.departmentRef,
    attending_provider_code: details.attendingProviderCode,
    attending_clinician_ref: details.attendingClinicianRef,
  };
}

/**
 * Moves an in-progress encounter to another place (A02): the current
 * period ends and a new one starts at `at`; emits `encounter.transferred`.
 *
 * @example
 * await transferEncounter(trx, change, row, { place: icuBed, details, at });
 */
export async function transferEncounter(
  db: Kysely<DB>,
  change: ChangeContext,
  row: EncounterRow,
  input: { place: EncounterPlace; details: EncounterDetails; at: Date },
): Promise<EncounterRow> {
  if (row.status !== 'in_progress') {
    throw new ApiError(
      'invalid_state_transition',
      `Only an encounter in progress can be transferred; this one is ${row.status}.`,
    );
  }
  const previous = currentPlace(row);
  await closePeriods(db, row, input.at);
  const next = await save(db, change, row, {
    ...placeColumns(input.place),
    ...detailColumns(input.details),
  });
  await openPeriod(db, next, input.place, input.at);
  await recordChange(db, change, {
    action: 'encounter.transferred',
    entityType: 'encounter',
    entityId: row.id,
    event: {
      type: 'encounter.transferred',
      data: { ...eventData(next), previousLocation: eventPlace(previous) },
    },
  });
  return next;
}

/**
 * Discharges an encounter (A03): finished at `at`, the open period closed;
 * emits `encounter.discharged` with the drafted invoice, if any.
 *
 * @example
 * await dischargeEncounter(trx, change, row, { at, disposition: '01', invoiceId: null });
 */
export async function dischargeEncounter(
  db: Kysely<DB>,
  change: ChangeContext,
  row: EncounterRow,
  input: { at: Date; disposition: string | null; invoiceId: string | null },
): Promise<EncounterRow> {
  if (row.status !== 'in_progress' && row.status !== 'planned') {
    throw new ApiError('invalid_state_transition', `The encounter is already ${row.status}.`);
  }
  await closePeriods(db, row, input.at);
  const next = await save(db, change, row, {
    status: 'finished',
    admitted_at: row.admitted_at ?? input.at,
    discharged_at: input.at,
    discharge_disposition: input.disposition,
    invoice_id: input.invoiceId ?? row.invoice_id,
  });
  await recordChange(db, change, {
    action: 'encounter.discharged',
    entityType: 'encounter',
    entityId: row.id,
    audit: { invoiceId: next.invoice_id },
    event: {
      type: 'encounter.discharged',
      data: {
        ...eventData(next),
        dischargeDisposition: next.discharge_disposition,
        invoiceId: next.invoice_id as `inv_${string}` | null,
      },
    },
  });
  return next;
}

/**
 * Cancels an admission (A11): the encounter is cancelled; emits `encounter.cancelled`.
 *
 * @example
 * await cancelAdmission(trx, change, row);
 */
export async function cancelAdmission(
  db: Kysely<DB>,
  change: ChangeContext,
  row: EncounterRow,
): Promise<EncounterRow> {
  if (row.status !== 'in_progress' && row.status !== 'planned') {
    throw new ApiError(
      'invalid_state_transition',
      `A ${row.status} encounter cannot have its admission cancelled.`,
    );
  }
  await closePeriods(db, row, change.now);
  const next = await save(db, change, row, { status: 'cancelled' });
  await recordChange(db, change, {
    action: 'encounter.cancelled',
    entityType: 'encounter',
    entityId: row.id,
    audit: { cancelled: 'admission' },
    event: { type: 'encounter.cancelled', data: { ...eventData(next), cancelled: 'admission' } },
  });
  return next;
}

/**
 * Undoes a discharge (A13): the encounter is in progress again, back in its
 * last place; emits `encounter.cancelled` for the discharge.
 *
 * @example
 * await cancelDischarge(trx, change, row);
 */
export async function cancelDischarge(
  db: Kysely<DB>,
  change: ChangeContext,
  row: EncounterRow,
): Promise<EncounterRow> {
  if (row.status !== 'finished') {
    throw new ApiError(
      'invalid_state_transition',
      `Only a finished encounter has a discharge to cancel; this one is ${row.status}.`,
    );
  }
  const place = currentPlace(row);
  const next = await save(db, change, row, {
    status: 'in_progress',
    discharged_at: null,
    discharge_disposition: null,
  });
  if (place) await openPeriod(db, next, place, change.now);
  await recordChange(db, change, {
    action: 'encounter.discharge_cancelled',
    entityType: 'encounter',
    entityId: row.id,
    audit: { cancelled: 'discharge' },
    event: { type: 'encounter.cancelled', data: { ...eventData(next), cancelled: 'discharge' } },
  });
  return next;
}

/**
 * Applies corrected details (A08): class, service, department, attending
 * doctor, and the place when it changed (a correction, not a transfer: the
 * current period is rewritten). Audited; no event.
 *
 * @example
 * await correctEncounter(trx, change, row, { place, details });
 */
export async function correctEncounter(
  db: Kysely<DB>,
  change: ChangeContext,
  row: EncounterRow,
  input: { place: EncounterPlace | null; details: EncounterDetails },
): Promise<EncounterRow> {
  const place = hasPlace(input.place) ? input.place : currentPlace(row);
  const next = await save(db, change, row, {
    ...placeColumns(place),
    ...detailColumns(input.details),
  });
  if (place && row.status === 'in_progress') {
    const updated = await db
      .updateTable('encounter_locations')
      .set(placeColumns(place))
      .where('encounter_id', '=', row.id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) await openPeriod(db, next, place, change.now);
  }
  await recordChange(db, change, {
    action: 'encounter.updated',
    entityType: 'encounter',
    entityId: row.id,
  });
  return next;
}

/**
 * Moves every encounter of one patient to another (a patient merge, A40).
 * Returns how many moved.
 *
 * @example
 * await reassignEncounters(trx, change, 'pat_old…', 'pat_survivor…');
 */
export async function reassignEncounters(
  db: Kysely<DB>,
  change: ChangeContext,
  fromPatientId: string,
  toPatientId: string,
): Promise<number> {
  const moved = await db
    .updateTable('encounters')
    .set({ patient_id: toPatientId, updated_at: change.now })
    .where('tenant_id', '=', change.tenantId)
    .where('patient_id', '=', fromPatientId)
    .returning('id')
    .execute();
  for (const { id } of moved) {
    await recordChange(db, change, {
      action: 'encounter.reassigned',
      entityType: 'encounter',
      entityId: id,
      audit: { fromPatientId, toPatientId },
    });
  }
  return moved.length;
}
