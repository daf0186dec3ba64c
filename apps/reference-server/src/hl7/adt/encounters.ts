/**
 * ADT events to encounters. The encounter is found by its visit number
 * (PV1-19, within its assigning authority, else the sending facility), or
 * — when the hospital sends none — the patient's encounter that is not
 * over. Then: A01/A04 admit (a planned one is admitted), A05 plans, A02
 * transfers to PV1-3, A03 discharges (drafting the invoice first), A08
 * corrects, A11 cancels the admission, A13 cancels the discharge. Feeds
 * arrive out of order in real life: a transfer or discharge of an unknown
 * visit opens it first, so nothing the hospital said is dropped. PR1
 * procedures are kept for billing on any of them.
 */
import {
  findSegments,
  getValue,
  hdKey,
  hl7DateTimeToDate,
  isEmptyPl,
  type Message,
  type Msh,
  type Pl,
  type Pv1,
  readCwe,
  readSegment,
} from '@clinicbridge/hl7';
import type { Encounter } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../../db/schema.ts';
import {
  admitPlannedEncounter,
  cancelAdmission,
  cancelDischarge,
  correctEncounter,
  dischargeEncounter,
  type EncounterDetails,
  type EncounterPlace,
  findEncounterByVisit,
  findOpenEncounter,
  openEncounter,
  transferEncounter,
} from '../../encounters/service.ts';
import type { ChangeContext } from '../../kernel/change.ts';
import { clinicianFor, departmentFor } from '../mappings.ts';
import type { AdtTrigger } from '../validate.ts';
import { draftInvoice } from './billing.ts';

/**
 * Everything an ADT handler needs about the message being applied.
 *
 * @example
 * const ctx: AdtContext = { db: trx, change, messageId, message, msh, trigger: 'A01', sendingFacility: 'CITYHOSP', utcOffsetMinutes: 330 };
 */
export interface AdtContext {
  readonly db: Kysely<DB>;
  readonly change: ChangeContext;
  readonly messageId: string;
  readonly message: Message;
  readonly msh: Msh;
  readonly trigger: AdtTrigger;
  readonly sendingFacility: string;
  /** The facility's UTC offset, for date/times sent without one. */
  readonly utcOffsetMinutes: number;
}

/**
 * A message that can never be applied as sent (retrying will not help).
 *
 * @example
 * throw new PermanentAdtError('the visit V1 is finished; send A13 to reopen it first');
 */
export class PermanentAdtError extends Error {
  override readonly name = 'PermanentAdtError';
}

const CLASSES: Record<string, Encounter['class']> = {
  I: 'inpatient',
  O: 'outpatient',
  E: 'emergency',
  P: 'preadmit',
  R: 'recurring',
  B: 'obstetrics',
  C: 'commercial',
  N: 'not_applicable',
  U: 'unknown',
};

const orNull = (text: string) => (text === '' ? null : text.slice(0, 200));

function placeOf(pl: Pl): EncounterPlace | null {
  if (isEmptyPl(pl)) return null;
  return {
    pointOfCare: orNull(pl.pointOfCare),
    room: orNull(pl.room),
    bed: orNull(pl.bed),
    facility: orNull(hdKey(pl.facility)),
    building: orNull(pl.building),
    floor: orNull(pl.floor),
  };
}

/** A date/time of the message as an instant, in the facility's offset when it has none. */
function instant(ctx: AdtContext, value: string): Date | null {
  return value === '' ? null : hl7DateTimeToDate(value, ctx.utcOffsetMinutes);
}

/** When the event happened: EVN-6, else EVN-2, else MSH-7, else now. */
function eventTime(ctx: AdtContext): Date {
  const evn = readSegment(ctx.message, 'EVN');
  return (
    instant(ctx, evn?.eventOccurred ?? '') ??
    instant(ctx, evn?.recordedDateTime ?? '') ??
    instant(ctx, ctx.msh.dateTime) ??
    ctx.change.now
  );
}

