/**
 * The one pseudonymisation of the platform's analytics: every copy of an
 * event that goes to analytics (the `analytics_events` table, the relay's
 * analytics subjects) is built here.
 *
 * - **Keys.** Each tenant has its own key, derived with HKDF-SHA256 from one
 *   server secret (`ANALYTICS_PSEUDONYM_KEY`, or else the field-encryption
 *   ring's index key) and the tenant id. Tenant keys live only in memory;
 *   nothing stores them.
 * - **Pseudonyms.** An id becomes `pseudonymise(tenantKey, id)` from
 *   `@clinicbridge/adapters/analytics` (HMAC-SHA256, 64 hex characters), the
 *   same function the Segment exporter requires: the same id gives the same
 *   pseudonym within a tenant (journeys join) and different ones across
 *   tenants (no linking of one person between clinics).
 * - **Fields.** Every `…Id` field (and the entity id) becomes a reference;
 *   only non-identifying, non-clinical values on an allow-list survive, and
 *   never a key that looks like personal or clinical data
 *   (`isForbiddenPropertyKey`), whatever the allow-list says. Names, emails,
 *   phones, free text, locations, diagnoses, encounter classes and
 *   departments are dropped.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { isForbiddenPropertyKey, pseudonymise } from '@clinicbridge/adapters/analytics';
import type { Kysely } from 'kysely';
import { findKeyRing } from '../crypto/keys.ts';
import type { DB } from '../db/schema.ts';

/**
 * The analytics categories an event type belongs to; each is a family of
 * analytics subjects (NATS) or routing keys (RabbitMQ).
 *
 * @example
 * const category: AnalyticsCategory = 'business_metrics';
 */
export type AnalyticsCategory = 'user_events' | 'system_metrics' | 'business_metrics';

/**
 * Every category, in the order of the Avro enum.
 *
 * @example
 * ANALYTICS_CATEGORIES.includes('user_events'); // true
 */
export const ANALYTICS_CATEGORIES: readonly AnalyticsCategory[] = [
  'user_events',
  'system_metrics',
  'business_metrics',
];

/** Event-type prefixes (the first dotted token) per category. */
const CATEGORY_BY_PREFIX: Readonly<Record<string, AnalyticsCategory>> = {
  appointment: 'user_events',
  visit: 'user_events',
  encounter: 'user_events',
  tele: 'user_events',
  visa: 'user_events',
  booking: 'user_events',
  flight: 'user_events',
  stay: 'user_events',
  message: 'user_events',
  payment: 'business_metrics',
  refund: 'business_metrics',
  invoice: 'business_metrics',
  installment: 'business_metrics',
  escrow: 'business_metrics',
  subscription: 'business_metrics',
  claim: 'business_metrics',
  efatura: 'business_metrics',
  reconciliation: 'business_metrics',
  inventory: 'system_metrics',
  webhook_endpoint: 'system_metrics',
};

/**
 * The analytics category of an event type, or undefined when the type goes
 * to no analytics subject (it is then not copied to analytics by the relay).
 *
 * @example
 * analyticsCategory('payment.succeeded'); // 'business_metrics'
 * analyticsCategory('appointment.created'); // 'user_events'
 */
export function analyticsCategory(eventType: string): AnalyticsCategory | undefined {
  const prefix = eventType.split('.', 1)[0] ?? '';
  return Object.hasOwn(CATEGORY_BY_PREFIX, prefix) ? CATEGORY_BY_PREFIX[prefix] : undefined;
}

/** Values kept as they are: statuses, kinds, codes, amounts, currencies, times. */
const KEPT_FIELDS = new Set([
  'status',
  'previousStatus',
  'channel',
  'kind',
  'country',
  'method',
  'gateway',
  'interval',
  'provider',
  'amount',
  'total',
  'balance',
  'invoiceBalance',
  'amountDue',
  'approvedAmount',
  'paidAmount',
  'installment',
  'resubmission',
  'onHand',
  'threshold',
  'startsAt',
  'endsAt',
  'startedAt',
  'endedAt',
  'completedAt',
  'dueDate',
  'checkIn',
  'checkOut',
  'departAt',
  'previousDepartAt',
  'errorCode',
  'failureCode',
  'reasonCode',
]);

