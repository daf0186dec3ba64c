/**
 * A patient's push devices (`patientDevices.*`): the device token and the
 * label are one JSON document encrypted into `patient_devices.pii` under
 * the key ring's active key, bound to the tenant, the table, the column and
 * the row id, as patients' personal data is (src/patients/pii.ts); a blind
 * index of the token finds a token registered again. Tokens never leave
 * the server except to the push provider: the API lists devices by id,
 * platform and label. Registering locks the patient row, so the bound of
 * `MAX_DEVICES_PER_PATIENT` devices holds under concurrent registrations.
 */
import { MAX_DEVICES_PER_PATIENT, newId, type PatientDevice } from '@clinicbridge/sdk/contract';
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import {
  blindIndex,
  decryptField,
  encryptField,
  type KeyRing,
} from '../crypto/field-encryption.ts';
import { keyRingOf } from '../crypto/keys.ts';
import { reencryptStaleRows } from '../crypto/reencrypt-rows.ts';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { ApiError } from '../kernel/problem.ts';
import { requireOwned } from '../kernel/require-owned.ts';

/**
 * One registered device. `pii` holds the token and label, encrypted.
 *
 * @example
 * const rows = await db.selectFrom('patient_devices').selectAll().where('patient_id', '=', patientId).execute();
 */
