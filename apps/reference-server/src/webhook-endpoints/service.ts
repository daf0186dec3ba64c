/**
 * Webhook endpoints of a tenant: create (URL checked by the SSRF guard, a
 * `whsec_` secret returned once), read, change, delete, rotate the secret
 * (the old one keeps signing for 24 hours), send a test ping, and replay
 * everything sent to an endpoint since a time. Every change is audited in
 * its transaction. No HTTP here: handlers call these functions.
 */
import type { EventType, Page } from '@clinicbridge/sdk/contract';
import { newId, PING_MESSAGE } from '@clinicbridge/sdk/contract';
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';
import { notInFlight, restartedSchedule } from '../delivery/restart.ts';
import type { WebhookEndpointsTable } from '../delivery/schema.ts';
import { newEndpointSecret, SECRET_ROTATION_GRACE_MS } from '../delivery/signing.ts';
import { isTargetRefusedError, type TargetGuard } from '../delivery/ssrf.ts';
import { requireLinkableIntegration } from '../integrations/governance.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { newestFirst } from '../kernel/newest-first.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { decodeCursor, toPage } from '../kernel/pagination.ts';
import { ApiError } from '../kernel/problem.ts';

type EndpointRow = Selectable<WebhookEndpointsTable>;

/**
 * An endpoint as the API shows it (never its secret).
 *
 * @example
 * const view: WebhookEndpointView = toEndpointView(row);
 */
export interface WebhookEndpointView {
  id: `whep_${string}`;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  integrationId?: `int_${string}`;
  createdAt: string;
  updatedAt: string;
}

/**
 * The API view of an endpoint row.
 *
 * @example
 * const view = toEndpointView(row);
 */
