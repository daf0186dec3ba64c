/**
 * The integrations registry: every system connected to a tenant, what it is
 * for, which scopes, APIs and events it uses, and whether it is active.
 */
import * as z from 'zod/mini';
import { listQuery, page, text, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';
import { scope } from '../scopes.ts';

/**
 * Lifecycle of an integration.
 *
 * @example
 * integrationStatus.parse('paused');
 */
export const integrationStatus = z.enum(['active', 'paused', 'deprecated']);

/**
 * A registered integration.
 *
 * @example
 * const registered = integration.parse(await res.json());
 */
export const integration = z.object({
  id: idSchema('int'),
  name: z.string(),
  purpose: z.string(),
  scopes: z.array(scope),
  apis: z.array(z.string()),
  events: z.array(z.string()),
  status: integrationStatus,
  owner: z.nullable(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const fields = {
  name: text(100),
  purpose: text(1000),
  scopes: z.array(scope).check(z.maxLength(30)),
  apis: z.array(text(200)).check(z.maxLength(100)),
  events: z.array(text(100)).check(z.maxLength(100)),
  status: z.optional(integrationStatus),
  owner: z.optional(text(200)),
};

const integrationParams = z.strictObject({ integrationId: idSchema('int') });

/**
 * Register an integration (`integrations.create`).
 *
 * @example
 * await client.request(integrationsCreate, ...args); // same arguments as client.integrations.create
 */
export const integrationsCreate = defineOperation({
  id: 'integrations.create',
  method: 'POST',
  path: '/api/v1/integrations',
  summary: 'Register an integration',
  scope: 'admin:integrations',
  write: true,
  status: 201,
  body: z.strictObject(fields),
  response: integration,
});

/**
 * Get an integration (`integrations.get`).
 *
 * @example
 * await client.request(integrationsGet, ...args); // same arguments as client.integrations.get
 */
export const integrationsGet = defineOperation({
  id: 'integrations.get',
  method: 'GET',
  path: '/api/v1/integrations/{integrationId}',
  summary: 'Get an integration',
  scope: 'read:integrations',
  write: false,
  status: 200,
  params: integrationParams,
  response: integration,
});

/**
 * List integrations (`integrations.list`).
 *
 * @example
 * await client.request(integrationsList, ...args); // same arguments as client.integrations.list
 */
export const integrationsList = defineOperation({
  id: 'integrations.list',
  method: 'GET',
  path: '/api/v1/integrations',
  summary: 'List integrations',
  scope: 'read:integrations',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ status: z.optional(integrationStatus) }),
  response: page(integration),
});

/**
 * Update an integration (e.g. pause or deprecate it) (`integrations.update`).
 *
 * @example
 * await client.request(integrationsUpdate, ...args); // same arguments as client.integrations.update
 */
export const integrationsUpdate = defineOperation({
  id: 'integrations.update',
  method: 'PATCH',
  path: '/api/v1/integrations/{integrationId}',
  summary: 'Update an integration (e.g. pause or deprecate it)',
  scope: 'admin:integrations',
  write: true,
  status: 200,
  params: integrationParams,
  body: z.partial(z.strictObject(fields)),
  response: integration,
});

/**
 * Operations on the integrations registry.
 *
 * @example
 * integrationOperations.update.method; // 'PATCH'
 */
export const integrationOperations = {
  create: integrationsCreate,
  get: integrationsGet,
  list: integrationsList,
  update: integrationsUpdate,
} as const;
