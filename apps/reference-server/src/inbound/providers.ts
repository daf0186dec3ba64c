/**
 * The providers that may call `/webhooks/:provider`: the signature scheme
 * each uses, where its secret comes from, and how its own event id (the
 * deduplication key) is read. Stripe and Standard Webhooks carry an id;
 * Meta does not, so a WhatsApp status is keyed by message id and status
 * (and a body without one by the body's hash).
 */
import { createHash } from 'node:crypto';
import type { SchemeName } from '@clinicbridge/webhooks';
import type { InboundConfig } from './config.ts';
import {
  type SignatureCheck,
  verifyIyzicoSignature,
  verifyRazorpaySignature,
} from './gateway-signatures.ts';
import { verifyHubSpotSignature } from './hubspot-signature.ts';

/**
 * Names accepted in `/webhooks/:provider`.
 *
 * @example
 * providerNames.includes('visa'); // true
 */
export const providerNames = [
  'payments',
  'whatsapp',
  'visa',
  'travel',
  'hotels',
  'comms',
  'efatura',
  'insurance',
  'razorpay',
  'iyzico',
  'abdm',
  'hubspot',
] as const;

/**
 * One inbound provider.
 *
 * @example
 * const name: ProviderName = 'payments';
 */
export type ProviderName = (typeof providerNames)[number];

/**
 * How a provider signs and identifies its webhooks.
 *
 * @example
 * inboundProviders.whatsapp.scheme; // 'meta'
 */
export interface InboundProvider {
  readonly name: ProviderName;
  readonly scheme: SchemeName;
  /** Its secret; for a provider with `bearer`, the variable that turns it on. */
  readonly secretVariable: keyof InboundConfig;
  /** Authenticated by its own bearer token (bearer-auth.ts), not by `scheme`. */
  readonly bearer?: true;
  /** A signature the scheme registry does not know (Razorpay, iyzico); replaces `scheme`'s check. */
  readonly verify?: SignatureCheck;
  /** The variable naming the URL the provider calls, when it signs the URL and a proxy changes it. */
  readonly publicUrlVariable?: keyof InboundConfig;
  /** The body is a JSON array (HubSpot batches its events), not an object. */
  readonly arrayBody?: true;
  /** Where the provider's delivery id is, when the scheme does not say. */
  readonly eventId?: (payload: Record<string, unknown>, headers: Headers) => unknown;
}

const standard = (name: ProviderName, secretVariable: keyof InboundConfig): InboundProvider => ({
  name,
  scheme: 'standard',
  secretVariable,
});

/**
 * Every provider by name.
 *
 * @example
 * inboundProviders.payments.scheme; // 'stripe'
 */
export const inboundProviders: Readonly<Record<ProviderName, InboundProvider>> = {
  payments: { name: 'payments', scheme: 'stripe', secretVariable: 'INBOUND_PAYMENTS_SECRET' },
  whatsapp: { name: 'whatsapp', scheme: 'meta', secretVariable: 'INBOUND_WHATSAPP_SECRET' },
  visa: standard('visa', 'INBOUND_VISA_SECRET'),
  travel: standard('travel', 'INBOUND_TRAVEL_SECRET'),
  hotels: standard('hotels', 'INBOUND_HOTELS_SECRET'),
  comms: standard('comms', 'INBOUND_COMMS_SECRET'),
  efatura: standard('efatura', 'INBOUND_EFATURA_SECRET'),
  insurance: standard('insurance', 'INBOUND_INSURANCE_SECRET'),
  abdm: {
    name: 'abdm',
    // Not signed with a shared secret: the gateway's bearer JWT authenticates it (bearer-auth.ts).
    scheme: 'standard',
    secretVariable: 'INBOUND_ABDM_JWKS_URL',
    bearer: true,
    // The gateway names each callback by its REQUEST-ID header.
    eventId: (_payload, headers) => headers.get('request-id'),
  },
  razorpay: {
    name: 'razorpay',
    scheme: 'hmac',
    secretVariable: 'INBOUND_RAZORPAY_SECRET',
    verify: verifyRazorpaySignature,
    eventId: (_payload, headers) => headers.get('x-razorpay-event-id'),
  },
  hubspot: {
    name: 'hubspot',
    scheme: 'hmac',
    secretVariable: 'INBOUND_HUBSPOT_SECRET',
    // HubSpot signs the method and URL too; its batches carry no delivery id, so the body's hash is the key.
    verify: verifyHubSpotSignature,
    publicUrlVariable: 'INBOUND_HUBSPOT_URL',
    arrayBody: true,
  },
  iyzico: {
    name: 'iyzico',
    scheme: 'hmac',
    secretVariable: 'INBOUND_IYZICO_SECRET',
    verify: verifyIyzicoSignature,
    eventId: (payload) => payload.iyziReferenceCode,
  },
};

/**
 * Whether a path segment names a provider.
 *
 * @example
 * isProviderName('payments'); // true
 */
export function isProviderName(name: string): name is ProviderName {
  return (providerNames as readonly string[]).includes(name);
}

/**
 * The provider's own id of a webhook, for deduplication; bounded to 200 characters.
 *
 * @example
 * providerEventId(inboundProviders.payments, { id: 'evt_1' }, headers, raw); // 'evt_1'
 */
export function providerEventId(
  provider: InboundProvider,
  payload: unknown,
  headers: Headers,
  raw: Uint8Array,
): string {
  const bodyHash = () => `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const record = (payload ?? {}) as Record<string, unknown>;
  let id: unknown;
  if (provider.eventId) id = provider.eventId(record, headers);
  else if (provider.scheme === 'stripe') id = record.id;
  else if (provider.scheme === 'standard') id = headers.get('webhook-id');
  else if (provider.scheme === 'meta') id = metaMessageKey(record);
  return typeof id === 'string' && id !== '' ? id.slice(0, 200) : bodyHash();
}

function metaMessageKey(payload: Record<string, unknown>): string | undefined {
  const entry = (
    payload.entry as { changes?: { value?: Record<string, unknown> }[] }[] | undefined
  )?.[0];
  const value = entry?.changes?.[0]?.value;
  const status = (value?.statuses as { id?: string; status?: string }[] | undefined)?.[0];
  if (status?.id && status.status) return `${status.id}:${status.status}`;
  const message = (value?.messages as { id?: string }[] | undefined)?.[0];
  return message?.id;
}
