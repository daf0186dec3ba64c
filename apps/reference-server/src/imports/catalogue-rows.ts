/**
 * The `pricing` and `capacity` import kinds, which write the catalogue
 * (src/catalogue/): a pricing row upserts a service by its code and its
 * price at one clinic in one currency; a capacity row upserts the
 * practitioner by ref and a slot of a priced service. Both are upserts on
 * natural keys, so applying a file twice leaves the catalogue as once.
 */
import { newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import type { DB } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { toMinorUnits } from './cells.ts';
import type { Column, RowApplier, RowReject } from './row-kind.ts';

const ref = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[\p{L}\p{N} ._\-/#]+$/u, 'letters, digits, spaces and . _ - / # only');

/**
 * Columns of a `pricing` file.
 *
 * @example
 * pricingColumns.map((c) => c.name); // ['serviceCode', 'serviceName', …]
 */
export const pricingColumns: readonly Column[] = [
  { name: 'serviceCode', aliases: ['service_code', 'code', 'sku'], required: true },
  { name: 'serviceName', aliases: ['service_name', 'service', 'name'], required: true },
  { name: 'clinicRef', aliases: ['clinic_ref', 'clinic', 'branch', 'location'], required: true },
  { name: 'currency', aliases: ['currency_code', 'ccy'], required: true },
  { name: 'price', aliases: ['amount', 'unit_price'], required: true },
  { name: 'durationMinutes', aliases: ['duration_minutes', 'duration', 'minutes'] },
];

/**
 * Columns of a `capacity` file.
 *
 * @example
 * capacityColumns.find((c) => c.name === 'capacity')?.required; // true
 */
export const capacityColumns: readonly Column[] = [
  {
    name: 'practitionerRef',
    aliases: ['practitioner_ref', 'doctor_ref', 'doctor_id', 'practitioner_id'],
    required: true,
  },
  {
    name: 'practitionerName',
    aliases: ['practitioner_name', 'doctor_name', 'doctor', 'practitioner'],
    required: true,
  },
  { name: 'specialty', aliases: ['speciality', 'department'] },
  { name: 'serviceCode', aliases: ['service_code', 'code', 'sku'], required: true },
  { name: 'clinicRef', aliases: ['clinic_ref', 'clinic', 'branch', 'location'] },
  { name: 'startsAt', aliases: ['starts_at', 'start', 'start_time'], required: true },
  { name: 'endsAt', aliases: ['ends_at', 'end', 'end_time'], required: true },
  { name: 'capacity', aliases: ['places', 'seats', 'slots'], required: true },
];

const timestamp = z.iso.datetime({ offset: true }).refine((v) => {
  const year = Number(v.slice(0, 4));
  return year >= 1900 && year <= 2200;
}, 'must fall in the years 1900–2200');

/**
 * Schema of a `pricing` row (cells are text; the price is read with its currency when applied).
 *
 * @example
 * pricingSchema.parse({ serviceCode: 'CONS', serviceName: 'Consultation', clinicRef: 'IST', currency: 'TRY', price: '1500' });
 */
export const pricingSchema = z.strictObject({
  serviceCode: ref(100),
  serviceName: z.string().min(1).max(200),
  clinicRef: ref(100),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  price: z.string().max(32),
  durationMinutes: z.optional(z.coerce.number().int().min(1).max(1440)),
});

/**
 * Schema of a `capacity` row.
 *
 * @example
 * capacitySchema.parse({ practitionerRef: 'DR-1', practitionerName: 'Dr Ada', serviceCode: 'CONS', startsAt, endsAt, capacity: '2' });
 */
export const capacitySchema = z
  .strictObject({
    practitionerRef: ref(100),
    practitionerName: z.string().min(1).max(200),
    specialty: z.optional(z.string().max(100)),
    serviceCode: ref(100),
    clinicRef: z.optional(ref(100)),
    startsAt: timestamp,
    endsAt: timestamp,
    capacity: z.coerce.number().int().min(1).max(1000),
  })
  .refine((row) => Date.parse(row.endsAt) > Date.parse(row.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });

type PricingRow = z.infer<typeof pricingSchema>;
type CapacityRow = z.infer<typeof capacitySchema>;

/**
 * Applies one `pricing` row: upserts the service by code and its price at the clinic in the currency.
 *
 * @example
 * const rejects = await applyPricingRow(trx, change, input, { row: 2, seen: new Map() });
 */
export const applyPricingRow: RowApplier = async (db, change, input, at) => {
  const row = input as PricingRow;
  const amount = toMinorUnits(row.price, row.currency);
  if (amount === null || amount < 0) {
    return [
      {
        row: at.row,
        column: 'price',
        value: row.price,
        message: `price must be a non-negative amount with at most the decimals ${row.currency} has (e.g. 1500.50)`,
        code: 'invalid_format',
        severity: 'error',
      },
    ];
  }
  const serviceId = await upsertService(db, change, row);
  await db
    .insertInto('service_prices')
    .values({
      service_id: serviceId,
      tenant_id: change.tenantId,
      clinic_ref: row.clinicRef,
      currency: row.currency,
      amount,
      updated_at: change.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['service_id', 'clinic_ref', 'currency'])
        .doUpdateSet({ amount, updated_at: change.now }),
    )
    .execute();
  return [];
};

async function upsertService(db: Kysely<DB>, change: ChangeContext, row: PricingRow) {
  const saved = await db
    .insertInto('services')
    .values({
      id: newId('svc'),
      tenant_id: change.tenantId,
      code: row.serviceCode,
      name: row.serviceName,
      duration_minutes: row.durationMinutes ?? null,
      created_at: change.now,
      updated_at: change.now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'code']).doUpdateSet({
        name: row.serviceName,
        ...(row.durationMinutes !== undefined ? { duration_minutes: row.durationMinutes } : {}),
        updated_at: change.now,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return saved.id;
}

/**
 * Applies one `capacity` row: upserts the practitioner by ref and the slot
 * (practitioner, service, start); the service must exist (a `pricing`
 * import creates it). A capacity below the places already booked is refused.
 *
 * @example
 * const rejects = await applyCapacityRow(trx, change, input, { row: 2, seen: new Map() });
 */
export const applyCapacityRow: RowApplier = async (db, change, input, at) => {
  const row = input as CapacityRow;
  const reject = (column: string, value: string, message: string, code: string): RowReject[] => [
    { row: at.row, column, value, message, code, severity: 'error' },
  ];
  const service = await db
    .selectFrom('services')
    .select('id')
    .where('tenant_id', '=', change.tenantId)
    .where('code', '=', row.serviceCode)
    .executeTakeFirst();
  if (!service) {
    return reject(
      'serviceCode',
      row.serviceCode,
      'no service has this code; import it with its prices (kind pricing) first',
      'not_found',
    );
  }
  const practitioner = await db
    .insertInto('practitioners')
    .values({
      id: newId('prc'),
      tenant_id: change.tenantId,
      ref: row.practitionerRef,
      name: row.practitionerName,
      specialty: row.specialty ?? null,
      created_at: change.now,
      updated_at: change.now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'ref']).doUpdateSet({
        name: row.practitionerName,
        ...(row.specialty !== undefined ? { specialty: row.specialty } : {}),
        updated_at: change.now,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  const startsAt = new Date(row.startsAt);
  const saved = await db
    .insertInto('slots')
    .values({
      id: newId('slt'),
      tenant_id: change.tenantId,
      service_id: service.id,
      practitioner_id: practitioner.id,
      clinic_ref: row.clinicRef ?? null,
      starts_at: startsAt,
      ends_at: new Date(row.endsAt),
      capacity: row.capacity,
      booked: 0,
      created_at: change.now,
      updated_at: change.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'practitioner_id', 'service_id', 'starts_at'])
        .doUpdateSet({
          ends_at: new Date(row.endsAt),
          capacity: row.capacity,
          clinic_ref: row.clinicRef ?? null,
          updated_at: change.now,
        })
        // Never below the places already taken: the row is then left as it is.
        .where('slots.booked', '<=', row.capacity),
    )
    .returning('id')
    .executeTakeFirst();
  if (!saved) {
    return reject(
      'capacity',
      String(row.capacity),
      'the slot already has more bookings than this capacity; cancel bookings first or raise it',
      'invalid_value',
    );
  }
  if (startsAt < change.now) {
    return [
      {
        row: at.row,
        column: 'startsAt',
        value: row.startsAt,
        message: 'the slot starts in the past; it is stored, check the date',
        code: 'in_past',
        severity: 'warning',
      },
    ];
  }
  return [];
};
