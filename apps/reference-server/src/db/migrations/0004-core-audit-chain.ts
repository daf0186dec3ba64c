/**
 * Hash-chains the audit log per tenant (issue #10, finding 16): adds
 * `chain_seq` and `hash` to `audit_events` and backfills them for the rows
 * already there, each tenant's rows in `(occurred_at, id)` order, with the
 * append-only trigger disabled for the backfill only (inside this
 * migration's transaction). The hash function is copied here, not imported:
 * migrations are frozen, and this one must keep producing the hashes the
 * chain was started with.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

const GENESIS = '0'.repeat(64);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface OldRow {
  id: string;
  tenant_id: string;
  actor_type: string;
  actor_id: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  request_id: string | null;
  metadata: unknown;
  occurred_at: Date;
}

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('audit_events')
    .addColumn('chain_seq', 'bigint')
    .addColumn('hash', 'text')
    .execute();
  await sql`alter table audit_events disable trigger audit_events_no_update_delete`.execute(db);
  const tenants = await db.selectFrom('audit_events').select('tenant_id').distinct().execute();
  for (const { tenant_id: tenantId } of tenants) {
    let previous = GENESIS;
    let seq = 0;
    let after: { occurred_at: Date; id: string } | undefined;
    for (;;) {
      let query = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
      const cursor = after;
      if (cursor) {
        query = query.where(({ eb, refTuple, tuple }) =>
          eb(refTuple('occurred_at', 'id'), '>', tuple(cursor.occurred_at, cursor.id)),
        );
      }
      const rows = (await query
        .orderBy('occurred_at')
        .orderBy('id')
        .limit(500)
        .execute()) as OldRow[];
      if (rows.length === 0) break;
      for (const row of rows) {
        seq += 1;
        const content = canonical([
          seq,
          row.id,
          row.tenant_id,
          row.actor_type,
          row.actor_id,
          row.action,
          row.entity_type,
          row.entity_id,
          row.request_id,
          new Date(row.occurred_at).toISOString(),
          row.metadata,
        ]);
        previous = createHash('sha256').update(previous).update(content).digest('hex');
        await db
          .updateTable('audit_events')
          .set({ chain_seq: seq, hash: previous })
          .where('id', '=', row.id)
          .execute();
      }
      const last = rows.at(-1);
      after = last ? { occurred_at: last.occurred_at, id: last.id } : undefined;
    }
  }
  await sql`alter table audit_events enable trigger audit_events_no_update_delete`.execute(db);
  await sql`alter table audit_events alter column chain_seq set not null`.execute(db);
  await sql`alter table audit_events alter column hash set not null`.execute(db);
  await db.schema
    .createIndex('audit_events_chain_idx')
    .unique()
    .on('audit_events')
    .columns(['tenant_id', 'chain_seq'])
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('audit_events_chain_idx').execute();
  await db.schema.alterTable('audit_events').dropColumn('chain_seq').dropColumn('hash').execute();
}

/**
 * The migration hash-chaining `audit_events`.
 *
 * @example
 * const migrations = { '0004-core-audit-chain': auditChainMigration };
 */
export const auditChainMigration: Migration = { up, down };
