/**
 * Events, their deliveries to webhook endpoints, delivery attempts, and the
 * dead-letter queue of deliveries whose every attempt failed.
 */
import * as z from 'zod/mini';
import { listQuery, page, timestamp, timestampInput } from '../common.ts';
import { eventEnvelope } from '../events/envelope.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * One HTTP attempt of a delivery.
 *
 * @example
 * const attempt = deliveryAttempt.parse(body.attempts[0]);
 */
export const deliveryAttempt = z.object({
  id: idSchema('att'),
  attemptedAt: timestamp,
  /** HTTP status of the response; null when no response arrived. */
  responseStatus: z.nullable(z.int()),
  latencyMs: z.int(),
  error: z.nullable(z.string()),
  /** The first 4 KiB of the response body. */
  responseSnippet: z.nullable(z.string()),
});

/**
 * Status of a delivery. `dead` deliveries are in the dead-letter queue.
 *
 * @example
 * deliveryStatus.parse('dead');
 */
export const deliveryStatus = z.enum(['pending', 'succeeded', 'failed', 'dead', 'cancelled']);

/**
 * A delivery of one event to one endpoint.
 *
 * @example
 * const d = delivery.parse(await res.json());
 */
export const delivery = z.object({
  id: idSchema('dlv'),
  eventId: idSchema('evt'),
  eventType: z.string(),
  endpointId: idSchema('whep'),
  status: deliveryStatus,
  attemptCount: z.int(),
  nextAttemptAt: z.nullable(timestamp),
  lastAttemptAt: z.nullable(timestamp),
  createdAt: timestamp,
  attempts: z.optional(z.array(deliveryAttempt)),
});

const deliveryParams = z.strictObject({ deliveryId: idSchema('dlv') });

/**
 * List events, newest first (`events.list`).
 *
 * @example
 * await client.request(eventsList, ...args); // same arguments as client.events.list
 */
export const eventsList = defineOperation({
  id: 'events.list',
  method: 'GET',
  path: '/api/v1/events',
  summary: 'List events, newest first',
  scope: 'read:events',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    type: z.optional(z.string().check(z.maxLength(100))),
    entityId: z.optional(z.string().check(z.maxLength(100))),
    since: z.optional(timestampInput),
  }),
  response: page(eventEnvelope),
});

/**
 * Get an event (`events.get`).
 *
 * @example
 * await client.request(eventsGet, ...args); // same arguments as client.events.get
 */
export const eventsGet = defineOperation({
  id: 'events.get',
  method: 'GET',
  path: '/api/v1/events/{eventId}',
  summary: 'Get an event',
  scope: 'read:events',
  write: false,
  status: 200,
  params: z.strictObject({ eventId: idSchema('evt') }),
  response: eventEnvelope,
});

/**
 * List the deliveries of an event, with their attempts (`events.deliveries`).
 *
 * @example
 * await client.request(eventsDeliveries, ...args); // same arguments as client.events.deliveries
 */
export const eventsDeliveries = defineOperation({
  id: 'events.deliveries',
  method: 'GET',
  path: '/api/v1/events/{eventId}/deliveries',
  summary: 'List the deliveries of an event, with their attempts',
  scope: 'read:webhooks',
  write: false,
  status: 200,
  paginated: true,
  params: z.strictObject({ eventId: idSchema('evt') }),
  query: listQuery({}),
  response: page(delivery),
});

/**
 * Operations on events.
 *
 * @example
 * eventOperations.deliveries.path; // '/api/v1/events/{eventId}/deliveries'
 */
export const eventOperations = {
  list: eventsList,
  get: eventsGet,
  deliveries: eventsDeliveries,
} as const;

/**
 * Get a delivery with its attempts (`deliveries.get`).
 *
 * @example
 * await client.request(deliveriesGet, ...args); // same arguments as client.deliveries.get
 */
export const deliveriesGet = defineOperation({
  id: 'deliveries.get',
  method: 'GET',
  path: '/api/v1/deliveries/{deliveryId}',
  summary: 'Get a delivery with its attempts',
  scope: 'read:webhooks',
  write: false,
  status: 200,
  params: deliveryParams,
  response: delivery,
});

/**
 * Attempt a delivery again now (`deliveries.retry`).
 *
 * @example
 * await client.request(deliveriesRetry, ...args); // same arguments as client.deliveries.retry
 */
export const deliveriesRetry = defineOperation({
  id: 'deliveries.retry',
  method: 'POST',
  path: '/api/v1/deliveries/{deliveryId}/retry',
  summary: 'Attempt a delivery again now',
  scope: 'write:webhooks',
  write: true,
  status: 202,
  params: deliveryParams,
  body: z.strictObject({}),
  response: delivery,
});

/**
 * Operations on deliveries.
 *
 * @example
 * deliveryOperations.retry.method; // 'POST'
 */
export const deliveryOperations = {
  get: deliveriesGet,
  retry: deliveriesRetry,
} as const;

/**
 * List deliveries that exhausted their attempts (`deadLetters.list`).
 *
 * @example
 * await client.request(deadLettersList, ...args); // same arguments as client.deadLetters.list
 */
export const deadLettersList = defineOperation({
  id: 'deadLetters.list',
  method: 'GET',
  path: '/api/v1/dead-letters',
  summary: 'List deliveries that exhausted their attempts',
  scope: 'read:webhooks',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ endpointId: z.optional(idSchema('whep')) }),
  response: page(delivery),
});

/**
 * Take a dead delivery out of the queue and attempt it again (`deadLetters.replay`).
 *
 * @example
 * await client.request(deadLettersReplay, ...args); // same arguments as client.deadLetters.replay
 */
export const deadLettersReplay = defineOperation({
  id: 'deadLetters.replay',
  method: 'POST',
  path: '/api/v1/dead-letters/{deliveryId}/replay',
  summary: 'Take a dead delivery out of the queue and attempt it again',
  scope: 'write:webhooks',
  write: true,
  status: 202,
  params: deliveryParams,
  body: z.strictObject({}),
  response: delivery,
});

/**
 * Operations on the dead-letter queue.
 *
 * @example
 * deadLetterOperations.replay.path; // '/api/v1/dead-letters/{deliveryId}/replay'
 */
export const deadLetterOperations = {
  list: deadLettersList,
  replay: deadLettersReplay,
} as const;
