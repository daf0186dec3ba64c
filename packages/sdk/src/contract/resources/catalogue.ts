/**
 * The catalogue a portal or a booking widget browses: practitioners,
 * services with their price per clinic and currency, and bookable slots
 * (capacity per practitioner and service). The catalogue is written by
 * imports (`pricing`, `capacity`); partners read it and book against a
 * slot, which consumes one place of its capacity or fails when none is left.
 */
import * as z from 'zod/mini';
import { listQuery, money, page, text, timestamp, timestampInput } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';
import { appointment } from './appointments.ts';

/**
 * Longest period one availability search may span: 62 days.
 *
 * @example
 * const to = new Date(from.getTime() + MAX_AVAILABILITY_DAYS * 86_400_000);
 */
export const MAX_AVAILABILITY_DAYS = 62;

/**
 * A practitioner (a doctor) of the tenant.
 *
 * @example
 * const doctor = practitioner.parse(await res.json());
 */
export const practitioner = z.object({
  id: idSchema('prc'),
  /** The clinic's own reference for the practitioner (unique in the tenant). */
  ref: z.string(),
  name: z.string(),
  specialty: z.nullable(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * A price of a service at one clinic, in integer minor units of its currency.
 *
 * @example
 * servicePrice.parse({ clinicRef: 'IST-1', price: { amount: 150000, currency: 'TRY' } });
 */
export const servicePrice = z.object({ clinicRef: z.string(), price: money });

/**
 * A bookable service and its prices.
 *
 * @example
 * const { prices } = service.parse(await res.json());
 */
export const service = z.object({
  id: idSchema('svc'),
  /** The clinic's own code for the service (unique in the tenant). */
  code: z.string(),
  name: z.string(),
  durationMinutes: z.nullable(z.int()),
  /** One price per clinic and currency, ordered by clinic then currency. */
  prices: z.array(servicePrice),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * A bookable slot: a practitioner's time for a service, with `capacity` places of which `booked` are taken.
 *
 * @example
 * const free = slot.parse(row).available > 0;
 */
export const slot = z.object({
  id: idSchema('slt'),
  serviceId: idSchema('svc'),
  practitionerId: idSchema('prc'),
  clinicRef: z.nullable(z.string()),
  startsAt: timestamp,
  endsAt: timestamp,
  capacity: z.int(),
  booked: z.int(),
  available: z.int(),
});

/**
 * List practitioners (`practitioners.list`).
 *
 * @example
 * await client.request(practitionersList, ...args); // same arguments as client.practitioners.list
 */
export const practitionersList = defineOperation({
  id: 'practitioners.list',
  method: 'GET',
  path: '/api/v1/practitioners',
  summary: 'List practitioners',
  scope: 'read:catalogue',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ specialty: z.optional(text(100)) }),
  response: page(practitioner),
});

/**
 * Get a practitioner (`practitioners.get`).
 *
 * @example
 * await client.request(practitionersGet, ...args); // same arguments as client.practitioners.get
 */
export const practitionersGet = defineOperation({
  id: 'practitioners.get',
  method: 'GET',
  path: '/api/v1/practitioners/{practitionerId}',
  summary: 'Get a practitioner',
  scope: 'read:catalogue',
  write: false,
  status: 200,
  params: z.strictObject({ practitionerId: idSchema('prc') }),
  response: practitioner,
});

/**
 * List services and their prices (`services.list`).
 *
 * @example
 * await client.request(servicesList, ...args); // same arguments as client.services.list
 */
export const servicesList = defineOperation({
  id: 'services.list',
  method: 'GET',
  path: '/api/v1/services',
  summary: 'List services and their prices',
  scope: 'read:catalogue',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ code: z.optional(text(100)) }),
  response: page(service),
});

/**
 * Get a service and its prices (`services.get`).
 *
 * @example
 * await client.request(servicesGet, ...args); // same arguments as client.services.get
 */
export const servicesGet = defineOperation({
  id: 'services.get',
  method: 'GET',
  path: '/api/v1/services/{serviceId}',
  summary: 'Get a service and its prices',
  scope: 'read:catalogue',
  write: false,
  status: 200,
  params: z.strictObject({ serviceId: idSchema('svc') }),
  response: service,
});

/**
 * Search the free slots of a service in `[from, to)` (`availability.search`).
 * Slots come in start-time order; only slots with a free place are listed.
 *
 * @example
 * await client.request(availabilitySearch, ...args); // same arguments as client.availability.search
 */
export const availabilitySearch = defineOperation({
  id: 'availability.search',
  method: 'GET',
  path: '/api/v1/availability',
  summary: 'Search free slots of a service',
  scope: 'read:catalogue',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    serviceId: idSchema('svc'),
    from: timestampInput,
    /** At most {@link MAX_AVAILABILITY_DAYS} after `from`. */
    to: timestampInput,
    practitionerId: z.optional(idSchema('prc')),
    clinicRef: z.optional(text(100)),
  }),
  response: page(slot),
});

/**
 * Book a patient into a slot (`availability.book`): one place of the slot's
 * capacity is taken in the same transaction as the appointment is created,
 * so concurrent bookings never exceed it; a full slot answers 409 `slot_full`.
 *
 * @example
 * await client.request(availabilityBook, ...args); // same arguments as client.availability.book
 */
export const availabilityBook = defineOperation({
  id: 'availability.book',
  method: 'POST',
  path: '/api/v1/availability/{slotId}/book',
  summary: 'Book a patient into a slot',
  scope: 'write:appointments',
  write: true,
  status: 201,
  params: z.strictObject({ slotId: idSchema('slt') }),
  body: z.strictObject({ patientId: idSchema('pat'), notes: z.optional(text(2000)) }),
  response: appointment,
});

/**
 * Operations on practitioners.
 *
 * @example
 * practitionerOperations.list.path; // '/api/v1/practitioners'
 */
export const practitionerOperations = {
  list: practitionersList,
  get: practitionersGet,
} as const;

/**
 * Operations on services.
 *
 * @example
 * serviceOperations.get.path; // '/api/v1/services/{serviceId}'
 */
export const serviceOperations = { list: servicesList, get: servicesGet } as const;

/**
 * Operations on availability.
 *
 * @example
 * availabilityOperations.book.status; // 201
 */
export const availabilityOperations = {
  search: availabilitySearch,
  book: availabilityBook,
} as const;
