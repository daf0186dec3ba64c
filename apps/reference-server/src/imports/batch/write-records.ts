/**
 * Batched writers of the `patients` and `appointments` kinds.
 *
 * Patients are sealed before their batch's transaction (each row has its
 * own encrypted PII and blind indexes; the rows of one `seal` call, 50 at a
 * time from the pipeline, share one data key) and inserted 250 at a time
 * with `INSERT … SELECT FROM unnest(…)`; the single-record API
 * writes a `patient.created` audit row per patient, an import writes one
 * `import.batch_applied` row per batch instead (see ../audit-batch.ts).
 * Patients have no events, by design (contact data does not fan out).
 *
 * Appointments go through `createAppointment`, row by row inside the batch's
 * transaction: each is a domain event (`appointment.created`) partners
 * subscribe to, so it keeps its own event and audit row.
 */

import { newId } from '@clinicbridge/sdk/contract';
import { type Kysely, sql } from 'kysely';
import { createAppointment, type NewAppointment } from '../../appointments/service.ts';
import { createFieldSealer } from '../../crypto/field-encryption.ts';
import { booleanArray, textArray } from '../../db/array-literal.ts';
import type { DB, Row } from '../../db/schema.ts';
import { isApiError } from '../../kernel/problem.ts';
import { type PatientRecord, sealPatient } from '../../patients/pii.ts';
import type { PatientInput } from '../../patients/service.ts';
import type { RowReject } from '../row-kind.ts';
import { type BatchKind, type PreparedRow, passThrough, slices } from './batch-kind.ts';

type NewPatient = PatientInput & { givenName: string; familyName: string };

/** A sealed row; the batch's rows share one tenant, time and key id (the same objects). */
type SealedPatient = Pick<
  Row<'patients'>,
  | 'id'
  | 'tenant_id'
  | 'external_ref'
  | 'preferred_language'
  | 'country_code'
  | 'consent_messaging'
  | 'consent_marketing'
  | 'created_at'
  | 'email_index'
  | 'phone_index'
> & { pii: string; pii_kid: string };

// A column's literal stays under V8's large-object size (about 128 KiB; the
// sealed data is about 300 characters a row), so it dies young instead of
// filling the old generation until a full collection: at 1,000 rows a
// statement, those literals were two thirds of an import's RSS growth.
const PATIENTS_PER_STATEMENT = 250;

type TextColumn = {
  [K in keyof SealedPatient]: SealedPatient[K] extends string | null ? K : never;
}[keyof SealedPatient];

/**
 * One statement for up to 250 rows, its columns as array literals: a fixed
 * text with 13 parameters, where multi-row VALUES had 20 a row for
 * PostgreSQL to parse, plan and bind (this halved the database's CPU a
 * row). The rows share their tenant, time and key id, sent once; the
 * plaintext columns stay null (sealed rows).
 */
async function insertPatients(db: Kysely<DB>, rows: readonly PreparedRow<SealedPatient>[]) {
  const shared = rows[0]?.value;
  if (!shared) return;
  const text = (name: TextColumn) => textArray(rows.map((r) => r.value[name]));
  const flag = (name: 'consent_messaging' | 'consent_marketing') =>
    booleanArray(rows.map((r) => r.value[name]));
  await sql`
    insert into patients (id, tenant_id, external_ref, preferred_language, country_code,
      consent_messaging, consent_marketing, created_at, updated_at, pii, pii_kid,
      email_index, phone_index)
    select r.id, ${shared.tenant_id}, r.external_ref, r.preferred_language, r.country_code,
      r.consent_messaging, r.consent_marketing, ${shared.created_at}, ${shared.created_at},
      r.pii, ${shared.pii_kid}, r.email_index, r.phone_index
    from unnest(${text('id')}::text[], ${text('external_ref')}::text[],
      ${text('preferred_language')}::text[], ${text('country_code')}::text[],
      ${flag('consent_messaging')}::boolean[], ${flag('consent_marketing')}::boolean[],
      ${text('pii')}::text[], ${text('email_index')}::text[], ${text('phone_index')}::text[])
      as r(id, external_ref, preferred_language, country_code, consent_messaging,
        consent_marketing, pii, email_index, phone_index)
  `.execute(db);
}

/**
 * The `patients` kind, batched: `seal` gives each row its id and sealed
 * columns (one data key per call, see createFieldSealer), `write` inserts.
 *
 * @example
 * const sealed = patientBatches.seal!(ring, change, [{ row: 2, value: { givenName: 'Ada', familyName: 'Lovelace' } }]);
 * await patientBatches.write(trx, change, sealed);
 */
export const patientBatches: BatchKind<NewPatient, SealedPatient> = {
  prepare: passThrough<NewPatient>(),
  // Fresh ids, no unique key but the id, no audit row or event a row.
  overlapWrites: true,
  seal(ring, change, rows) {
    const sealer = createFieldSealer(ring);
    return rows.map(({ row: at, value: input }): PreparedRow<SealedPatient> => {
      const record: PatientRecord = {
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
      const { pii, email_index, phone_index } = sealPatient(ring, record, sealer);
      // Only the columns written are kept until the batch is written.
      const value: SealedPatient = {
        id: record.id,
        tenant_id: record.tenant_id,
        created_at: record.created_at,
        pii_kid: ring.activeKid,
        external_ref: record.external_ref,
        preferred_language: record.preferred_language,
        country_code: record.country_code,
        consent_messaging: record.consent_messaging,
        consent_marketing: record.consent_marketing,
        pii: pii!,
        email_index,
        phone_index,
      };
      return { row: at, value };
    });
  },
  async write(db, _change, rows) {
    for (const slice of slices(rows, PATIENTS_PER_STATEMENT)) await insertPatients(db, slice);
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
