/**
 * The operator's audit trail: one append-only row for every action taken
 * on the `/ops` pages — who, what, on which item, with what outcome. The
 * tenant audit log (`audit_events`) needs a tenant, and much of what an
 * operator touches has none (an inbound webhook, a manual task, a
 * platform alert), so the console keeps its own trail; actions on a
 * tenant's data are also written to that tenant's audit log by the
 * services that perform them. Each row names the staff member by subject
 * (`operator`), with their display name and role at the time.
 */
import { newId } from '@clinicbridge/sdk/contract';
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DB } from '../db/schema.ts';
import type { Staff, StaffRole } from './identity/staff.ts';

/**
 * A row of `operator_actions`.
 *
 * @example
 * await db.selectFrom('operator_actions').selectAll().orderBy('occurred_at', 'desc').limit(20).execute();
 */
export interface OperatorActionsTable {
  id: string;
  operator: string;
  /** `<item>.<verb>`, e.g. `dead_letter.replay`. */
  action: string;
  entity_id: string;
  tenant_id: string | null;
  /** What came of it: a notice key such as `replayed`, `unchanged`, `endpoint_disabled`. */
  outcome: string;
  request_id: string | null;
  occurred_at: Date;
  /** The staff member's role when they acted (null on rows from before roles). */
  staff_role: StaffRole | null;
  /** The staff member's display name when they acted. */
  staff_name: string | null;
}

declare module '../db/schema.ts' {
  interface DB {
    operator_actions: OperatorActionsTable;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

/**
 * The `operator_actions` table, append-only by trigger like `audit_events`.
 *
 * @example
 * const features: Feature[] = [{ name: 'console', migrations: operatorActionMigrations }];
 */
export const operatorActionMigrations: Record<string, Migration> = {
  '0145-console-operator-actions': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('operator_actions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('operator', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('operator_actions_time_idx')
        .on('operator_actions')
        .columns(['occurred_at', 'id'])
        .execute();
      // Same guard as audit_events: an audit trail nobody can rewrite.
      await sql`
        create trigger operator_actions_no_update_delete before update or delete on operator_actions
        for each row execute function audit_events_append_only()`.execute(db);
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('operator_actions').ifExists().execute();
    },
  },
  '0147-console-operator-staff-role': {
    async up(db: AnyDb) {
      await db.schema.alterTable('operator_actions').addColumn('staff_role', 'text').execute();
      await db.schema.alterTable('operator_actions').addColumn('staff_name', 'text').execute();
    },
    async down(db: AnyDb) {
      await db.schema.alterTable('operator_actions').dropColumn('staff_name').execute();
      await db.schema.alterTable('operator_actions').dropColumn('staff_role').execute();
    },
  },
};

/**
 * One operator action as recorded.
 *
 * @example
 * await recordOperatorAction(db, { operator: 'ops', action: 'alert.resolve', entityId: 'alr_…', tenantId: null, outcome: 'resolved', requestId, now });
 */
export interface OperatorAction {
  /** The signed-in staff member (`c.get('staff')`); a bare name only where no staff is known. */
  operator: Staff | string;
  action: string;
  entityId: string;
  tenantId: string | null;
  outcome: string;
  requestId: string | null;
  now: Date;
}

/**
 * Appends an operator action to the trail.
 *
 * @example
 * await recordOperatorAction(db, { operator: 'ops', action: 'manual_task.done', entityId: 'mt_…', tenantId: null, outcome: 'done', requestId: null, now: new Date() });
 */
export async function recordOperatorAction(db: Kysely<DB>, action: OperatorAction): Promise<void> {
  const staff = typeof action.operator === 'string' ? null : action.operator;
  await db
    .insertInto('operator_actions')
    .values({
      id: newId('aud'),
      operator: staff ? staff.subject : (action.operator as string),
      staff_role: staff?.role ?? null,
      staff_name: staff ? staff.name.slice(0, 300) : null,
      action: action.action,
      // Ids come from the URL: bound them so a hostile path cannot bloat the trail.
      entity_id: action.entityId.slice(0, 100),
      tenant_id: action.tenantId,
      outcome: action.outcome,
      request_id: action.requestId,
      occurred_at: action.now,
    })
    .execute();
}

/**
 * A recorded operator action as the page shows it.
 *
 * @example
 * const row: OperatorActionRow = { operator: 'ops', staffRole: 'manager', action: 'alert.resolve', entityId: 'alr_…', tenantId: null, outcome: 'resolved', occurredAt: '…' };
 */
export interface OperatorActionRow {
  operator: string;
  /** The role they acted with (null on rows from before roles). */
  staffRole: string | null;
  action: string;
  entityId: string;
  tenantId: string | null;
  outcome: string;
  occurredAt: string;
}

/**
 * The latest operator actions, newest first.
 *
 * @example
 * const recent = await listRecentOperatorActions(db, 20);
 */
export async function listRecentOperatorActions(
  db: Kysely<DB>,
  limit = 20,
): Promise<OperatorActionRow[]> {
  const rows = await db
    .selectFrom('operator_actions')
    .select([
      'operator',
      'staff_role',
      'action',
      'entity_id',
      'tenant_id',
      'outcome',
      'occurred_at',
    ])
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(limit, 200))
    .execute();
  return rows.map((r) => ({
    operator: r.operator,
    staffRole: r.staff_role,
    action: r.action,
    entityId: r.entity_id,
    tenantId: r.tenant_id,
    outcome: r.outcome,
    occurredAt: r.occurred_at.toISOString(),
  }));
}
