/**
 * The events API: the outbox as partners see it, newest first, each event
 * in its public envelope.
 */
import type { EventEnvelope, Page } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { toEnvelope } from '../kernel/outbox.ts';
import { decodeCursor, pageSize, toPage } from '../kernel/pagination.ts';
import { ApiError } from '../kernel/problem.ts';
import { findEventRow, listEventRows } from './queries.ts';

/**
 * Lists events with the contract's filters.
 *
 * @example
 * await listEvents(db, tenantId, { type: 'payment.received' });
 */
export async function listEvents(
  db: Kysely<DB>,
  tenantId: string,
  query: {
    limit?: number | undefined;
    cursor?: string | undefined;
    type?: string | undefined;
    entityId?: string | undefined;
    since?: string | undefined;
  },
): Promise<Page<EventEnvelope>> {
  const limit = pageSize(query.limit);
  const cursor = decodeCursor(query.cursor, 'events');
  const beforeSequence = cursor ? Number(cursor.id) : undefined;
  if (beforeSequence !== undefined && !Number.isSafeInteger(beforeSequence)) {
    throw new ApiError(
      'invalid_cursor',
      'The cursor is not one this server issued; start from the first page.',
    );
  }
  const rows = await listEventRows(
    db,
    tenantId,
    {
      type: query.type,
      entityId: query.entityId,
      since: query.since !== undefined ? new Date(query.since) : undefined,
      beforeSequence,
    },
    limit + 1,
  );
  return toPage(
    rows,
    limit,
    'events',
    (r) => ({ time: r.occurred_at, id: String(r.sequence) }),
    toEnvelope,
  );
}

/**
 * One event of the tenant, or 404.
 *
 * @example
 * await getEvent(db, tenantId, 'evt_…');
 */
export async function getEvent(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<EventEnvelope> {
  const row = await findEventRow(db, tenantId, id);
  if (!row) throw new ApiError('not_found', `No event ${id} in this tenant.`);
  return toEnvelope(row);
}