/** Money objects are flattened to `<field>.amount` and `<field>.currency`. */
const KEPT_NESTED = new Set(['amount', 'currency']);

/**
 * A scalar analytics value.
 *
 * @example
 * const value: AnalyticsScalar = 1999;
 */
export type AnalyticsScalar = string | number | boolean | null;

/**
 * An event's data, pseudonymised: `refs` maps each id field to its
 * pseudonym, `attributes` the allow-listed values (money flattened).
 *
 * @example
 * const { refs, attributes } = scrubEventData(data, (id) => pseudonymiser.pseudonym(tenantId, id));
 */
export interface ScrubbedData {
  readonly refs: Record<string, string>;
  readonly attributes: Record<string, AnalyticsScalar>;
}

const isScalar = (value: unknown): value is AnalyticsScalar =>
  value === null ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && Number.isFinite(value)) ||
  (typeof value === 'string' && value.length <= 200);

/**
 * Pseudonymises an event's data: `…Id` string fields become references
 * through `pseudonym`, allow-listed scalar (or money) values stay, and
 * everything else — names, contacts, free text, locations, clinical codes,
 * arrays, unknown fields — is dropped.
 *
 * @example
 * scrubEventData({ patientId: 'pat_1', status: 'booked', diagnosis: 'K02' }, (id) => `p(${id})`);
 * // { refs: { patientId: 'p(pat_1)' }, attributes: { status: 'booked' } }
 */
export function scrubEventData(
  data: Record<string, unknown>,
  pseudonym: (id: string) => string,
): ScrubbedData {
  const refs: Record<string, string> = {};
  const attributes: Record<string, AnalyticsScalar> = {};
  for (const [field, value] of Object.entries(data)) {
    if (field.endsWith('Id')) {
      if (typeof value === 'string' && value.length > 0) refs[field] = pseudonym(value);
      continue;
    }
    if (!KEPT_FIELDS.has(field) || isForbiddenPropertyKey(field)) continue;
    if (isScalar(value)) attributes[field] = value;
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        if (KEPT_NESTED.has(inner) && isScalar(innerValue))
          attributes[`${field}.${inner}`] = innerValue;
      }
    }
  }
  return { refs, attributes };
}

/**
 * The pseudonymised analytics copy of one event (version 1): what the relay
 * publishes on analytics subjects (as JSON, or Avro per
 * `analytics-event.avsc`).
 *
 * @example
 * const record: AnalyticsRecord = pseudonymiser.record(event, 'user_events');
 */
export interface AnalyticsRecord {
  readonly v: 1;
  /** Pseudonym of the event id: the message id on the analytics subject. */
  readonly eventRef: string;
  /** The tenant (a clinic, not a person), kept so analytics can roll up per tenant. */
  readonly tenantId: string;
  readonly type: string;
  readonly category: AnalyticsCategory;
  /** ISO 8601 timestamp. */
  readonly occurredAt: string;
  readonly entityType: string;
  /** Pseudonym of the entity id. */
  readonly entityRef: string;
  /** Pseudonym of the person the event is about (`patientId`, else `leadId`), or null. */
  readonly subjectRef: string | null;
  readonly refs: Record<string, string>;
  readonly attributes: Record<string, AnalyticsScalar>;
}

/**
 * An event as the relay and the bus carry it.
 *
 * @example
 * const event: PseudonymisableEvent = { id: 'evt_1', tenantId: 'ten_1', type: 'appointment.created', occurredAt: new Date(), entityType: 'appointment', entityId: 'apt_1', data: {} };
 */
export interface PseudonymisableEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly type: string;
  readonly occurredAt: Date | string;
  readonly entityType: string;
  readonly entityId: string;
  readonly data: Record<string, unknown>;
}

