/** Visits: a patient's encounter at the clinic, opened and then completed. */
import * as z from 'zod/mini';
import { listQuery, page, text, timestamp, timestampInput } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * A visit. `summary` is clinical text: it never leaves in events.
 *
 * @example
 * const v = visit.parse(await res.json());
 */
export const visit = z.object({
  id: idSchema('vis'),
  patientId: idSchema('pat'),
  appointmentId: z.nullable(idSchema('apt')),
  status: z.enum(['open', 'completed']),
  summary: z.nullable(z.string()),
  startedAt: timestamp,
  completedAt: z.nullable(timestamp),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const visitParams = z.strictObject({ visitId: idSchema('vis') });

/**
 * Open a visit (`visits.create`).
 *
 * @example
 * await client.request(visitsCreate, ...args); // same arguments as client.visits.create
 */
export const visitsCreate = defineOperation({
  id: 'visits.create',
  method: 'POST',
  path: '/api/v1/visits',
  summary: 'Open a visit',
  scope: 'write:visits',
  write: true,
  status: 201,
  body: z.strictObject({
    patientId: idSchema('pat'),
    appointmentId: z.optional(idSchema('apt')),
    startedAt: z.optional(timestampInput),
  }),
  response: visit,
});

/**
 * Get a visit (`visits.get`).
 *
 * @example
 * await client.request(visitsGet, ...args); // same arguments as client.visits.get
 */
export const visitsGet = defineOperation({
  id: 'visits.get',
  method: 'GET',
  path: '/api/v1/visits/{visitId}',
  summary: 'Get a visit',
  scope: 'read:visits',
  write: false,
  status: 200,
  params: visitParams,
  response: visit,
});

/**
 * List visits (`visits.list`).
 *
 * @example
 * await client.request(visitsList, ...args); // same arguments as client.visits.list
 */
export const visitsList = defineOperation({
  id: 'visits.list',
  method: 'GET',
  path: '/api/v1/visits',
  summary: 'List visits',
  scope: 'read:visits',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    patientId: z.optional(idSchema('pat')),
    status: z.optional(z.enum(['open', 'completed'])),
  }),
  response: page(visit),
});

/**
 * Complete an open visit (`visits.complete`).
 *
 * @example
 * await client.request(visitsComplete, ...args); // same arguments as client.visits.complete
 */
export const visitsComplete = defineOperation({
  id: 'visits.complete',
  method: 'POST',
  path: '/api/v1/visits/{visitId}/complete',
  summary: 'Complete an open visit',
  scope: 'write:visits',
  write: true,
  status: 200,
  params: visitParams,
  body: z.strictObject({ summary: z.optional(text(10_000)) }),
  response: visit,
});

/**
 * Operations on visits.
 *
 * @example
 * visitOperations.complete.path; // '/api/v1/visits/{visitId}/complete'
 */
export const visitOperations = {
  create: visitsCreate,
  get: visitsGet,
  list: visitsList,
  complete: visitsComplete,
} as const;
