/**
 * The `AnalyticsSink` port: product events exported to an analytics tool.
 * Events are pseudonymous before they reach a sink: the user id is a keyed
 * hash per tenant ({@link pseudonymise}) and properties pass an allow-list
 * that also refuses keys that look like personal or clinical data, whatever
 * the allow-list says.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';

/**
 * A property value: scalars only, so no nested object can smuggle a record.
 *
 * @example
 * AnalyticsValueSchema.parse(3);
 */
export const AnalyticsValueSchema = z.union([
  z.string().max(512),
  z.number(),
  z.boolean(),
  z.null(),
]);

/**
 * One pseudonymous event, in the vocabulary Segment-compatible tools share.
 *
 * @example
 * AnalyticsEventSchema.parse({
 *   messageId: 'evt_1', type: 'track', event: 'Quote Accepted', userId: 'a3f…',
 *   timestamp: '2026-12-02T10:00:00Z', properties: { packageKind: 'dental' },
 * });
 */
export const AnalyticsEventSchema = z.strictObject({
  /** Unique per event; sinks deduplicate on it, which makes redelivery safe. */
  messageId: z.string().min(1).max(100),
  type: z.enum(['track', 'identify', 'page']),
  event: z.string().min(1).max(200).optional(),
  /** A pseudonym from {@link pseudonymise}, never the platform's id. */
  userId: z.string().regex(/^[0-9a-f]{64}$/, 'pseudonymise the user id'),
  timestamp: z.iso.datetime({ offset: true }),
  properties: z.record(z.string(), AnalyticsValueSchema).default({}),
  context: z.strictObject({ locale: z.string().max(35).optional() }).optional(),
});

/** @example const event: AnalyticsEvent = { messageId: 'evt_1', type: 'track', event: 'Signed Up', userId, timestamp, properties: {} }; */
export type AnalyticsEvent = z.infer<typeof AnalyticsEventSchema>;

/**
 * What a sink did with a batch: how many it accepted and which it dropped
 * for good (too large for the provider), so the exporter stops retrying them.
 *
 * @example
 * const ack: AnalyticsAck = { accepted: 10, dropped: [{ messageId: 'evt_9', reason: 'too_large' }] };
 */
export interface AnalyticsAck {
  accepted: number;
  dropped: Array<{ messageId: string; reason: 'too_large' }>;
}

/**
 * Where analytics events go.
 *
 * @example
 * const ack = await sink.sendBatch(events);
 */
export interface AnalyticsSink {
  readonly provider: string;
  /** Resolves once the provider acknowledged every event not in `dropped`. */
  sendBatch(events: readonly AnalyticsEvent[]): Promise<AnalyticsAck>;
}

/**
 * The keyed pseudonym of an id: HMAC-SHA256 under the tenant's key, hex.
 * Stable per tenant (so funnels work), unlinkable across tenants, and not
 * reversible without the key.
 *
 * @example
 * pseudonymise(process.env.ANALYTICS_KEY_TNT_1!, 'pat_1'); // '5c1e…' (64 hex chars)
 */
export function pseudonymise(tenantKey: string, id: string): string {
  if (tenantKey.length < 16)
    throw new Error('The tenant analytics key must be at least 16 characters.');
  return createHmac('sha256', tenantKey).update(id, 'utf8').digest('hex');
}

/** Keys never exported, even when an allow-list names them. */
const FORBIDDEN =
  /(e-?mail|phone|mobile|name|address|birth|dob|passport|national|ssn|tc_?kimlik|abha|ip_?addr|diagnos|icd|condition|procedure|treatment|medication|allerg|result|symptom|clinical|health|note)/i;

/**
 * True when a property key looks like personal or clinical data.
 *
 * @example
 * isForbiddenPropertyKey('patientEmail'); // true
 */
export const isForbiddenPropertyKey = (key: string): boolean => FORBIDDEN.test(key);

/**
 * Keeps the allowed, non-forbidden scalar properties; drops the rest.
 *
 * @example
 * allowProperties({ packageKind: 'dental', email: 'a@b.c' }, ['packageKind', 'email']); // { packageKind: 'dental' }
 */
export function allowProperties(
  properties: Record<string, unknown>,
  allowed: readonly string[],
): Record<string, z.infer<typeof AnalyticsValueSchema>> {
  const kept: Record<string, z.infer<typeof AnalyticsValueSchema>> = {};
  for (const key of allowed) {
    if (isForbiddenPropertyKey(key) || !(key in properties)) continue;
    const value = AnalyticsValueSchema.safeParse(properties[key]);
    if (value.success) kept[key] = value.data;
  }
  return kept;
}

/**
 * Builds a pseudonymous track event from a platform event.
 *
 * @example
 * const event = trackEvent({ tenantKey, userId: 'pat_1', event: 'Quote Accepted', messageId: 'evt_1', at: new Date(), properties: { packageKind: 'dental' }, allowed: ['packageKind'] });
 */
export function trackEvent(input: {
  tenantKey: string;
  userId: string;
  event: string;
  messageId: string;
  at: Date;
  properties: Record<string, unknown>;
  allowed: readonly string[];
  locale?: string;
}): AnalyticsEvent {
  return AnalyticsEventSchema.parse({
    messageId: input.messageId,
    type: 'track',
    event: input.event,
    userId: pseudonymise(input.tenantKey, input.userId),
    timestamp: input.at.toISOString(),
    properties: allowProperties(input.properties, input.allowed),
    ...(input.locale ? { context: { locale: input.locale } } : {}),
  });
}
