/**
 * A change's audit row and outbox event written by one statement, and held
 * back to share the statement that stores an idempotent response (issue 16).
 *
 * `recordChange` (./record-change.ts) writes the audit row and the event of
 * a change in one data-modifying statement. Inside a write the pipeline runs
 * (http/operations.ts), the transaction *holds* its changes: the last change
 * recorded waits and is written by the statement that stores the idempotent
 * response (./idempotency.ts), or by the one the pipeline sends before
 * commit. Everything still happens inside the write's transaction, so a
 * held change commits exactly when the write does. Any other audit or event
 * write in that transaction (`recordAudit`, `recordEvent`, a second
 * `recordChange`) first writes the held change, so rows keep the order the
 * service recorded them in.
 *
 * Held changes are per transaction object; a transaction that never asked
 * to hold writes each change at once.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import {
  type AuditChainContent,
  appendAuditRowParameters,
  appendAuditRowSql,
} from './audit-chain.ts';

/**
 * An outbox event row, validated, ready to insert.
 *
 * @example
 * const event: EventRow = { id: 'evt_…', tenantId, type: 'visit.completed', entityType: 'visit', entityId, data: '{…}', occurredAt };
 */
export interface EventRow {
  id: string;
  tenantId: string;
  type: string;
  entityType: string;
  entityId: string;
  /** The event's data as JSON text. */
  data: string;
  occurredAt: Date;
}

/**
 * One change's rows: its audit row and, when partners hear of it, its event.
 *
 * @example
 * const change: ChangeRows = { audit, event: null };
 */
export interface ChangeRows {
  audit: Omit<AuditChainContent, 'chainSeq'>;
  event: EventRow | null;
}

interface Holder {
  held: ChangeRows | null;
}

const holders = new WeakMap<Kysely<DB>, Holder>();

/**
 * Makes `trx` hold its changes until {@link takeHeldChange} or
 * {@link writeHeldChange}; call first in the transaction.
 *
 * @example
 * await db.transaction().execute(async (trx) => { holdChanges(trx); … await writeHeldChange(trx); });
 */
export function holdChanges(trx: Kysely<DB>): void {
  holders.set(trx, { held: null });
}

/**
 * Records a change in `db`: held when `db` holds its changes (writing the
 * one held before it first), else written now in one statement.
 *
 * @example
 * await writeOrHoldChange(trx, { audit, event });
 */
export async function writeOrHoldChange(db: Kysely<DB>, change: ChangeRows): Promise<void> {
  const holder = holders.get(db);
  if (!holder) return writeChange(db, change);
  const before = holder.held;
  holder.held = change;
  if (before) await writeChange(db, before);
}

/**
 * Writes the change `trx` holds, if any. `recordAudit` and `recordEvent`
 * call it before their own rows.
 *
 * @example
 * await writeHeldChange(trx);
 */
export async function writeHeldChange(db: Kysely<DB>): Promise<void> {
  const holder = holders.get(db);
  if (!holder?.held) return;
  const held = holder.held;
  holder.held = null;
  await writeChange(db, held);
}

/**
 * Takes the change `trx` holds (and stops holding) for a statement that
 * writes it itself through {@link changeStatementParts}.
 *
 * @example
 * const held = takeHeldChange(trx);
 */
export function takeHeldChange(db: Kysely<DB>): ChangeRows | null {
  const holder = holders.get(db);
  if (!holder) return null;
  holders.delete(db);
  return holder.held;
}

const AUDIT_PARAMETERS = 11;
const texts = new Map<string, string>();

/**
 * The CTEs (`with …,` text ending in a comma, or empty) and parameters that
 * write `change` ahead of another statement whose own parameters come
 * first; the change's parameters start at `$first`. The text depends only
 * on the change's shape and `first`, so it is built once.
 *
 * @example
 * const { ctes, values } = changeStatementParts(change, 4);
 * await trx.executeQuery(CompiledQuery.raw(`${ctes} insert into … values ($1, $2, $3)`, [a, b, c, ...values]));
 */
export function changeStatementParts(
  change: ChangeRows | null,
  first: number,
): { ctes: string; values: unknown[] } {
  if (!change) return { ctes: '', values: [] };
  return { ctes: `with ${changeCtes(change, first)},`, values: changeParameters(change) };
}

/**
 * The CTEs `audit_row as (…)` and, with an event, `event_row as (…)`,
 * comma-separated, whose parameters start at `$first`; with `gate` (an SQL
 * condition) they write only when it holds. Built once per shape.
 *
 * @example
 * const text = `with written as (…), ${changeCtes(change, 9, 'exists (select 1 from written)')} select 1`;
 */
export function changeCtes(change: ChangeRows, first: number, gate?: string): string {
  const shape = `${change.event ? 'event' : 'audit'}:${first}:${gate ?? ''}`;
  let ctes = texts.get(shape);
  if (ctes === undefined) {
    const audit = `audit_row as (${appendAuditRowSql(first, gate)})`;
    const e = first + AUDIT_PARAMETERS;
    const columns =
      'insert into events (id, tenant_id, type, entity_type, entity_id, data, occurred_at)';
    const row = `$${e}, $${e + 1}, $${e + 2}, $${e + 3}, $${e + 4}, $${e + 5}::jsonb, $${e + 6}::timestamptz`;
    const event = `event_row as (${columns}
    ${gate ? `select ${row} where ${gate}` : `values (${row})`})`;
    ctes = change.event ? `${audit}, ${event}` : audit;
    texts.set(shape, ctes);
  }
  return ctes;
}

/**
 * The parameters of {@link changeCtes} for `change`, in order.
 *
 * @example
 * const values = [...ownValues, ...changeParameters(change)];
 */
export function changeParameters(change: ChangeRows): unknown[] {
  const values = appendAuditRowParameters(change.audit);
  const event = change.event;
  if (event) {
    values.push(
      event.id,
      event.tenantId,
      event.type,
      event.entityType,
      event.entityId,
      event.data,
      event.occurredAt,
    );
  }
  return values;
}

async function writeChange(db: Kysely<DB>, change: ChangeRows): Promise<void> {
  // One statement is atomic, and the chain lock it takes lasts until it commits.
  const { ctes, values } = changeStatementParts(change, 1);
  await db.executeQuery(CompiledQuery.raw(`${ctes.slice(0, -1)} select 1`, values));
}