export interface PatientDevicesTable {
  id: string;
  tenant_id: string;
  patient_id: string;
  platform: 'ios' | 'android' | 'web';
  pii: string;
  pii_kid: string;
  /** Blind index of the token in the tenant: the same token registered again is found by it. */
  token_index: string;
  created_at: Date;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    patient_devices: PatientDevicesTable;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('patient_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('pii', 'text', (c) => c.notNull())
    .addColumn('pii_kid', 'text', (c) => c.notNull())
    .addColumn('token_index', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index patient_devices_token_idx on patient_devices (tenant_id, patient_id, token_index)`.execute(
    db,
  );
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('patient_devices').ifExists().execute();
}

/**
 * The migration of `patient_devices`.
 *
 * @example
 * const migrations = { ...patientDeviceMigrations };
 */
export const patientDeviceMigrations: Record<string, Migration> = {
  '0610-patient-devices': { up, down },
};

interface DevicePii {
  token: string;
  label: string | null;
}

const locationOf = (row: { id: string; tenant_id: string }) => ({
  tenantId: row.tenant_id,
  table: 'patient_devices',
  column: 'pii',
  rowId: row.id,
});

function sealDevice(
  ring: KeyRing,
  row: { id: string; tenant_id: string },
  pii: DevicePii,
): Pick<Row<'patient_devices'>, 'pii' | 'pii_kid' | 'token_index'> {
  return {
    pii: encryptField(ring, JSON.stringify(pii), locationOf(row)),
    pii_kid: ring.activeKid,
    token_index: blindIndex(ring, row.tenant_id, 'patient_device.token', pii.token),
  };
}

function openDevice(ring: KeyRing, row: Row<'patient_devices'>): DevicePii {
  return JSON.parse(decryptField(ring, row.pii, locationOf(row))) as DevicePii;
}

function toDevice(row: Row<'patient_devices'>, pii: DevicePii): PatientDevice {
  return {
    id: row.id as `pdv_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    platform: row.platform,
    label: pii.label,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Registers `token` for a patient of the tenant, or returns the device it is already registered as.
 *
 * @example
 * const device = await registerDevice(trx, change, 'pat_…', { token, platform: 'android' });
 */
export async function registerDevice(
  db: Kysely<DB>,
  change: ChangeContext,
  patientId: string,
  input: { token: string; platform: PatientDevicesTable['platform']; label?: string | undefined },
): Promise<PatientDevice> {
  const ring = keyRingOf(db);
  // The lock serialises registrations for one patient: the count below is the bound.
  await requireOwned(db, 'patients', change.tenantId, patientId, { lock: true });
  const index = blindIndex(ring, change.tenantId, 'patient_device.token', input.token);
  const existing = await db
    .selectFrom('patient_devices')
    .selectAll()
    .where('tenant_id', '=', change.tenantId)
    .where('patient_id', '=', patientId)
    .where('token_index', '=', index)
    .executeTakeFirst();
  if (existing) return toDevice(existing, openDevice(ring, existing));
  const { count } = await db
    .selectFrom('patient_devices')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('tenant_id', '=', change.tenantId)
    .where('patient_id', '=', patientId)
    .executeTakeFirstOrThrow();
  if (Number(count) >= MAX_DEVICES_PER_PATIENT)
    throw new ApiError(
      'conflict',
      `Patient ${patientId} has ${MAX_DEVICES_PER_PATIENT} devices, the most allowed; delete one first.`,
    );
  const id = newId('pdv');
  const pii: DevicePii = { token: input.token, label: input.label ?? null };
  const row = await db
    .insertInto('patient_devices')
    .values({
      id,
      tenant_id: change.tenantId,
      patient_id: patientId,
      platform: input.platform,
      ...sealDevice(ring, { id, tenant_id: change.tenantId }, pii),
      created_at: change.now,
      updated_at: change.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await auditChange(db, change, 'patient_device.registered', 'patient_device', id, {
    patientId,
    platform: input.platform,
  });
  return toDevice(row, pii);
}

/**
 * The devices of a patient of the tenant (404 for an unknown patient), oldest first.
 *
 * @example
 * const { data } = await listDevices(db, tenantId, 'pat_…');
 */
export async function listDevices(
  db: Kysely<DB>,
  tenantId: string,
  patientId: string,
): Promise<{ data: PatientDevice[] }> {
  await requireOwned(db, 'patients', tenantId, patientId);
  const ring = keyRingOf(db);
  const rows = await devicesOf(db, tenantId, patientId);
  return { data: rows.map((row) => toDevice(row, openDevice(ring, row))) };
}

function devicesOf(db: Kysely<DB>, tenantId: string, patientId: string) {
  return db
    .selectFrom('patient_devices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('patient_id', '=', patientId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(MAX_DEVICES_PER_PATIENT)
    .execute();
}

/**
 * Deletes a device of a patient of the tenant, or 404.
 *
 * @example
 * await deleteDevice(trx, change, 'pat_…', 'pdv_…');
 */
export async function deleteDevice(
  db: Kysely<DB>,
  change: ChangeContext,
  patientId: string,
  deviceId: string,
): Promise<undefined> {
  await requireOwned(db, 'patients', change.tenantId, patientId);
  const deleted = await db
    .deleteFrom('patient_devices')
    .where('tenant_id', '=', change.tenantId)
    .where('patient_id', '=', patientId)
    .where('id', '=', deviceId)
    .returning('id')
    .executeTakeFirst();
  if (!deleted) throw new ApiError('not_found', `No device ${deviceId} of patient ${patientId}.`);
  await auditChange(db, change, 'patient_device.deleted', 'patient_device', deviceId, {
    patientId,
  });
  return undefined;
}

/**
 * A device with its token opened, for the push sender only.
 *
 * @example
 * for (const device of await pushTargetsOf(trx, tenantId, patientId)) await push.send({ deviceToken: device.token, … });
 */
export interface PushTarget {
  readonly id: string;
  readonly platform: PatientDevicesTable['platform'];
  readonly token: string;
}

/**
 * The devices a push to a patient goes to, tokens decrypted.
 *
 * @example
 * const targets = await pushTargetsOf(db, 'ten_1', 'pat_1');
 */
export async function pushTargetsOf(
  db: Kysely<DB>,
  tenantId: string,
  patientId: string,
): Promise<PushTarget[]> {
  const ring = keyRingOf(db);
  const rows = await devicesOf(db, tenantId, patientId);
  return rows.map((row) => ({
    id: row.id,
    platform: row.platform,
    token: openDevice(ring, row).token,
  }));
}

/**
 * Whether a patient has any device (the server publishes a push intent only then).
 *
 * @example
 * if (await hasDevices(trx, tenantId, patientId)) await publisher.publish(pushIntent);
 */
export async function hasDevices(
  db: Kysely<DB>,
  tenantId: string,
  patientId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('patient_devices')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('patient_id', '=', patientId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Removes a device whose token the push provider no longer knows (an audit
 * row says so, as the system's doing); resolves to whether it was there.
 *
 * @example
 * await forgetDevice(trx, { tenantId, deviceId, patientId, now: new Date() });
 */
export async function forgetDevice(
  db: Kysely<DB>,
  device: { tenantId: string; patientId: string; deviceId: string; now: Date },
): Promise<boolean> {
  const deleted = await db
    .deleteFrom('patient_devices')
    .where('tenant_id', '=', device.tenantId)
    .where('id', '=', device.deviceId)
    .returning('id')
    .executeTakeFirst();
  if (!deleted) return false;
  await auditChange(
    db,
    {
      tenantId: device.tenantId,
      actor: { type: 'system', id: 'notifications' },
      requestId: null,
      now: device.now,
    },
    'patient_device.unregistered',
    'patient_device',
    device.deviceId,
    { patientId: device.patientId, reason: 'the push provider no longer knows the token' },
  );
  return true;
}

/**
 * Re-encrypts up to `batch` devices stored under a retired key; returns how many.
 *
 * @example
 * while ((await reencryptDevices(db, { batch: 100 })) > 0) {}
 */
export function reencryptDevices(db: Kysely<DB>, options: { batch: number }): Promise<number> {
  return reencryptStaleRows(db, 'patient_devices', options.batch, (ring, row) =>
    sealDevice(ring, row, openDevice(ring, row)),
  );
}
