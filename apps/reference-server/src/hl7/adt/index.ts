/**
 * Applies one stored ADT message: the patient first (found, linked or
 * created by PID-3; merged on A40), then the encounter event. Runs inside
 * the processor's transaction, so the patient, the encounter, the invoice,
 * their audit rows and `encounter.*` events commit together with the
 * inbox row's `processed` mark — or not at all.
 */
import { type Message, readHeader, readSegment } from '@clinicbridge/hl7';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { ChangeContext } from '../../kernel/change.ts';
import type { AdtTrigger } from '../validate.ts';
import { type AdtContext, applyEncounterEvent, PermanentAdtError } from './encounters.ts';
import { mergePatients, resolvePatient } from './patients.ts';

export { PermanentAdtError } from './encounters.ts';

/**
 * The stored message and where it came from.
 *
 * @example
 * const input: AdtInput = { messageId: 'hl7_…', message, trigger: 'A01', sendingFacility: 'CITYHOSP', utcOffsetMinutes: 330 };
 */
export interface AdtInput {
  readonly messageId: string;
  readonly message: Message;
  readonly trigger: AdtTrigger;
  readonly sendingFacility: string;
  readonly utcOffsetMinutes: number;
}

/**
 * Applies the message; returns what was done (the inbox row's reason).
 * Throws `PermanentAdtError` when the message can never be applied.
 *
 * @example
 * const reason = await applyAdt(trx, change, { messageId, message, trigger, sendingFacility, utcOffsetMinutes });
 */
export async function applyAdt(
  db: Kysely<DB>,
  change: ChangeContext,
  input: AdtInput,
): Promise<string> {
  const pid = readSegment(input.message, 'PID');
  if (!pid || pid.identifiers.length === 0) throw new PermanentAdtError('PID-3 names no patient');
  if (input.trigger === 'A40') {
    const mrg = readSegment(input.message, 'MRG');
    if (!mrg) throw new PermanentAdtError('a merge needs an MRG segment');
    return mergePatients(
      db,
      change,
      pid,
      mrg.priorPatientIdentifiers,
      input.sendingFacility,
      input.messageId,
    );
  }
  const { patientId, created } = await resolvePatient(db, change, pid, input.sendingFacility, {
    update: input.trigger !== 'A11' && input.trigger !== 'A13',
  });
  const ctx: AdtContext = {
    db,
    change,
    messageId: input.messageId,
    message: input.message,
    msh: readHeader(input.message),
    trigger: input.trigger,
    sendingFacility: input.sendingFacility,
    utcOffsetMinutes: input.utcOffsetMinutes,
  };
  const done = await applyEncounterEvent(ctx, patientId);
  return created ? `patient ${patientId} registered; ${done}` : done;
}
