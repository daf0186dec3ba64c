/**
 * Integration governance: pausing, deprecating and resuming an integration,
 * and which API keys, OAuth clients and webhook endpoints belong to it.
 * The status is read where it takes effect, never copied: authentication
 * refuses a credential of a paused or deprecated integration
 * ({@link requireActiveIntegration}), and the delivery worker claims no
 * delivery of its endpoints (src/delivery/claims.ts), so they wait as
 * `pending`/`failed`, none lost, and go out once it is resumed.
 */
import type { Integration } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { ApiError } from '../kernel/problem.ts';
import { requireIntegration, toIntegration } from './service.ts';

type Status = Row<'integrations'>['status'];

/** The status each action leads to, and the statuses it may start from. */
const transitions = {
  pause: { to: 'paused', from: ['active'] },
  deprecate: { to: 'deprecated', from: ['active', 'paused'] },
  resume: { to: 'active', from: ['paused', 'deprecated'] },
} as const satisfies Record<string, { to: Status; from: readonly Status[] }>;

/**
 * A status action on an integration.
 *
 * @example
 * const action: StatusAction = 'pause';
 */
export type StatusAction = keyof typeof transitions;

const auditAction = {
  pause: 'integration.paused',
  deprecate: 'integration.deprecated',
  resume: 'integration.resumed',
} as const;

/**
 * Pauses, deprecates or resumes an integration; audited with the reason.
 * A transition from a status it cannot start from is 409
 * `invalid_state_transition` (pausing a paused one, resuming an active one).
 *
 * @example
 * await changeIntegrationStatus(trx, change, 'int_…', 'pause', 'partner breach under review');
 */
export async function changeIntegrationStatus(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  action: StatusAction,
  reason: string | undefined,
): Promise<Integration> {
  const row = await requireIntegration(db, change.tenantId, id, { lock: true });
  const { to, from } = transitions[action];
  if (!(from as readonly Status[]).includes(row.status)) {
    throw new ApiError(
      'invalid_state_transition',
      `Integration ${id} is ${row.status}; ${action} applies to ${from.join(' or ')} integrations.`,
    );
  }
  await db
    .updateTable('integrations')
    .set({ status: to, updated_at: change.now })
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', id)
    .execute();
  await auditChange(db, change, auditAction[action], 'integration', id, {
    from: row.status,
    to,
    ...(reason !== undefined ? { reason } : {}),
  });
  return toIntegration({ ...row, status: to, updated_at: change.now });
}

/**
 * What a link names (at least one).
 *
 * @example
 * const link: IntegrationLink = { tokenId: 'tok_…', webhookEndpointId: 'whep_…' };
 */
export interface IntegrationLink {
  tokenId?: string | undefined;
  clientId?: string | undefined;
  webhookEndpointId?: string | undefined;
}

const linked = [
  { key: 'tokenId', table: 'api_keys', noun: 'integration token' },
  { key: 'clientId', table: 'oauth_clients', noun: 'OAuth client' },
  { key: 'webhookEndpointId', table: 'webhook_endpoints', noun: 'webhook endpoint' },
] as const;

/**
 * Makes the named resources belong to the integration (`link`), or to none
 * (`unlink`, only those that belong to it: 409 `conflict` otherwise). Each
 * must be the tenant's (404). Audited with the ids.
 *
 * @example
 * await linkToIntegration(trx, change, 'int_…', { tokenId: 'tok_…' }, 'link');
 */
export async function linkToIntegration(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  link: IntegrationLink,
  mode: 'link' | 'unlink',
): Promise<Integration> {
  const integration = await requireIntegration(db, change.tenantId, id);
  const ids: Record<string, string> = {};
  for (const { key, table, noun } of linked) {
    const resourceId = link[key];
    if (resourceId === undefined) continue;
    const row = await db
      .selectFrom(table)
      .select(['id', 'integration_id'])
      .where('tenant_id', '=', change.tenantId)
      .where('id', '=', resourceId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new ApiError('not_found', `No ${noun} ${resourceId} in this tenant.`);
    if (mode === 'unlink' && row.integration_id !== id) {
      throw new ApiError('conflict', `The ${noun} ${resourceId} does not belong to ${id}.`);
    }
    await db
      .updateTable(table)
      .set({ integration_id: mode === 'link' ? id : null })
      .where('tenant_id', '=', change.tenantId)
      .where('id', '=', resourceId)
      .execute();
    ids[key] = resourceId;
  }
  await auditChange(
    db,
    change,
    mode === 'link' ? 'integration.linked' : 'integration.unlinked',
    'integration',
    id,
    ids,
  );
  return toIntegration(integration);
}

/**
 * Checks that a new credential or endpoint may name `integrationId`: an
 * integration of the tenant (400 `validation_failed` otherwise).
 *
 * @example
 * await requireLinkableIntegration(trx, tenantId, body.integrationId, 'body.integrationId');
 */
export async function requireLinkableIntegration(
  db: Kysely<DB>,
  tenantId: string,
  integrationId: string | undefined,
  path: string,
): Promise<string | null> {
  if (integrationId === undefined) return null;
  const row = await db
    .selectFrom('integrations')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', integrationId)
    .executeTakeFirst();
  if (!row) {
    const message = `no integration ${integrationId} in this tenant`;
    throw new ApiError('validation_failed', `${path}: ${message}; register it first.`, {
      errors: [{ path, message, code: 'custom' }],
    });
  }
  return row.id;
}

/**
 * The status of the integration a credential belongs to, or null when it
 * belongs to none (or the integration is gone).
 *
 * @example
 * const status = await integrationStatusOf(db, row.integration_id);
 */
export async function integrationStatusOf(
  db: Kysely<DB>,
  integrationId: string | null | undefined,
): Promise<Status | null> {
  if (!integrationId) return null;
  const row = await db
    .selectFrom('integrations')
    .select('status')
    .where('id', '=', integrationId)
    .executeTakeFirst();
  return row?.status ?? null;
}

/**
 * Refuses a credential whose integration is paused (403
 * `integration_paused`) or deprecated (403 `integration_deprecated`).
 *
 * @example
 * requireActiveIntegration(await integrationStatusOf(db, row.integration_id));
 */
export function requireActiveIntegration(status: Status | null): void {
  if (status === 'paused') {
    throw new ApiError(
      'integration_paused',
      'The integration this credential belongs to is paused; ask the clinic to resume it.',
    );
  }
  if (status === 'deprecated') {
    throw new ApiError(
      'integration_deprecated',
      'The integration this credential belongs to is deprecated; ask the clinic for its replacement.',
    );
  }
}
