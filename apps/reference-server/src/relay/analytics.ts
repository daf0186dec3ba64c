/**
 * The analytics copies of relayed events. With `RELAY_ANALYTICS=true`, an
 * event whose type belongs to an analytics category (`user_events`,
 * `system_metrics`, `business_metrics`; see `analyticsCategory`) is
 * published a second time, right after its envelope and before the next
 * event of its tenant, as a pseudonymised record on the sink's analytics
 * subject or exchange: JSON, or Avro in the schema-registry wire format.
 * The event is marked relayed only when both were acknowledged.
 */
import { encodeAnalyticsAvro } from '../analytics/avro.ts';
import { analyticsCategory, type Pseudonymiser } from '../analytics/pseudonymiser.ts';
import type { RelayRow } from './claims.ts';
import type { RelayMessage } from './sink.ts';

/**
 * Content types of the analytics copies.
 *
 * @example
 * ANALYTICS_CONTENT_TYPES.avro; // 'application/vnd.clinicbridge.analytics.v1+avro'
 */
export const ANALYTICS_CONTENT_TYPES = {
  json: 'application/vnd.clinicbridge.analytics.v1+json',
  avro: 'application/vnd.clinicbridge.analytics.v1+avro',
} as const;

/**
 * How analytics copies are built.
 *
 * @example
 * const options: AnalyticsCopyOptions = { pseudonymiser, format: 'avro', avroSchemaId: 7 };
 */
export interface AnalyticsCopyOptions {
  readonly pseudonymiser: Pseudonymiser;
  readonly format: 'json' | 'avro';
  /** The registry id of the schema, written into every Avro payload's header. */
  readonly avroSchemaId?: number | undefined;
}

/**
 * The builder of an event's analytics copy; undefined for event types in no analytics category.
 *
 * @example
 * const copy = analyticsCopy({ pseudonymiser, format: 'json' });
 * const message = copy(row); // { id: '5c1e…', analytics: { category: 'user_events', … }, … }
 */
export function analyticsCopy(
  options: AnalyticsCopyOptions,
): (row: RelayRow) => RelayMessage | undefined {
  if (options.format === 'avro' && options.avroSchemaId === undefined)
    throw new Error('Avro analytics copies need a schema id');
  return (row) => {
    const category = analyticsCategory(row.event_type);
    if (!category) return undefined;
    const record = options.pseudonymiser.record(
      {
        id: row.event_id,
        tenantId: row.tenant_id,
        type: row.event_type,
        occurredAt: row.occurred_at,
        entityType: row.entity_type,
        entityId: row.entity_id,
        data: row.data,
      },
      category,
    );
    return {
      id: record.eventRef,
      tenantId: row.tenant_id,
      type: row.event_type,
      body:
        options.format === 'avro'
          ? encodeAnalyticsAvro(record, options.avroSchemaId ?? 0)
          : JSON.stringify(record),
      analytics: { category, contentType: ANALYTICS_CONTENT_TYPES[options.format] },
    };
  };
}
