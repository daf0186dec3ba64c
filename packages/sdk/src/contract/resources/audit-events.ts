/**
 * The audit log: who did what to which entity, with the request id. Append
 * only — the database refuses updates and deletes.
 */
import * as z from 'zod/mini';
import { listQuery, page, timestamp, timestampInput } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * One audit record. `metadata` never holds PII or secrets.
 *
 * @example
 * const record = auditEvent.parse(await res.json());
 */
export const auditEvent = z.object({
  id: idSchema('aud'),
  actor: z.object({
    type: z.enum(['api_key', 'oauth_client', 'operator', 'system']),
    id: z.string(),
  }),
  action: z.string(),
  entityType: z.string(),
  entityId: z.nullable(z.string()),
  requestId: z.nullable(z.string()),
  occurredAt: timestamp,
  metadata: z.record(z.string(), z.unknown()),
});

/**
 * List audit records, newest first (`auditEvents.list`).
 *
 * @example
 * await client.request(auditEventsList, ...args); // same arguments as client.auditEvents.list
 */
export const auditEventsList = defineOperation({
  id: 'auditEvents.list',
  method: 'GET',
  path: '/api/v1/audit-events',
  summary: 'List audit records, newest first',
  scope: 'read:audit',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    action: z.optional(z.string().check(z.maxLength(100))),
    entityType: z.optional(z.string().check(z.maxLength(100))),
    entityId: z.optional(z.string().check(z.maxLength(100))),
    since: z.optional(timestampInput),
    until: z.optional(timestampInput),
  }),
  response: page(auditEvent),
});

/**
 * Get an audit record (`auditEvents.get`).
 *
 * @example
 * await client.request(auditEventsGet, ...args); // same arguments as client.auditEvents.get
 */
export const auditEventsGet = defineOperation({
  id: 'auditEvents.get',
  method: 'GET',
  path: '/api/v1/audit-events/{auditEventId}',
  summary: 'Get an audit record',
  scope: 'read:audit',
  write: false,
  status: 200,
  params: z.strictObject({ auditEventId: idSchema('aud') }),
  response: auditEvent,
});

/**
 * Operations on the audit log.
 *
 * @example
 * auditEventOperations.list.scope; // 'read:audit'
 */
export const auditEventOperations = {
  list: auditEventsList,
  get: auditEventsGet,
} as const;
