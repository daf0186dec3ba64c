/**
 * The `Shipping` port: rates for a parcel, a shipment bought at one rate
 * with its label and tracking code, and tracking status by poll or by the
 * carrier aggregator's webhook. Used to dispatch medication and documents
 * for a case. Only the two addresses and the parcel leave the platform (the
 * carrier needs them); what the parcel holds is never sent, and shipments
 * are keyed by the platform's reference so a repeated purchase buys once.
 */
import { z } from 'zod';
import { ReferenceSchema } from './common.ts';

/**
 * Where a parcel stands with the carrier.
 *
 * @example
 * ShipmentStateSchema.parse('in_transit');
 */
export const ShipmentStateSchema = z.enum([
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

/**
 * A shipment state.
 *
 * @example
 * const state: ShipmentState = 'delivered';
 */
export type ShipmentState = z.infer<typeof ShipmentStateSchema>;

/**
 * States the carrier no longer changes.
 *
 * @example
 * if (FINAL_SHIPMENT_STATES.includes(status.state)) stopPolling();
 */
export const FINAL_SHIPMENT_STATES: readonly ShipmentState[] = [
  'delivered',
  'return_to_sender',
  'failure',
  'cancelled',
];

/**
 * A postal address, as the carrier needs it.
 *
 * @example
 * ShippingAddressSchema.parse({ name: 'Clinic pharmacy', street1: 'Atatürk Cd. 1', city: 'Istanbul', zip: '34000', country: 'TR' });
 */
export const ShippingAddressSchema = z.strictObject({
  name: z.string().min(1).max(100),
  street1: z.string().min(1).max(100),
  street2: z.string().max(100).optional(),
  city: z.string().min(1).max(60),
  state: z.string().max(60).optional(),
  zip: z.string().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code'),
  phone: z
    .string()
    .regex(/^\+[1-9][0-9]{6,14}$/, 'E.164 phone number')
    .optional(),
});

/**
 * An address.
 *
 * @example
 * const to: ShippingAddress = { name: 'A. Patient', street1: '1 High St', city: 'London', zip: 'N1 1AA', country: 'GB' };
 */
export type ShippingAddress = z.infer<typeof ShippingAddressSchema>;

/**
 * A parcel in metric units (whole millimetres and grams).
 *
 * @example
 * ParcelSchema.parse({ lengthMm: 300, widthMm: 200, heightMm: 50, weightGrams: 500 });
 */
export const ParcelSchema = z.strictObject({
  lengthMm: z.number().int().positive().max(3_000),
  widthMm: z.number().int().positive().max(3_000),
  heightMm: z.number().int().positive().max(3_000),
  weightGrams: z.number().int().positive().max(70_000),
});

/**
 * A parcel.
 *
 * @example
 * const parcel: Parcel = { lengthMm: 300, widthMm: 200, heightMm: 50, weightGrams: 500 };
 */
export type Parcel = z.infer<typeof ParcelSchema>;

/**
 * Input of {@link Shipping.rates}.
 *
 * @example
 * RateRequestSchema.parse({ shipmentRef: 'shp_1', from, to, parcel });
 */
export const RateRequestSchema = z.strictObject({
  /** The platform's reference of the shipment (opaque). */
  shipmentRef: ReferenceSchema,
  from: ShippingAddressSchema,
  to: ShippingAddressSchema,
  parcel: ParcelSchema,
});

/**
 * A rate request.
 *
 * @example
 * const request: RateRequest = { shipmentRef: 'shp_1', from, to, parcel };
 */
export type RateRequest = z.infer<typeof RateRequestSchema>;

/**
 * One offered rate, in integer minor units.
 *
 * @example
 * const cheapest = quote.rates.toSorted((a, b) => a.amountMinor - b.amountMinor)[0];
 */
export interface ShippingRate {
  rateId: string;
  carrier: string;
  service: string;
  amountMinor: number;
  currency: string;
  deliveryDays: number | null;
}

/**
 * The rates for a parcel; `quoteId` is what {@link Shipping.createShipment} buys from.
 *
 * @example
 * const quote = await shipping.rates({ shipmentRef, from, to, parcel });
 */
export interface RateQuote {
  quoteId: string;
  rates: ShippingRate[];
}

/**
 * Input of {@link Shipping.createShipment}.
 *
 * @example
 * CreateShipmentSchema.parse({ shipmentRef: 'shp_1', quoteId: 'shp_ep_1', rateId: 'rate_1' });
 */
export const CreateShipmentSchema = z.strictObject({
  shipmentRef: ReferenceSchema,
  quoteId: z.string().min(1).max(128),
  rateId: z.string().min(1).max(128),
});

/**
 * A shipment to buy.
 *
 * @example
 * const input: CreateShipment = { shipmentRef: 'shp_1', quoteId: quote.quoteId, rateId: quote.rates[0].rateId };
 */
export type CreateShipment = z.infer<typeof CreateShipmentSchema>;

/**
 * A bought shipment: label, tracking code and the tracker to follow, or a
 * manual task when the provider could not be reached.
 *
 * @example
 * if (result.status === 'manual') ops.notify(result.manualTaskId);
 */
export type CreateShipmentResult =
  | {
      status: 'created';
      providerShipmentId: string;
      trackerId: string;
      trackingCode: string;
      labelUrl: string;
      carrier: string;
      service: string;
      amountMinor: number;
      currency: string;
      state: ShipmentState;
    }
  | { status: 'manual'; manualTaskId: string };

/**
 * The carrier's latest word on a parcel.
 *
 * @example
 * if (status.state === 'delivered') close(status.trackerId);
 */
export interface TrackingStatus {
  trackerId: string;
  trackingCode: string;
  state: ShipmentState;
  /** The carrier's own status detail, for operators (never the recipient's data). */
  detail: string | null;
  estimatedDelivery: string | null;
  updatedAt: string;
}

/**
 * A shipping provider (a carrier aggregator).
 *
 * @example
 * const quote = await shipping.rates({ shipmentRef, from, to, parcel });
 * const bought = await shipping.createShipment({ shipmentRef, quoteId: quote.quoteId, rateId: quote.rates[0].rateId });
 */
export interface Shipping {
  readonly provider: string;
  rates(input: RateRequest): Promise<RateQuote>;
  /** Buys the rate (idempotent on `shipmentRef`); a provider that is down gives a manual task. */
  createShipment(input: CreateShipment): Promise<CreateShipmentResult>;
  /** Polls a tracker. */
  track(input: { trackerId: string }): Promise<TrackingStatus>;
  /**
   * Checks a tracking webhook's signature on the raw body and reads its
   * status; `undefined` for an event that is not about tracking. Throws
   * `ProviderError` `auth_failed` when the signature does not match.
   */
  parseWebhook(input: {
    rawBody: Uint8Array | string;
    headers: Headers;
  }): TrackingStatus | undefined;
}
