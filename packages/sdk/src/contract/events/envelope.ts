/**
 * The envelope every event carries, in the API and in every webhook
 * delivery: `{ id, type, occurredAt, entityType, entityId, tenantId, data }`.
 * `id` is also the `webhook-id` header, so receivers deduplicate on it.
 */
import * as z from 'zod/mini';
import { timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { type EventData, type EventType, eventDataSchemas, eventType } from './catalogue.ts';

const envelopeFields = {
  id: idSchema('evt'),
  occurredAt: timestamp,
  entityType: z.string(),
  entityId: z.string(),
  tenantId: idSchema('ten'),
};

/**
 * An event whose `data` is not checked against the catalogue: what list
 * operations return, so a newer server's event types never break an older client.
 *
 * @example
 * eventEnvelope.parse(JSON.parse(body));
 */
export const eventEnvelope = z.object({
  ...envelopeFields,
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/**
 * An event envelope with unchecked data.
 *
 * @example
 * for await (const event of client.events.list({ entityId })) { const e: EventEnvelope = event; console.log(e.type, e.occurredAt); }
 */
export type EventEnvelope = z.infer<typeof eventEnvelope>;

/**
 * A catalogued event of type `T`.
 *
 * @example
 * function onCancelled(event: ClinicBridgeEventOf<'appointment.cancelled'>) { console.log(event.data.status); }
 */
export type ClinicBridgeEventOf<T extends EventType> = {
  id: `evt_${string}`;
  type: T;
  occurredAt: string;
  entityType: string;
  entityId: string;
  tenantId: `ten_${string}`;
  data: EventData<T>;
};

/**
 * Any catalogued event: a union discriminated on `type`.
 *
 * @example
 * function handle(event: ClinicBridgeEvent) { if (event.type === 'refund.issued') console.log(event.data.amount); }
 */
export type ClinicBridgeEvent = { [T in EventType]: ClinicBridgeEventOf<T> }[EventType];

/**
 * Schema of any catalogued event, discriminated on `type`; checks `data` too.
 *
 * @example
 * const event = clinicBridgeEvent.parse(payload);
 * if (event.type === 'payment.received') console.log(event.data.amount);
 */
export const clinicBridgeEvent = z.discriminatedUnion(
  'type',
  (Object.keys(eventDataSchemas) as EventType[]).map((type) =>
    z.object({ ...envelopeFields, type: z.literal(type), data: eventDataSchemas[type] }),
  ) as unknown as [z.ZodMiniObject, ...z.ZodMiniObject[]],
) as unknown as z.ZodMiniType<ClinicBridgeEvent>;

export { eventType };
