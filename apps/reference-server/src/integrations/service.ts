/**
 * The integrations registry: which systems are connected to a tenant, for
 * what purpose, with which scopes, APIs and events, and whether they are
 * active, with their governance record (business justification, data
 * scope, risk, internal owner, review date). Registered and changed by
 * `admin:integrations`, readable with `read:integrations`; every change is
 * audited. What pausing does to credentials and deliveries lives in
 * `governance.ts`.
 */
import { type Integration, newId, type Scope } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { insertOwned, updateOwned } from '../kernel/owned.ts';
import { requireOwned } from '../kernel/require-owned.ts';

/**
 * Fields of an integration a caller sets.
 *
 * @example
 * const patch: IntegrationInput = { status: 'paused' };
 */
export interface IntegrationInput {
  name?: string | undefined;
  purpose?: string | undefined;
  scopes?: Scope[] | undefined;
  apis?: string[] | undefined;
  events?: string[] | undefined;
  status?: 'active' | 'paused' | 'deprecated' | undefined;
  owner?: string | undefined;
  justification?: string | undefined;
  dataScope?: string | undefined;
  risk?: { level: RiskLevel; notes?: string | undefined } | undefined;
  /** `YYYY-MM-DD`. */
  reviewDate?: string | undefined;
}

type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

/** The governance columns of an input (only those it sets). */
function governanceColumns(input: IntegrationInput) {
  return {
    ...(input.justification !== undefined ? { justification: input.justification } : {}),
    ...(input.dataScope !== undefined ? { data_scope: input.dataScope } : {}),
    ...(input.risk !== undefined
      ? { risk_level: input.risk.level, risk_notes: input.risk.notes ?? null }
      : {}),
    ...(input.reviewDate !== undefined ? { review_date: input.reviewDate } : {}),
  };
}

/**
 * The public view of an integration row.
 *
 * @example
 * toIntegration(row).status; // 'active'
 */
export function toIntegration(row: Row<'integrations'>): Integration {
  return {
    id: row.id as `int_${string}`,
    name: row.name,
    purpose: row.purpose,
    scopes: row.scopes as Scope[],
    apis: row.apis,
    events: row.events,
    status: row.status,
    owner: row.owner,
    justification: row.justification,
    dataScope: row.data_scope,
    risk: row.risk_level ? { level: row.risk_level, notes: row.risk_notes } : null,
    reviewDate: row.review_date,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * An integration row of the tenant, or 404.
 *
 * @example
 * await requireIntegration(db, tenantId, 'int_…');
 */
export async function requireIntegration(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'integrations'>> {
  return requireOwned(db, 'integrations', tenantId, id, options);
}

/**
 * Registers an integration.
 *
 * @example
 * await registerIntegration(trx, change, { name: 'Lab', purpose: 'Results', scopes: [], apis: [], events: [] });
 */
export async function registerIntegration(
  db: Kysely<DB>,
  change: ChangeContext,
  input: IntegrationInput & {
    name: string;
    purpose: string;
    scopes: Scope[];
    apis: string[];
    events: string[];
  },
): Promise<Integration> {
  const row: Row<'integrations'> = {
    id: newId('int'),
    tenant_id: change.tenantId,
    name: input.name,
    purpose: input.purpose,
    scopes: input.scopes,
    apis: input.apis,
    events: input.events,
    status: input.status ?? 'active',
    owner: input.owner ?? null,
    justification: null,
    data_scope: null,
    risk_level: null,
    risk_notes: null,
    review_date: null,
    review_alerted_for: null,
    ...governanceColumns(input),
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'integrations', {
    ...row,
    scopes: JSON.stringify(row.scopes),
    apis: JSON.stringify(row.apis),
    events: JSON.stringify(row.events),
  });
  await auditChange(db, change, 'integration.created', 'integration', row.id, {
    status: row.status,
  });
  return toIntegration(row);
}

/**
 * Updates an integration (pause, deprecate, change what it uses).
 *
 * @example
 * await updateIntegration(trx, change, 'int_…', { status: 'paused' });
 */
export async function updateIntegration(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  patch: IntegrationInput,
): Promise<Integration> {
  const row = await requireIntegration(db, change.tenantId, id, { lock: true });
  const next: Row<'integrations'> = {
    ...row,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.purpose !== undefined ? { purpose: patch.purpose } : {}),
    ...(patch.scopes !== undefined ? { scopes: patch.scopes } : {}),
    ...(patch.apis !== undefined ? { apis: patch.apis } : {}),
    ...(patch.events !== undefined ? { events: patch.events } : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.owner !== undefined ? { owner: patch.owner } : {}),
    ...governanceColumns(patch),
    updated_at: change.now,
  };
  await updateOwned(db, 'integrations', change.tenantId, id, {
    name: next.name,
    purpose: next.purpose,
    scopes: JSON.stringify(next.scopes),
    apis: JSON.stringify(next.apis),
    events: JSON.stringify(next.events),
    status: next.status,
    owner: next.owner,
    ...governanceColumns(patch),
    updated_at: next.updated_at,
  });
  await auditChange(db, change, 'integration.updated', 'integration', id, {
    fields: Object.keys(patch),
    status: next.status,
  });
  return toIntegration(next);
}

/**
 * Lists integrations, optionally by status.
 *
 * @example
 * await listIntegrations(db, tenantId, { status: 'active' });
 */
export function listIntegrations(
  db: Kysely<DB>,
  tenantId: string,
  query: { limit?: number | undefined; cursor?: string | undefined; status?: string | undefined },
) {
  return listPage(
    db,
    'integrations',
    tenantId,
    query,
    [query.status !== undefined && ['status', '=', query.status]],
    toIntegration,
  );
}
