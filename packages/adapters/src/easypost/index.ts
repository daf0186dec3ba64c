/**
 * @clinicbridge/adapters/easypost — `Shipping` on EasyPost's REST API
 * (`/v2`, HTTP Basic with the API key as user name): `POST /v2/shipments`
 * answers the rates, `POST /v2/shipments/{id}/buy` buys one (label and
 * tracker), `GET /v2/trackers/{id}` polls, and `tracker.updated` events
 * arrive by webhook signed `X-Hmac-Signature: hmac-sha256-hex=<hex>`
 * (HMAC-SHA256 of the raw body with the webhook secret). Runs on the
 * resilience core; a purchase the provider cannot take (down, breaker open)
 * becomes a manual task of kind `shipping`. EasyPost's units are inches and
 * ounces and its amounts decimal strings: they are converted here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions, segment } from '../core/adapter-options.ts';
import { basicAuth } from '../core/auth.ts';
import { createProviderClient, type ProviderFailure, type ProviderReply } from '../core/client.ts';
import { isProviderError, ProviderError } from '../core/errors.ts';
import { type ManualTaskSink, withManualFallback } from '../core/manual-tasks.ts';
import { toMinorUnits } from '../core/money.ts';
import {
  type CreateShipmentResult,
  CreateShipmentSchema,
  RateRequestSchema,
  type ShipmentState,
  ShipmentStateSchema,
  type Shipping,
  type ShippingAddress,
  type TrackingStatus,
} from '../ports/shipping.ts';
import { parseInput } from '../ports/validate.ts';

/**
 * EasyPost settings.
 *
 * @example
 * const options: EasyPostOptions = { apiKey: process.env.EASYPOST_API_KEY!, webhookSecret: process.env.EASYPOST_WEBHOOK_SECRET!, sink };
 */
export interface EasyPostOptions extends AdapterOptions {
  apiKey: string;
  /** The secret EasyPost signs webhooks with (set on the webhook in its dashboard). */
  webhookSecret?: string;
  /** Where purchases the provider cannot take go. */
  sink: ManualTaskSink;
  /** Label in metrics, errors and manual tasks. Default `easypost`. */
  provider?: string;
}

const Rate = z.object({
  id: z.string().min(1),
  carrier: z.string(),
  service: z.string(),
  rate: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  delivery_days: z.number().int().nullable().optional(),
});

const Tracker = z.object({
  id: z.string().min(1),
  tracking_code: z.string(),
  status: z.string(),
  status_detail: z.string().nullable().optional(),
  est_delivery_date: z.string().nullable().optional(),
  updated_at: z.string(),
});

const Shipment = z.object({
  id: z.string().min(1),
  reference: z.string().nullable().optional(),
  rates: z.array(Rate).default([]),
  selected_rate: Rate.nullable().optional(),
  postage_label: z.object({ label_url: z.string() }).nullable().optional(),
  tracking_code: z.string().nullable().optional(),
  tracker: Tracker.nullable().optional(),
});

const Event = z.object({
  id: z.string(),
  object: z.literal('Event'),
  description: z.string(),
  result: z.unknown(),
});

type ShipmentBody = z.infer<typeof Shipment>;

/**
 * Maps an EasyPost reply (`{ error: { code, message, errors } }`) to a failure.
 *
 * @example
 * mapEasyPostError({ status: 422, body: { error: { code: 'SHIPMENT.POSTAGE.EXISTS' } }, headers: new Headers() });
 * // { code: 'conflict', providerCode: 'SHIPMENT.POSTAGE.EXISTS' }
 */
export function mapEasyPostError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const body = reply.body as { error?: { code?: unknown } } | undefined;
  const providerCode =
    typeof body?.error?.code === 'string' ? body.error.code : `http_${reply.status}`;
  if (providerCode === 'SHIPMENT.POSTAGE.EXISTS') return { code: 'conflict', providerCode };
  if (reply.status === 422 || reply.status === 400) {
    return { code: 'invalid_request', providerCode };
  }
  return { providerCode };
}