async function detailsOf(ctx: AdtContext, pv1: Pv1): Promise<EncounterDetails> {
  const attending = pv1.attendingDoctors[0]?.id ?? '';
  return {
    class: CLASSES[pv1.patientClass.toUpperCase()] ?? 'unknown',
    hospitalService: orNull(pv1.hospitalService),
    departmentRef: await departmentFor(ctx.db, ctx.change.tenantId, [
      pv1.hospitalService,
      pv1.assignedLocation.pointOfCare,
    ]),
    attendingProviderCode: orNull(attending),
    attendingClinicianRef: await clinicianFor(ctx.db, ctx.change.tenantId, attending),
  };
}

function visitOf(ctx: AdtContext, pv1: Pv1): { number: string; authority: string } | null {
  const number = pv1.visitNumber.id.slice(0, 200);
  if (number === '') return null;
  return {
    number,
    authority: (hdKey(pv1.visitNumber.assigningAuthority) || ctx.sendingFacility).slice(0, 200),
  };
}

async function findEncounter(
  ctx: AdtContext,
  patientId: string,
  pv1: Pv1,
  options: { includeFinished?: boolean } = {},
): Promise<Row<'encounters'> | undefined> {
  const visit = visitOf(ctx, pv1);
  if (visit) {
    return findEncounterByVisit(ctx.db, ctx.change.tenantId, visit.authority, visit.number, {
      lock: true,
    });
  }
  return findOpenEncounter(ctx.db, ctx.change.tenantId, patientId, {
    lock: true,
    includeFinished: options.includeFinished ?? false,
  });
}

async function open(
  ctx: AdtContext,
  patientId: string,
  pv1: Pv1,
  status: 'planned' | 'in_progress',
  place: EncounterPlace | null,
): Promise<Row<'encounters'>> {
  const visit = visitOf(ctx, pv1);
  return openEncounter(ctx.db, ctx.change, {
    patientId,
    status,
    visitNumber: visit?.number ?? null,
    visitAuthority: visit?.authority ?? null,
    place,
    details: await detailsOf(ctx, pv1),
    admittedAt:
      instant(ctx, pv1.admitDateTime) ?? (status === 'in_progress' ? eventTime(ctx) : null),
  });
}

/** Keeps the message's PR1 procedures for the encounter's bill (each once). */
async function recordProcedures(ctx: AdtContext, encounterId: string): Promise<number> {
  const rows = findSegments(ctx.message, 'PR1').flatMap((pr1) => {
    const code = readCwe(pr1.fields[2]?.[0]).identifier.slice(0, 100);
    if (code === '') return [];
    const occurrence = (getValue(pr1, 5).trim() || getValue(pr1, 1).trim() || '1').slice(0, 60);
    return [
      {
        tenant_id: ctx.change.tenantId,
        encounter_id: encounterId,
        code,
        occurrence,
        message_id: ctx.messageId,
        created_at: ctx.change.now,
      },
    ];
  });
  if (rows.length === 0) return 0;
  const inserted = await ctx.db
    .insertInto('hl7_encounter_charges')
    .values(rows)
    .onConflict((oc) => oc.columns(['encounter_id', 'code', 'occurrence']).doNothing())
    .returning('code')
    .execute();
  return inserted.length;
}

/**
 * Applies an encounter event (every trigger but A40) for the patient;
 * returns what was done, for the inbox row's reason.
 *
 * @example
 * const reason = await applyEncounterEvent(ctx, patientId);
 */
