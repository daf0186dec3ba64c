/**
 * The transactional outbox. Every domain service records its event with
 * `recordEvent` inside the transaction that changes state, so an event
 * exists exactly when its change committed. Dispatchers read the `events`
 * table in `sequence` order; their bookkeeping lives in their own tables.
 */
import {
  type EventData,
  type EventEnvelope,
  type EventType,
  eventDataSchemas,
  newId,
} from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import * as z from 'zod/mini';
import type { DB, Row } from '../db/schema.ts';
import { type EventRow, writeHeldChange } from './held-change.ts';

/**
 * What a service knows about an event it records.
 *
 * @example
 * const event: NewEvent<'visit.completed'> = { tenantId, type: 'visit.completed', entityType: 'visit', entityId, data };
 */
export interface NewEvent<T extends EventType> {
  tenantId: string;
  type: T;
  entityType: string;
  entityId: string;
  data: EventData<T>;
  /** Defaults to now; pass the service's clock for deterministic tests. */
  occurredAt?: Date;
}

/**
 * Thrown when an event's data does not match the catalogue: a programming error, never user input.
 *
 * @example
 * // A bug, not user input: recordEvent(trx, { ...event, data: {} }) rejects with InvalidEventError.
 */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/**
 * Validates `data` against the event catalogue and inserts the event in `trx`.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('appointments').values(row).execute();
 *   await recordEvent(trx, { tenantId, type: 'appointment.created', entityType: 'appointment', entityId: row.id, data });
 * });
 */
export async function recordEvent<T extends EventType>(
  trx: Kysely<DB>,
  event: NewEvent<T>,
): Promise<EventEnvelope> {
  await writeHeldChange(trx);
  const { row, data } = validEventRow(event);
  await trx
    .insertInto('events')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      type: event.type,
      entity_type: row.entityType,
      entity_id: row.entityId,
      data: row.data,
      occurred_at: row.occurredAt,
    })
    .execute();
  return toEnvelope({
    id: row.id,
    tenant_id: row.tenantId,
    type: event.type,
    entity_type: row.entityType,
    entity_id: row.entityId,
    data,
    occurred_at: row.occurredAt,
    sequence: 0,
  });
}

/**
 * Validates `event.data` against the event catalogue (throwing
 * {@link InvalidEventError}) and returns the row to insert, with a new id.
 *
 * @example
 * const { row } = validEventRow({ tenantId, type: 'visit.completed', entityType: 'visit', entityId, data });
 */
export function validEventRow<T extends EventType>(
  event: NewEvent<T>,
): { row: EventRow; data: Record<string, unknown> } {
  const schema = eventDataSchemas[event.type] as z.core.$ZodType;
  const parsed = z.safeParse(schema, event.data);
  if (!parsed.success) {
    throw new InvalidEventError(
      `event ${event.type} does not match the catalogue: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const data = parsed.data as Record<string, unknown>;
  return {
    row: {
      id: newId('evt'),
      tenantId: event.tenantId,
      type: event.type,
      entityType: event.entityType,
      entityId: event.entityId,
      data: JSON.stringify(data),
      occurredAt: event.occurredAt ?? new Date(),
    },
    data,
  };
}

/**
 * The public envelope of a stored event.
 *
 * @example
 * const envelope = toEnvelope(await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
 */
export function toEnvelope(row: Row<'events'>): EventEnvelope {
  return {
    id: row.id as `evt_${string}`,
    type: row.type,
    occurredAt: row.occurred_at.toISOString(),
    entityType: row.entity_type,
    entityId: row.entity_id,
    tenantId: row.tenant_id as `ten_${string}`,
    data: row.data,
  };
}