/**
 * The port's state for an EasyPost tracker status (`unknown` when new to us).
 *
 * @example
 * easyPostState('out_for_delivery'); // 'out_for_delivery'
 */
export function easyPostState(status: string): ShipmentState {
  const parsed = ShipmentStateSchema.safeParse(status);
  return parsed.success ? parsed.data : 'unknown';
}

/**
 * The `X-Hmac-Signature` EasyPost sends for a body: `hmac-sha256-hex=` and
 * the hex HMAC-SHA256 of the raw body with the (NFKD-normalised) secret.
 *
 * @example
 * const header = easyPostWebhookSignature(body, secret);
 */
export function easyPostWebhookSignature(rawBody: Uint8Array | string, secret: string): string {
  const mac = createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8'))
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest('hex');
  return `hmac-sha256-hex=${mac}`;
}

const MM_PER_INCH = 25.4;
const GRAMS_PER_OUNCE = 28.349523125;
/** Inches and ounces with one decimal, rounded up so a parcel is never under-declared. */
const up1 = (value: number) => Math.ceil(value * 10) / 10;

function wireAddress(address: ShippingAddress) {
  return {
    name: address.name,
    street1: address.street1,
    ...(address.street2 ? { street2: address.street2 } : {}),
    city: address.city,
    ...(address.state ? { state: address.state } : {}),
    zip: address.zip,
    country: address.country,
    ...(address.phone ? { phone: address.phone } : {}),
  };
}

function toTracking(tracker: z.infer<typeof Tracker>): TrackingStatus {
  return {
    trackerId: tracker.id,
    trackingCode: tracker.tracking_code,
    state: easyPostState(tracker.status),
    detail: tracker.status_detail ?? null,
    estimatedDelivery: tracker.est_delivery_date ?? null,
    updatedAt: tracker.updated_at,
  };
}

/**
 * Creates the EasyPost adapter.
 *
 * @example
 * const shipping = createEasyPostShipping({ apiKey, webhookSecret, sink });
 * const quote = await shipping.rates({ shipmentRef: 'shp_1', from, to, parcel });
 */
