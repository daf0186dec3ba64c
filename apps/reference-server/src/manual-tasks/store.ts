/**
 * Manual tasks in the database: the `ManualTaskSink` of
 * `@clinicbridge/adapters` that the server hands to its adapters, so work a
 * provider could not do (breaker open, retries spent) lands on the `/ops`
 * page for a human, survives restarts, and is recorded once per task id
 * (an adapter's retry of `record` does not duplicate it).
 */
import { type ManualTask, ManualTaskSchema, type ManualTaskSink } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DB } from '../db/schema.ts';

/**
 * One stored manual task.
 *
 * @example
 * await db.selectFrom('manual_tasks').selectAll().where('done_at', 'is', null).execute();
 */
export interface ManualTasksTable {
  id: string;
  kind: ManualTask['kind'];
  provider: string;
  operation: string;
  /** Opaque id of what the task is about (never a name or contact detail). */
  subject_ref: string;
  summary: string;
  reason: string;
  correlation_id: string | null;
  created_at: Date;
  done_at: Date | null;
  done_by: string | null;
  /** The operator who took the task; null while nobody has. */
  assigned_to: string | null;
  /** When it was last taken or handed back. */
  assigned_at: Date | null;
}

declare module '../db/schema.ts' {
  interface DB {
    manual_tasks: ManualTasksTable;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

/**
 * The `manual_tasks` table, spread into the server's migration list.
 *
 * @example
 * const migrations = { '0001-core': coreMigration, ...operatorMigrations };
 */
export const operatorMigrations: Record<string, Migration> = {
  '0140-operator-manual-tasks': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('manual_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('subject_ref', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('correlation_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('done_at', 'timestamptz')
        .addColumn('done_by', 'text')
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('manual_tasks').ifExists().execute();
    },
  },
  '0141-manual-tasks-assignment': {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('manual_tasks')
        .addColumn('assigned_to', 'text')
        .addColumn('assigned_at', 'timestamptz')
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema
        .alterTable('manual_tasks')
        .dropColumn('assigned_to')
        .dropColumn('assigned_at')
        .execute();
    },
  },
};

/**
 * A `ManualTaskSink` writing to `manual_tasks`. `details` are not stored:
 * they are free-form and the page shows ids, kinds, reasons and times only.
 *
 * @example
 * const sink = new DatabaseManualTaskSink(db);
 * const gateway = createFlightSearch({ ..., sink });
 */
export class DatabaseManualTaskSink implements ManualTaskSink {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async record(task: ManualTask): Promise<void> {
    const valid = ManualTaskSchema.parse(task);
    await this.#db
      .insertInto('manual_tasks')
      .values({
        id: valid.id,
        kind: valid.kind,
        provider: valid.provider,
        operation: valid.operation,
        subject_ref: valid.subjectRef,
        summary: valid.summary,
        reason: valid.reason,
        correlation_id: valid.correlationId ?? null,
        created_at: new Date(valid.createdAt),
        done_at: null,
        done_by: null,
        assigned_to: null,
        assigned_at: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

/**
 * An open manual task as the page shows it.
 *
 * @example
 * const row: ManualTaskRow = { id: 'mt_…', kind: 'travel', provider: 'amadeus', operation: 'flights.search', subjectRef: 'trip_42', summary: 'Find flights', reason: 'circuit_open', createdAt: '…' };
 */
export interface ManualTaskRow {
  id: string;
  kind: string;
  provider: string;
  operation: string;
  subjectRef: string;
  summary: string;
  reason: string;
  createdAt: string;
  /** Who took it, or null. */
  assignedTo: string | null;
}

/**
 * Open manual tasks, oldest first (the longest waiting on top).
 *
 * @example
 * const open = await listOpenManualTasks(db);
 */
export async function listOpenManualTasks(db: Kysely<DB>, limit = 100): Promise<ManualTaskRow[]> {
  const rows = await db
    .selectFrom('manual_tasks')
    .selectAll()
    .where('done_at', 'is', null)
    .orderBy('created_at', 'asc')
    .limit(Math.min(limit, 1_000))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    provider: r.provider,
    operation: r.operation,
    subjectRef: r.subject_ref,
    summary: r.summary,
    reason: r.reason,
    createdAt: r.created_at.toISOString(),
    assignedTo: r.assigned_to,
  }));
}

/**
 * Marks an open manual task done by `operator`; false when it was not open.
 *
 * @example
 * await completeManualTask(db, 'mt_…', 'ops', new Date());
 */
export async function completeManualTask(
  db: Kysely<DB>,
  id: string,
  operator: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('manual_tasks')
    .set({ done_at: now, done_by: operator })
    .where('id', '=', id)
    .where('done_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Gives an open task to `operator`, or back to nobody with `null`; false
 * when the task is not open or already in that hand.
 *
 * @example
 * await assignManualTask(db, 'mt_…', 'ops', new Date()); // take it
 * await assignManualTask(db, 'mt_…', null, new Date()); // hand it back
 */
export async function assignManualTask(
  db: Kysely<DB>,
  id: string,
  operator: string | null,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('manual_tasks')
    .set({ assigned_to: operator, assigned_at: now })
    .where('id', '=', id)
    .where('done_at', 'is', null)
    .where((eb) =>
      operator === null
        ? eb('assigned_to', 'is not', null)
        : eb.or([eb('assigned_to', 'is', null), eb('assigned_to', '!=', operator)]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
