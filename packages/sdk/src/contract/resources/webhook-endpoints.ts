/**
 * Webhook endpoints: where a tenant's events are delivered. The signing
 * secret (`whsec_…`) is returned at creation and at rotation only; after a
 * rotation the old secret keeps signing alongside the new one for 24 hours.
 */
import * as z from 'zod/mini';
import { listQuery, page, text, timestamp, timestampInput } from '../common.ts';
import { eventType } from '../events/catalogue.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

const endpointUrl = z.url({ protocol: /^https?$/ }).check(z.maxLength(2048));

/**
 * A webhook endpoint (never with its secret).
 *
 * @example
 * const endpoint = webhookEndpoint.parse(await res.json());
 */
export const webhookEndpoint = z.object({
  id: idSchema('whep'),
  url: z.string(),
  description: z.nullable(z.string()),
  /** Event types delivered; `['*']` means every type. */
  eventTypes: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.nullable(z.string()),
  /** The registered integration the endpoint belongs to; absent: none. */
  integrationId: z.optional(idSchema('int')),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * An endpoint with its signing secret, shown once. A replay of the creation
 * or rotation (same `Idempotency-Key`) comes without `secret` and with
 * `secretShownOnce: true`: the server never stores the response's secret.
 *
 * @example
 * const { secret } = webhookEndpointWithSecret.parse(await res.json()); // shown once
 */
export const webhookEndpointWithSecret = z.extend(webhookEndpoint, {
  /** The `whsec_…` signing secret; absent from a replayed response. */
  secret: z.optional(z.string()),
  /** Set on a replayed response: the secret was in the first response only. */
  secretShownOnce: z.optional(z.literal(true)),
});

const eventTypeFilter = z
  .array(z.union([eventType, z.literal('*')]))
  .check(z.minLength(1), z.maxLength(100));

const endpointParams = z.strictObject({ endpointId: idSchema('whep') });

/**
 * Register a webhook endpoint; the signing secret is returned once (`webhookEndpoints.create`).
 *
 * @example
 * await client.request(webhookEndpointsCreate, ...args); // same arguments as client.webhookEndpoints.create
 */
export const webhookEndpointsCreate = defineOperation({
  id: 'webhookEndpoints.create',
  method: 'POST',
  path: '/api/v1/webhook-endpoints',
  summary: 'Register a webhook endpoint; the signing secret is returned once',
  scope: 'write:webhooks',
  write: true,
  status: 201,
  body: z.strictObject({
    url: endpointUrl,
    description: z.optional(text(500)),
    eventTypes: eventTypeFilter,
    enabled: z.optional(z.boolean()),
    /** The registered integration the endpoint belongs to (its deliveries wait while it is paused). */
    integrationId: z.optional(idSchema('int')),
  }),
  response: webhookEndpointWithSecret,
  shownOnce: ['secret'],
});

/**
 * Get a webhook endpoint (`webhookEndpoints.get`).
 *
 * @example
 * await client.request(webhookEndpointsGet, ...args); // same arguments as client.webhookEndpoints.get
 */
export const webhookEndpointsGet = defineOperation({
  id: 'webhookEndpoints.get',
  method: 'GET',
  path: '/api/v1/webhook-endpoints/{endpointId}',
  summary: 'Get a webhook endpoint',
  scope: 'read:webhooks',
  write: false,
  status: 200,
  params: endpointParams,
  response: webhookEndpoint,
});

/**
 * List webhook endpoints (`webhookEndpoints.list`).
 *
 * @example
 * await client.request(webhookEndpointsList, ...args); // same arguments as client.webhookEndpoints.list
 */
export const webhookEndpointsList = defineOperation({
  id: 'webhookEndpoints.list',
  method: 'GET',
  path: '/api/v1/webhook-endpoints',
  summary: 'List webhook endpoints',
  scope: 'read:webhooks',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({}),
  response: page(webhookEndpoint),
});

/**
 * Change the URL, filter, description or enabled flag of an endpoint (`webhookEndpoints.update`).
 *
 * @example
 * await client.request(webhookEndpointsUpdate, ...args); // same arguments as client.webhookEndpoints.update
 */
export const webhookEndpointsUpdate = defineOperation({
  id: 'webhookEndpoints.update',
  method: 'PATCH',
  path: '/api/v1/webhook-endpoints/{endpointId}',
  summary: 'Change the URL, filter, description or enabled flag of an endpoint',
  scope: 'write:webhooks',
  write: true,
  status: 200,
  params: endpointParams,
  body: z.strictObject({
    url: z.optional(endpointUrl),
    description: z.optional(z.nullable(text(500))),
    eventTypes: z.optional(eventTypeFilter),
    enabled: z.optional(z.boolean()),
  }),
  response: webhookEndpoint,
});

/**
 * Delete an endpoint; pending deliveries to it are dropped (`webhookEndpoints.delete`).
 *
 * @example
 * await client.request(webhookEndpointsDelete, ...args); // same arguments as client.webhookEndpoints.delete
 */
export const webhookEndpointsDelete = defineOperation({
  id: 'webhookEndpoints.delete',
  method: 'DELETE',
  path: '/api/v1/webhook-endpoints/{endpointId}',
  summary: 'Delete an endpoint; pending deliveries to it are dropped',
  scope: 'write:webhooks',
  write: true,
  status: 204,
  params: endpointParams,
});

/**
 * Issue a new signing secret; the old one keeps signing for 24 hours (`webhookEndpoints.rotateSecret`).
 *
 * @example
 * await client.request(webhookEndpointsRotateSecret, ...args); // same arguments as client.webhookEndpoints.rotateSecret
 */
export const webhookEndpointsRotateSecret = defineOperation({
  id: 'webhookEndpoints.rotateSecret',
  method: 'POST',
  path: '/api/v1/webhook-endpoints/{endpointId}/rotate-secret',
  summary: 'Issue a new signing secret; the old one keeps signing for 24 hours',
  scope: 'write:webhooks',
  write: true,
  status: 200,
  params: endpointParams,
  body: z.strictObject({}),
  response: webhookEndpointWithSecret,
  shownOnce: ['secret'],
});

/**
 * Send a webhook_endpoint.ping event to the endpoint (`webhookEndpoints.test`).
 *
 * @example
 * await client.request(webhookEndpointsTest, ...args); // same arguments as client.webhookEndpoints.test
 */
export const webhookEndpointsTest = defineOperation({
  id: 'webhookEndpoints.test',
  method: 'POST',
  path: '/api/v1/webhook-endpoints/{endpointId}/test',
  summary: 'Send a webhook_endpoint.ping event to the endpoint',
  scope: 'write:webhooks',
  write: true,
  status: 202,
  params: endpointParams,
  body: z.strictObject({}),
  response: z.object({ eventId: idSchema('evt') }),
});

/**
 * Deliver again every event sent to the endpoint since a time (`webhookEndpoints.replay`).
 *
 * @example
 * await client.request(webhookEndpointsReplay, ...args); // same arguments as client.webhookEndpoints.replay
 */
export const webhookEndpointsReplay = defineOperation({
  id: 'webhookEndpoints.replay',
  method: 'POST',
  path: '/api/v1/webhook-endpoints/{endpointId}/replay',
  summary: 'Deliver again every event sent to the endpoint since a time',
  scope: 'write:webhooks',
  write: true,
  status: 202,
  params: endpointParams,
  body: z.strictObject({ since: timestampInput }),
  response: z.object({ scheduled: z.int() }),
});

/**
 * Operations on webhook endpoints.
 *
 * @example
 * webhookEndpointOperations.rotateSecret.path; // '/api/v1/webhook-endpoints/{endpointId}/rotate-secret'
 */
export const webhookEndpointOperations = {
  create: webhookEndpointsCreate,
  get: webhookEndpointsGet,
  list: webhookEndpointsList,
  update: webhookEndpointsUpdate,
  delete: webhookEndpointsDelete,
  rotateSecret: webhookEndpointsRotateSecret,
  test: webhookEndpointsTest,
  replay: webhookEndpointsReplay,
} as const;
