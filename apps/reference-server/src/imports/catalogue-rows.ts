/**
 * The `pricing` and `capacity` import kinds, which write the catalogue
 * (src/catalogue/): a pricing row upserts a service by its code and its
 * price at one clinic in one currency; a capacity row upserts the
 * practitioner by ref and a slot of a priced service. Both are upserts on
 * natural keys, so applying a file twice leaves the catalogue as once.
 */
import * as z from 'zod';
import type { Column } from './row-kind.ts';

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