export function createEasyPostShipping(options: EasyPostOptions): Shipping {
  const provider = options.provider ?? 'easypost';
  const client = createProviderClient({
    provider,
    baseUrl: options.baseUrl ?? 'https://api.easypost.com',
    auth: basicAuth(options.apiKey, ''),
    idempotencyHeader: 'Idempotency-Key',
    mapError: mapEasyPostError,
    ...pickAdapterOptions(options),
  });

  const bought = (
    body: ShipmentBody,
    operation: string,
  ): Extract<CreateShipmentResult, { status: 'created' }> => {
    const rate = body.selected_rate;
    if (!rate || !body.postage_label || !body.tracker || !body.tracking_code) {
      throw new ProviderError({
        code: 'provider_unavailable',
        provider,
        operation,
        message: 'The provider answered a purchase without its label or tracker.',
      });
    }
    return {
      status: 'created',
      providerShipmentId: body.id,
      trackerId: body.tracker.id,
      trackingCode: body.tracking_code,
      labelUrl: body.postage_label.label_url,
      carrier: rate.carrier,
      service: rate.service,
      amountMinor: toMinorUnits(rate.rate, rate.currency),
      currency: rate.currency,
      state: easyPostState(body.tracker.status),
    };
  };

  return {
    provider,

    async rates(raw) {
      const input = parseInput(RateRequestSchema, raw, provider, 'shipping.rates');
      const body = await client.json({
        operation: 'shipping.rates',
        method: 'post',
        path: '/v2/shipments',
        json: {
          shipment: {
            reference: input.shipmentRef,
            from_address: wireAddress(input.from),
            to_address: wireAddress(input.to),
            parcel: {
              length: up1(input.parcel.lengthMm / MM_PER_INCH),
              width: up1(input.parcel.widthMm / MM_PER_INCH),
              height: up1(input.parcel.heightMm / MM_PER_INCH),
              weight: up1(input.parcel.weightGrams / GRAMS_PER_OUNCE),
            },
          },
        },
        // A quote buys nothing: creating it twice is harmless.
        idempotent: true,
        schema: Shipment,
      });
      return {
        quoteId: body.id,
        rates: body.rates.map((rate) => ({
          rateId: rate.id,
          carrier: rate.carrier,
          service: rate.service,
          amountMinor: toMinorUnits(rate.rate, rate.currency),
          currency: rate.currency,
          deliveryDays: rate.delivery_days ?? null,
        })),
      };
    },

    async createShipment(raw) {
      const input = parseInput(CreateShipmentSchema, raw, provider, 'shipping.createShipment');
      const path = `/v2/shipments/${segment(input.quoteId)}`;
      return withManualFallback(
        {
          sink: options.sink,
          task: {
            kind: 'shipping',
            provider,
            operation: 'shipping.createShipment',
            subjectRef: input.shipmentRef,
            summary: `Buy the label of shipment ${input.shipmentRef} (quote ${input.quoteId}, rate ${input.rateId}) by hand.`,
            details: { quoteId: input.quoteId, rateId: input.rateId },
          },
        },
        async (): Promise<CreateShipmentResult> => {
          try {
            const body = await client.json({
              operation: 'shipping.createShipment',
              method: 'post',
              path: `${path}/buy`,
              json: { rate: { id: input.rateId } },
              idempotencyKey: `shipping:${input.shipmentRef}:buy`,
              schema: Shipment,
            });
            return bought(body, 'shipping.createShipment');
          } catch (error) {
            // Bought before (a retry after a lost answer): read it back.
            if (!isProviderError(error) || error.providerCode !== 'SHIPMENT.POSTAGE.EXISTS') {
              throw error;
            }
            const body = await client.json({
              operation: 'shipping.createShipment',
              path,
              schema: Shipment,
            });
            return bought(body, 'shipping.createShipment');
          }
        },
        (task) => ({ status: 'manual', manualTaskId: task.id }),
      );
    },

    async track(input) {
      const { trackerId } = parseInput(
        z.object({ trackerId: z.string().min(1).max(128) }),
        input,
        provider,
        'shipping.track',
      );
      return toTracking(
        await client.json({
          operation: 'shipping.track',
          path: `/v2/trackers/${segment(trackerId)}`,
          schema: Tracker,
        }),
      );
    },

    parseWebhook(input) {
      const refuse = (message: string) =>
        new ProviderError({
          code: 'auth_failed',
          provider,
          operation: 'shipping.webhook',
          message,
        });
      if (!options.webhookSecret) throw refuse('No webhook secret is configured.');
      const given = Buffer.from(input.headers.get('x-hmac-signature') ?? '', 'utf8');
      const expected = Buffer.from(
        easyPostWebhookSignature(input.rawBody, options.webhookSecret),
        'utf8',
      );
      if (given.byteLength !== expected.byteLength || !timingSafeEqual(given, expected)) {
        throw refuse('The webhook signature does not match.');
      }
      const text =
        typeof input.rawBody === 'string'
          ? input.rawBody
          : Buffer.from(input.rawBody).toString('utf8');
      let event: z.infer<typeof Event>;
      try {
        event = Event.parse(JSON.parse(text));
      } catch {
        throw new ProviderError({
          code: 'invalid_request',
          provider,
          operation: 'shipping.webhook',
          message: 'The webhook body is not an EasyPost event.',
        });
      }
      if (!event.description.startsWith('tracker.')) return undefined;
      const tracker = Tracker.safeParse(event.result);
      if (!tracker.success) {
        throw new ProviderError({
          code: 'invalid_request',
          provider,
          operation: 'shipping.webhook',
          message: 'The tracking event carries no tracker.',
        });
      }
      return toTracking(tracker.data);
    },
  };
}