export function toEndpointView(row: EndpointRow): WebhookEndpointView {
  return {
    id: row.id as `whep_${string}`,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    ...(row.integration_id ? { integrationId: row.integration_id as `int_${string}` } : {}),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function checkTarget(guard: TargetGuard, url: string): Promise<void> {
  try {
    await guard.check(url);
  } catch (error) {
    if (!isTargetRefusedError(error)) throw error;
    throw new ApiError('validation_failed', error.message, {
      errors: [{ path: 'body.url', message: error.message, code: error.code }],
    });
  }
}

/**
 * Loads an endpoint of the tenant, or throws `not_found`.
 *
 * @example
 * const row = await findEndpoint(db, tenantId, 'whep_…');
 */
export async function findEndpoint(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<EndpointRow> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No webhook endpoint ${id} in this tenant.`);
  return row;
}

/**
 * What creating an endpoint takes.
 *
 * @example
 * const input: NewEndpoint = { url: 'https://partner.example/hooks', eventTypes: ['appointment.created'] };
 */
export interface NewEndpoint {
  url: string;
  description?: string | undefined;
  eventTypes: readonly (EventType | '*')[];
  enabled?: boolean | undefined;
  /** The registered integration it belongs to. */
  integrationId?: string | undefined;
}

/**
 * Creates an endpoint; the returned `secret` is never shown again.
 *
 * @example
 * const { id, secret } = await createEndpoint(trx, change, guard, { url, eventTypes: ['*'] });
 */
export async function createEndpoint(
  db: Kysely<DB>,
  change: ChangeContext,
  guard: TargetGuard,
  input: NewEndpoint,
): Promise<WebhookEndpointView & { secret: string }> {
  await checkTarget(guard, input.url);
  const integrationId = await requireLinkableIntegration(
    db,
    change.tenantId,
    input.integrationId,
    'body.integrationId',
  );
  const secret = newEndpointSecret();
  const row = await db
    .insertInto('webhook_endpoints')
    .values({
      id: newId('whep'),
      tenant_id: change.tenantId,
      url: input.url,
      description: input.description ?? null,
      event_types: JSON.stringify([...new Set(input.eventTypes)]),
      enabled: input.enabled ?? true,
      disabled_reason: null,
      secret,
      previous_secret: null,
      previous_secret_expires_at: null,
      failing_since: null,
      integration_id: integrationId,
      created_at: change.now,
      updated_at: change.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await auditChange(db, change, 'webhook_endpoint.created', 'webhook_endpoint', row.id, {
    eventTypes: row.event_types,
    ...(integrationId ? { integrationId } : {}),
  });
  return { ...toEndpointView(row), secret };
}

/**
 * A page of the tenant's endpoints, newest first.
 *
 * @example
 * const page = await listEndpoints(db, tenantId, { limit: 25 });
 */
export async function listEndpoints(
  db: Kysely<DB>,
  tenantId: string,
  query: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<WebhookEndpointView>> {
  const limit = query.limit ?? 25;
  const after = decodeCursor(query.cursor, 'webhook_endpoints');
  const select = db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId);
  const rows = await newestFirst(select, 'created_at', after, limit).execute();
  return toPage(
    rows,
    limit,
    'webhook_endpoints',
    (r) => ({ time: r.created_at, id: r.id }),
    toEndpointView,
  );
}

/**
 * What an update may change.
 *
 * @example
 * const changes: EndpointChanges = { enabled: false, description: null };
 */
export interface EndpointChanges {
  url?: string | undefined;
  description?: string | null | undefined;
  eventTypes?: readonly (EventType | '*')[] | undefined;
  enabled?: boolean | undefined;
}

/**
 * Changes an endpoint. Enabling it clears its disabled reason and failure
 * run, and its waiting deliveries resume.
 *
 * @example
 * await updateEndpoint(trx, change, guard, 'whep_…', { enabled: true });
 */
export async function updateEndpoint(
  db: Kysely<DB>,
  change: ChangeContext,
  guard: TargetGuard,
  id: string,
  input: EndpointChanges,
): Promise<WebhookEndpointView> {
  const current = await findEndpoint(db, change.tenantId, id);
  if (input.url !== undefined) await checkTarget(guard, input.url);
  const enabling = input.enabled === true && !current.enabled;
  const row = await db
    .updateTable('webhook_endpoints')
    .set({
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.eventTypes !== undefined
        ? { event_types: JSON.stringify([...new Set(input.eventTypes)]) }
        : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...(input.enabled === false && current.enabled
        ? { disabled_reason: 'disabled through the API' }
        : {}),
      ...(enabling ? { disabled_reason: null, failing_since: null } : {}),
      updated_at: change.now,
    })
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await auditChange(db, change, 'webhook_endpoint.updated', 'webhook_endpoint', id, {
    fields: Object.keys(input),
  });
  return toEndpointView(row);
}

/**
 * Deletes an endpoint; its deliveries and their attempts go with it.
 *
 * @example
 * await deleteEndpoint(trx, change, 'whep_…');
 */
export async function deleteEndpoint(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<void> {
  await findEndpoint(db, change.tenantId, id);
  await db
    .deleteFrom('webhook_endpoints')
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', id)
    .execute();
  await auditChange(db, change, 'webhook_endpoint.deleted', 'webhook_endpoint', id);
}

/**
 * Issues a new secret; the old one keeps signing beside it for 24 hours.
 *
 * @example
 * const { secret } = await rotateEndpointSecret(trx, change, 'whep_…');
 */
export async function rotateEndpointSecret(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<WebhookEndpointView & { secret: string }> {
  const current = await findEndpoint(db, change.tenantId, id);
  const secret = newEndpointSecret();
  const row = await db
    .updateTable('webhook_endpoints')
    .set({
      secret,
      previous_secret: current.secret,
      previous_secret_expires_at: new Date(change.now.getTime() + SECRET_ROTATION_GRACE_MS),
      updated_at: change.now,
    })
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await auditChange(db, change, 'webhook_endpoint.secret_rotated', 'webhook_endpoint', id);
  return { ...toEndpointView(row), secret };
}

/**
 * Records a `webhook_endpoint.ping` event delivered to this endpoint only.
 *
 * @example
 * const { eventId } = await sendTestEvent(trx, change, 'whep_…');
 */
export async function sendTestEvent(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<{ eventId: `evt_${string}` }> {
  await findEndpoint(db, change.tenantId, id);
  const event = await recordEvent(db, {
    tenantId: change.tenantId,
    type: 'webhook_endpoint.ping',
    entityType: 'webhook_endpoint',
    entityId: id,
    data: { endpointId: id as `whep_${string}`, message: PING_MESSAGE },
    occurredAt: change.now,
  });
  await auditChange(db, change, 'webhook_endpoint.tested', 'webhook_endpoint', id, {
    eventId: event.id,
  });
  return { eventId: event.id };
}

/**
 * Schedules again every delivery to the endpoint created since `since`,
 * whatever its state, except those in flight right now (their attempt is
 * under way; restarting them would send them twice at once); resolves to how many.
 *
 * @example
 * const { scheduled } = await replayEndpoint(trx, change, 'whep_…', new Date(Date.now() - 86_400_000));
 */
export async function replayEndpoint(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  since: Date,
): Promise<{ scheduled: number }> {
  await findEndpoint(db, change.tenantId, id);
  const result = await db
    .updateTable('deliveries')
    .set(restartedSchedule(change.now))
    .where('tenant_id', '=', change.tenantId)
    .where('endpoint_id', '=', id)
    .where('created_at', '>=', since)
    .where(notInFlight(change.now))
    .executeTakeFirst();
  const scheduled = Number(result.numUpdatedRows);
  await auditChange(db, change, 'webhook_endpoint.replayed', 'webhook_endpoint', id, {
    since: since.toISOString(),
    scheduled,
  });
  return { scheduled };
}
