/**
 * The Avro encoding of the analytics copy of an event, in the wire format
 * of Confluent-compatible schema registries: byte 0 is the magic byte 0,
 * bytes 1–4 the schema id (big-endian), then the Avro binary of the record.
 * The schema is {@link ANALYTICS_AVRO_SCHEMA} (published in
 * docs/scaling.md); its registry id is configured
 * (`RELAY_ANALYTICS_AVRO_SCHEMA_ID`), since the server does not talk to a
 * registry itself.
 */
import avro from 'avsc';
import type { AnalyticsRecord } from './pseudonymiser.ts';

/**
 * The Avro schema of {@link AnalyticsRecord} (version 1).
 *
 * @example
 * avro.Type.forSchema(ANALYTICS_AVRO_SCHEMA, { wrapUnions: false });
 */
export const ANALYTICS_AVRO_SCHEMA = {
  type: 'record',
  name: 'AnalyticsEvent',
  namespace: 'com.clinicbridge.analytics.v1',
  fields: [
    { name: 'v', type: 'int' },
    { name: 'eventRef', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'type', type: 'string' },
    {
      name: 'category',
      type: {
        type: 'enum',
        name: 'AnalyticsCategory',
        symbols: ['user_events', 'system_metrics', 'business_metrics'],
      },
    },
    { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'entityType', type: 'string' },
    { name: 'entityRef', type: 'string' },
    { name: 'subjectRef', type: ['null', 'string'], default: null },
    { name: 'refs', type: { type: 'map', values: 'string' } },
    { name: 'attributes', type: { type: 'map', values: ['null', 'boolean', 'double', 'string'] } },
  ],
} as const;

/**
 * The parsed Avro type (unions unwrapped: values are plain JS values).
 *
 * @example
 * const record = analyticsAvroType.fromBuffer(payload.subarray(5));
 */
export const analyticsAvroType = avro.Type.forSchema(
  ANALYTICS_AVRO_SCHEMA as unknown as avro.Schema,
  { wrapUnions: false },
);

/** Length of the wire-format header: the magic byte and the 4-byte schema id. */
export const WIRE_HEADER_BYTES = 5;

/**
 * Encodes a record with the registry wire-format header.
 *
 * @example
 * const payload = encodeAnalyticsAvro(record, 42); // payload[0] === 0, payload.readUInt32BE(1) === 42
 */
export function encodeAnalyticsAvro(record: AnalyticsRecord, schemaId: number): Buffer {
  const body = analyticsAvroType.toBuffer({
    ...record,
    occurredAt: Date.parse(record.occurredAt),
  });
  const header = Buffer.alloc(WIRE_HEADER_BYTES);
  header.writeUInt8(0, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/**
 * Decodes a wire-format payload: its schema id and the record (`occurredAt` in epoch milliseconds).
 *
 * @example
 * const { schemaId, record } = decodeAnalyticsAvro(payload);
 */
export function decodeAnalyticsAvro(payload: Uint8Array): {
  schemaId: number;
  record: Record<string, unknown>;
} {
  const buffer = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (buffer.length < WIRE_HEADER_BYTES || buffer[0] !== 0)
    throw new Error('not a schema-registry wire-format payload (magic byte 0)');
  return {
    schemaId: buffer.readUInt32BE(1),
    record: analyticsAvroType.fromBuffer(buffer.subarray(WIRE_HEADER_BYTES)) as Record<
      string,
      unknown
    >,
  };
}
