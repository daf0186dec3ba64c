/**
 * The integrations registry: every system connected to a tenant, what it is
 * for, which scopes, APIs and events it uses, and whether it is active.
 * Governance: each integration records its business justification, data
 * scope, risk, internal owner and next review date; API keys, OAuth clients
 * and webhook endpoints may belong to one. A paused or deprecated
 * integration's credentials are refused (403 `integration_paused` /
 * `integration_deprecated`) and its deliveries wait until it is resumed.
 */
import * as z from 'zod/mini';
import { date, dateInput, listQuery, page, text, timestamp } from '../common.ts';
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
 * Risk level of an integration, from its assessment.
 *
 * @example
 * integrationRiskLevel.parse('medium');
 */
export const integrationRiskLevel = z.enum(['low', 'medium', 'high', 'critical']);

/**
 * The risk assessment of an integration: a level and the assessor's notes.
 *
 * @example
 * integrationRisk.parse({ level: 'high', notes: 'Reads identified patient data' });
 */
export const integrationRisk = z.object({
  level: integrationRiskLevel,
  notes: z.nullable(z.string()),
});

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
  /** The internal owner: who answers for the integration. */
  owner: z.nullable(z.string()),
  /** Why the clinic needs it (business justification); null on integrations registered before it was asked. */
  justification: z.nullable(z.string()),
  /** What data it may read or write, in plain words. */
  dataScope: z.nullable(z.string()),
  risk: z.nullable(integrationRisk),
  /** When the integration is next reviewed; an operator alert is raised as the date comes near. */
  reviewDate: z.nullable(date),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const fields = {
  name: text(100),
  purpose: text(1000),
  scopes: z.array(scope).check(z.maxLength(40)),
  apis: z.array(text(200)).check(z.maxLength(100)),
  events: z.array(text(100)).check(z.maxLength(100)),
  status: z.optional(integrationStatus),
  owner: z.optional(text(200)),
  justification: z.optional(text(2000)),
  dataScope: z.optional(text(2000)),
  risk: z.optional(z.strictObject({ level: integrationRiskLevel, notes: z.optional(text(2000)) })),
  reviewDate: z.optional(dateInput),
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

const statusChange = z.strictObject({
  /** Why (recorded in the audit log). */
  reason: z.optional(text(500)),
});

/**
 * Pause an integration (`integrations.pause`): its API keys and OAuth
 * clients are refused with 403 `integration_paused` and its webhook
 * deliveries wait, none lost, until it is resumed.
 *
 * @example
 * await client.request(integrationsPause, ...args); // same arguments as client.integrations.pause
 */
export const integrationsPause = defineOperation({
  id: 'integrations.pause',
  method: 'POST',
  path: '/api/v1/integrations/{integrationId}/pause',
  summary: 'Pause an integration: its credentials are refused and its deliveries wait',
  scope: 'admin:integrations',
  write: true,
  status: 200,
  params: integrationParams,
  body: statusChange,
  response: integration,
});

/**
 * Deprecate an integration (`integrations.deprecate`): as a pause, with
 * 403 `integration_deprecated`, for an integration being retired.
 *
 * @example
 * await client.request(integrationsDeprecate, ...args); // same arguments as client.integrations.deprecate
 */
export const integrationsDeprecate = defineOperation({
  id: 'integrations.deprecate',
  method: 'POST',
  path: '/api/v1/integrations/{integrationId}/deprecate',
  summary: 'Deprecate an integration: its credentials are refused and its deliveries wait',
  scope: 'admin:integrations',
  write: true,
  status: 200,
  params: integrationParams,
  body: statusChange,
  response: integration,
});

/**
 * Resume a paused or deprecated integration (`integrations.resume`): its
 * credentials work again and its waiting deliveries are sent.
 *
 * @example
 * await client.request(integrationsResume, ...args); // same arguments as client.integrations.resume
 */
export const integrationsResume = defineOperation({
  id: 'integrations.resume',
  method: 'POST',
  path: '/api/v1/integrations/{integrationId}/resume',
  summary: 'Resume an integration: its credentials work and its waiting deliveries are sent',
  scope: 'admin:integrations',
  write: true,
  status: 200,
  params: integrationParams,
  body: statusChange,
  response: integration,
});

/**
 * The resources a link names: an API key, an OAuth client, a webhook endpoint (at least one).
 *
 * @example
 * integrationLink.parse({ tokenId: 'tok_…', webhookEndpointId: 'whep_…' });
 */
export const integrationLink = z
  .strictObject({
    tokenId: z.optional(idSchema('tok')),
    clientId: z.optional(idSchema('cli')),
    webhookEndpointId: z.optional(idSchema('whep')),
  })
  .check(
    z.refine(
      (b) =>
        b.tokenId !== undefined || b.clientId !== undefined || b.webhookEndpointId !== undefined,
      { message: 'name at least one of tokenId, clientId, webhookEndpointId' },
    ),
  );

/**
 * Make API keys, OAuth clients or webhook endpoints belong to an integration (`integrations.link`).
 *
 * @example
 * await client.request(integrationsLink, ...args); // same arguments as client.integrations.link
 */
export const integrationsLink = defineOperation({
  id: 'integrations.link',
  method: 'POST',
  path: '/api/v1/integrations/{integrationId}/link',
  summary: 'Make an API key, OAuth client or webhook endpoint belong to an integration',
  scope: 'admin:integrations',
  write: true,
  status: 200,
  params: integrationParams,
  body: integrationLink,
  response: integration,
});

/**
 * Detach API keys, OAuth clients or webhook endpoints from an integration (`integrations.unlink`).
 *
 * @example
 * await client.request(integrationsUnlink, ...args); // same arguments as client.integrations.unlink
 */
export const integrationsUnlink = defineOperation({
  id: 'integrations.unlink',
  method: 'POST',
  path: '/api/v1/integrations/{integrationId}/unlink',
  summary: 'Detach an API key, OAuth client or webhook endpoint from an integration',
  scope: 'admin:integrations',
  write: true,
  status: 200,
  params: integrationParams,
  body: integrationLink,
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
  pause: integrationsPause,
  deprecate: integrationsDeprecate,
  resume: integrationsResume,
  link: integrationsLink,
  unlink: integrationsUnlink,
} as const;
