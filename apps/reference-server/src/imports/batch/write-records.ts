/**
 * Batched writers of the `patients` and `appointments` kinds.
 *
 * Patients are sealed before their batch's transaction (each row has its
 * own encrypted PII and blind indexes; the batch shares one data key) and
 * inserted with multi-row INSERTs; the single-record API
 * writes a `patient.created` audit row per patient, an import writes one
 * `import.batch_applied` row per batch instead (see ../audit-batch.ts).
 * Patients have no events, by design (contact data does not fan out).
 *
 * Appointments go through `createAppointment`, row by row inside the batch's
 * transaction: each is a domain event (`appointment.created`) partners
 * subscribe to, so it keeps its own event and audit row.
 */

import { newId } from '@clinicbridge/sdk/contract';
import type { Insertable } from 'kysely';
import { createAppointment, type NewAppointment } from '../../appointments/service.ts';
import { createFieldSealer } from '../../crypto/field-encryption.ts';
import type { DB } from '../../db/schema.ts';
import { isApiError } from '../../kernel/problem.ts';
import { type PatientRecord, sealPatient } from '../../patients/pii.ts';
import type { PatientInput } from '../../patients/service.ts';
import type { RowReject } from '../row-kind.ts';
import { type BatchKind, passThrough, slices } from './batch-kind.ts';

type NewPatient = PatientInput & { givenName: string; familyName: string };

// 20 columns a patient: 500 rows stay far under PostgreSQL's 65,535 parameters.
const PATIENTS_PER_STATEMENT = 500;

/**
 * The `patients` kind, batched: `seal` gives each row its id and sealed
 * columns (one data key per batch, see createFieldSealer), `write` inserts.
 *
 * @example
 * const sealed = patientBatches.seal!(ring, change, [{ row: 2, value: { givenName: 'Ada', familyName: 'Lovelace' } }]);
 * await patientBatches.write(trx, change, sealed);
 */
export const patientBatches: BatchKind<NewPatient, Insertable<DB['patients']>> = {
  prepare: passThrough<NewPatient>(),
  seal(ring, change, rows) {
    const sealer = createFieldSealer(ring);
    return rows.map(({ row: at, value: input }) => {
      const row: PatientRecord = {
        id: newId('pat'),
        tenant_id: change.tenantId,
        given_name: input.givenName,
        family_name: input.familyName,
        birth_date: input.birthDate ?? null,
        email: input.email ?? null,
        phone: input.phone ?? null,
        external_ref: input.externalRef ?? null,
        preferred_language: input.preferredLanguage ?? 'en',
        country_code: input.countryCode ?? null,
        consent_messaging: input.consent?.messaging ?? false,
        consent_marketing: input.consent?.marketing ?? false,
        created_at: change.now,
        updated_at: change.now,
      };
      return { row: at, value: { ...row, ...sealPatient(ring, row, sealer) } };
    });
  },
  async write(db, _change, rows) {
    for (const slice of slices(rows, PATIENTS_PER_STATEMENT)) {
      await db
        .insertInto('patients')
        .values(slice.map((r) => r.value))
        .execute();
    }
    return [];
  },
};

/**
 * The `appointments` kind: one `createAppointment` per row (its event and audit row kept).
 *
 * @example
 * const rejects = await appointmentBatches.write(trx, change, rows);
 */
export const appointmentBatches: BatchKind<NewAppointment> = {
  prepare: passThrough<NewAppointment>(),
  async write(db, change, rows) {
    const rejects: RowReject[] = [];
    for (const { row, value } of rows) {
      try {
        await createAppointment(db, change, value);
      } catch (error) {
        // Only the read check (the patient must exist) ends here; it leaves the transaction usable.
        if (!isApiError(error) || error.status >= 500) throw error;
        const column = error.code === 'not_found' ? 'patientId' : null;
        rejects.push({
          row,
          column,
          value: column ? value.patientId : null,
          message: error.detail ?? error.message,
          code: error.code,
        });
      }
    }
    return rejects;
  },
};
