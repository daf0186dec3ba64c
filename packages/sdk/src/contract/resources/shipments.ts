/**
 * Shipments: medication or documents dispatched for a case through the
 * configured shipping provider. `shipments.create` asks the provider for
 * rates, buys the cheapest (or the requested carrier's) and answers the
 * tracking code and label; the addresses go to the provider and are not
 * kept. Tracking follows by the provider's webhook and by polling. When
 * the provider is not configured or down, the shipment is `manual`: the
 * operators dispatch it and a task waits for them on /ops.
 */
import * as z from 'zod/mini';
import { timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * Where a shipment stands: `manual` (the operators dispatch it), then the
 * carrier's states from `pre_transit` to `delivered` (or
 * `return_to_sender`, `failure`, `cancelled`).
 *
 * @example
 * shipmentStatus.parse('in_transit');
 */
export const shipmentStatus = z.enum([
  'manual',
  'pre_transit',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'available_for_pickup',
  'return_to_sender',
  'failure',
  'cancelled',
  'unknown',
]);

/** @example const status: ShipmentStatus = 'delivered'; */
export type ShipmentStatus = z.infer<typeof shipmentStatus>;

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const address = z.strictObject({
  name: text(100),
  street1: text(100),
  street2: z.optional(z.string().check(z.maxLength(100))),
  city: text(60),
  state: z.optional(z.string().check(z.maxLength(60))),
  zip: text(20),
  country: z.string().check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')),
  phone: z.optional(z.string().check(z.regex(/^\+[1-9][0-9]{6,14}$/, 'must be E.164'))),
});
const dimension = (max: number) => z.int().check(z.gte(1), z.lte(max));

/**
 * A shipment: what it carries (a kind, never a description), the carrier,
 * tracking and cost; no address.
 *
 * @example
 * const s = shipment.parse(await res.json());
 */
export const shipment = z.object({
  id: idSchema('shp'),
  caseId: z.string(),
  contents: z.enum(['medication', 'documents']),
  status: shipmentStatus,
  provider: z.string(),
  carrier: z.nullable(z.string()),
  service: z.nullable(z.string()),
  trackingCode: z.nullable(z.string()),
  labelUrl: z.nullable(z.string()),
  /** What the label cost, in minor units of `currency`. */
  amountMinor: z.nullable(z.int()),
  currency: z.nullable(z.string()),
  estimatedDelivery: z.nullable(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * Dispatch medication or documents for a case (`shipments.create`).
 *
 * @example
 * await client.shipments.create({ caseId: 'case_1', contents: 'medication', from, to, parcel });
 */
export const shipmentsCreate = defineOperation({
  id: 'shipments.create',
  method: 'POST',
  path: '/api/v1/shipments',
  summary: 'Dispatch medication or documents for a case',
  scope: 'write:shipments',
  write: true,
  status: 201,
  body: z.strictObject({
    caseId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an opaque case reference')),
    contents: z.enum(['medication', 'documents']),
    from: address,
    to: address,
    parcel: z.strictObject({
      lengthMm: dimension(3_000),
      widthMm: dimension(3_000),
      heightMm: dimension(3_000),
      weightGrams: dimension(70_000),
    }),
    /** Buy this carrier's cheapest rate (default: the cheapest of all). */
    carrier: z.optional(text(40)),
  }),
  response: shipment,
});

/**
 * Get a shipment (`shipments.get`).
 *
 * @example
 * await client.shipments.get({ shipmentId });
 */
export const shipmentsGet = defineOperation({
  id: 'shipments.get',
  method: 'GET',
  path: '/api/v1/shipments/{shipmentId}',
  summary: 'Get a shipment',
  scope: 'read:shipments',
  write: false,
  status: 200,
  params: z.strictObject({ shipmentId: idSchema('shp') }),
  response: shipment,
});

/**
 * Operations on shipments.
 *
 * @example
 * shipmentOperations.create.path; // '/api/v1/shipments'
 */
export const shipmentOperations = {
  create: shipmentsCreate,
  get: shipmentsGet,
} as const;