export async function applyEncounterEvent(ctx: AdtContext, patientId: string): Promise<string> {
  const pv1 = readSegment(ctx.message, 'PV1');
  if (!pv1) throw new PermanentAdtError('the message has no PV1 segment');
  const place = placeOf(pv1.assignedLocation);
  const at = eventTime(ctx);
  const found = await findEncounter(ctx, patientId, pv1, {
    includeFinished: ctx.trigger === 'A13' || ctx.trigger === 'A03',
  });
  if (found && found.patient_id !== patientId) {
    throw new PermanentAdtError(
      `visit ${found.visit_number ?? ''} belongs to another patient here; send A40 to merge them first`,
    );
  }
  const withProcedures = async (row: Row<'encounters'>, text: string) => {
    const procedures = await recordProcedures(ctx, row.id);
    return procedures > 0 ? `${text}; ${procedures} procedure(s) kept for billing` : text;
  };

  switch (ctx.trigger) {
    case 'A01':
    case 'A04': {
      if (!found)
        return withProcedures(await open(ctx, patientId, pv1, 'in_progress', place), 'admitted');
      if (found.status === 'planned') {
        const row = await admitPlannedEncounter(ctx.db, ctx.change, found, {
          place,
          details: await detailsOf(ctx, pv1),
          at: instant(ctx, pv1.admitDateTime) ?? at,
        });
        return withProcedures(row, 'planned encounter admitted');
      }
      if (found.status === 'in_progress') {
        const row = await correctEncounter(ctx.db, ctx.change, found, {
          place,
          details: await detailsOf(ctx, pv1),
        });
        return withProcedures(row, 'already admitted; details updated');
      }
      throw new PermanentAdtError(
        `visit ${found.visit_number ?? ''} is ${found.status}; a new admission needs a new visit number`,
      );
    }
    case 'A05': {
      if (!found)
        return withProcedures(await open(ctx, patientId, pv1, 'planned', place), 'pre-admitted');
      const row = await correctEncounter(ctx.db, ctx.change, found, {
        place,
        details: await detailsOf(ctx, pv1),
      });
      return withProcedures(row, 'pre-admission updated');
    }
    case 'A02': {
      if (!place) throw new PermanentAdtError('a transfer needs the new location in PV1-3');
      let row = found;
      if (!row) row = await open(ctx, patientId, pv1, 'in_progress', placeOf(pv1.priorLocation));
      else if (row.status === 'planned') {
        row = await admitPlannedEncounter(ctx.db, ctx.change, row, {
          place: placeOf(pv1.priorLocation),
          details: await detailsOf(ctx, pv1),
          at,
        });
      }
      if (row.status !== 'in_progress') {
        throw new PermanentAdtError(
          `visit ${row.visit_number ?? ''} is ${row.status}; it cannot be transferred`,
        );
      }
      const moved = await transferEncounter(ctx.db, ctx.change, row, {
        place,
        details: await detailsOf(ctx, pv1),
        at,
      });
      return withProcedures(
        moved,
        found ? 'transferred' : 'unknown visit opened, then transferred',
      );
    }
    case 'A03': {
      if (found?.status === 'finished') return 'already discharged';
      if (found?.status === 'cancelled') {
        throw new PermanentAdtError(
          `visit ${found.visit_number ?? ''} was cancelled; it cannot be discharged`,
        );
      }
      const row = found ?? (await open(ctx, patientId, pv1, 'in_progress', place));
      await recordProcedures(ctx, row.id);
      const dischargedAt = instant(ctx, pv1.dischargeDateTime) ?? at;
      const invoice = await draftInvoice(ctx, row, dischargedAt);
      await dischargeEncounter(ctx.db, ctx.change, row, {
        at: dischargedAt,
        disposition: orNull(pv1.dischargeDisposition),
        invoiceId: invoice.invoiceId,
      });
      return [found ? 'discharged' : 'unknown visit opened, then discharged', invoice.note].join(
        '; ',
      );
    }
    case 'A08': {
      if (!found) return 'patient updated; no open encounter to update';
      const row = await correctEncounter(ctx.db, ctx.change, found, {
        place,
        details: await detailsOf(ctx, pv1),
      });
      return withProcedures(row, 'patient and encounter updated');
    }
    case 'A11': {
      if (!found) return 'no open encounter: nothing to cancel';
      await cancelAdmission(ctx.db, ctx.change, found);
      return 'admission cancelled';
    }
    case 'A13': {
      if (found?.status !== 'finished') return 'no discharged encounter: nothing to cancel';
      await cancelDischarge(ctx.db, ctx.change, found);
      return 'discharge cancelled';
    }
    case 'A40':
      throw new PermanentAdtError('a merge is not an encounter event');
  }
}