/**
 * Per-tenant pseudonyms under one server secret.
 *
 * @example
 * const p = createPseudonymiser(secret);
 * p.pseudonym('ten_1', 'pat_1') === p.pseudonym('ten_1', 'pat_1'); // true
 * p.pseudonym('ten_1', 'pat_1') === p.pseudonym('ten_2', 'pat_1'); // false
 */
export interface Pseudonymiser {
  /** HMAC-SHA256 of `id` under the tenant's key, 64 hex characters. */
  pseudonym(tenantId: string, id: string): string;
  /** The pseudonymised data of an event of `tenantId`. */
  scrub(tenantId: string, data: Record<string, unknown>): ScrubbedData;
  /** The analytics copy of an event. */
  record(event: PseudonymisableEvent, category: AnalyticsCategory): AnalyticsRecord;
}

const HKDF_SALT = Buffer.from('clinicbridge/analytics-pseudonym/v1', 'utf8');
/** Bound on cached tenant keys (a cache, not a store: evicted keys are derived again). */
const MAX_CACHED_KEYS = 10_000;

/**
 * Creates the pseudonymiser of a server secret (at least 16 bytes).
 *
 * @example
 * const pseudonymiser = createPseudonymiser(process.env.ANALYTICS_PSEUDONYM_KEY!);
 */
export function createPseudonymiser(secret: string | Buffer): Pseudonymiser {
  const master = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (master.length < 16) throw new Error('the analytics pseudonym secret must be 16+ bytes');
  const keys = new Map<string, string>();
  const tenantKey = (tenantId: string): string => {
    const cached = keys.get(tenantId);
    if (cached) return cached;
    const key = Buffer.from(
      hkdfSync('sha256', master, HKDF_SALT, Buffer.from(`tenant:${tenantId}`, 'utf8'), 32),
    ).toString('hex');
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    keys.set(tenantId, key);
    return key;
  };
  const pseudonym = (tenantId: string, id: string) => pseudonymise(tenantKey(tenantId), id);
  const scrub = (tenantId: string, data: Record<string, unknown>) =>
    scrubEventData(data, (id) => pseudonym(tenantId, id));
  return {
    pseudonym,
    scrub,
    record(event, category) {
      const { refs, attributes } = scrub(event.tenantId, event.data);
      const occurredAt =
        event.occurredAt instanceof Date ? event.occurredAt.toISOString() : event.occurredAt;
      return {
        v: 1,
        eventRef: pseudonym(event.tenantId, event.id),
        tenantId: event.tenantId,
        type: event.type,
        category,
        occurredAt,
        entityType: event.entityType,
        entityRef: pseudonym(event.tenantId, event.entityId),
        subjectRef: refs.patientId ?? refs.leadId ?? null,
        refs,
        attributes,
      };
    },
  };
}

const DERIVED_FROM_RING = Buffer.from('clinicbridge/analytics-pseudonym/ring', 'utf8');

/**
 * The pseudonymiser of a server: keyed by `ANALYTICS_PSEUDONYM_KEY` when
 * set, else by a key derived from the database's field-encryption ring
 * (its index key, through HKDF with its own label, so pseudonyms are stable
 * across restarts and processes and unrelated to the blind indexes), else —
 * a database opened without keys — by a random key of this process.
 *
 * @example
 * const pseudonymiser = serverPseudonymiser(context.db, readSection(context.config, analyticsConfig).ANALYTICS_PSEUDONYM_KEY);
 */
export function serverPseudonymiser(db: Kysely<DB>, configured: string | undefined): Pseudonymiser {
  if (configured) return createPseudonymiser(configured);
  const ring = findKeyRing(db);
  if (!ring) return createPseudonymiser(randomBytes(32));
  return createPseudonymiser(
    Buffer.from(hkdfSync('sha256', ring.indexKey, DERIVED_FROM_RING, Buffer.alloc(0), 32)),
  );
}
