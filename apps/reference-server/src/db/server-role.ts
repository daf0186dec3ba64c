/**
 * Two database roles on PostgreSQL: the migration role (MIGRATION_DATABASE_URL)
 * owns the schema — tables, triggers, trigger functions — and the role the
 * server runs as (DATABASE_URL) gets only the rows it works with. Owning an
 * object is what lets a role ALTER or DROP it, disable its triggers or
 * replace its functions, so the server's role owns nothing: a stolen server
 * connection cannot switch the audit log's or the ledger's append-only
 * triggers off, and cannot UPDATE, DELETE or TRUNCATE those tables at all.
 *
 * The grants are rewritten after every migration run, in one transaction,
 * and default privileges cover tables created later by other means.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { type Database, openDatabase } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import type { DB } from './schema.ts';

// The migrator's bookkeeping: readable (readiness checks pending migrations), never writable.
const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock'];

/**
 * What {@link grantServerRole} did: `granted` is false when there was
 * nothing to separate (the server's role is the migration role) or nothing
 * to protect (the server's role is a superuser, which no grant binds).
 *
 * @example
 * const outcome: ServerRoleGrants = { role: 'clinicbridge_app', schema: 'public', granted: true };
 */
export interface ServerRoleGrants {
  role: string;
  schema: string;
  granted: boolean;
  /** Why nothing was granted. */
  reason?: 'same_role' | 'superuser';
}

/**
 * Gives `role` the least privileges the server needs in the connection's
 * current schema, run as the schema's owner: USAGE on the schema; SELECT,
 * INSERT, UPDATE, DELETE on every table but SELECT and INSERT only on the
 * `appendOnly` ones and SELECT only on the migrator's tables; USAGE and
 * SELECT on sequences; never TRUNCATE, REFERENCES or TRIGGER, and nothing
 * on the schema it could create objects with.
 *
 * @example
 * await grantServerRole(migrationDb, 'clinicbridge_app', ['audit_events', 'ledger_entries']);
 */
export async function grantServerRole(
  db: Kysely<DB>,
  role: string,
  appendOnly: readonly string[],
): Promise<ServerRoleGrants> {
  return db.transaction().execute(async (trx) => {
    // Servers starting together would GRANT on the same rows of the catalog at
    // once, which PostgreSQL fails ("tuple concurrently updated"): one at a time.
    await sql`select pg_advisory_xact_lock(hashtext('clinicbridge:grants:' || current_schema()))`.execute(
      trx,
    );
    const { rows } = await sql<{ schema: string; self: string; superuser: boolean | null }>`
      select current_schema() as schema, current_user as self,
        (select rolsuper from pg_roles where rolname = ${role}) as superuser`.execute(trx);
    const { schema, self, superuser } = rows[0] as {
      schema: string;
      self: string;
      superuser: boolean | null;
    };
    if (superuser === null) throw new Error(`the server's database role "${role}" does not exist`);
    if (role === self) return { role, schema, granted: false, reason: 'same_role' };
    if (superuser) return { role, schema, granted: false, reason: 'superuser' };

    const to = sql.id(role);
    const inSchema = sql.id(schema);
    const statements = [
      sql`grant usage on schema ${inSchema} to ${to}`,
      sql`revoke create on schema ${inSchema} from ${to}`,
      // Start from nothing, so a privilege granted by hand or by an older version does not linger.
      sql`revoke all on all tables in schema ${inSchema} from ${to}`,
      sql`revoke all on all sequences in schema ${inSchema} from ${to}`,
      sql`grant select, insert, update, delete on all tables in schema ${inSchema} to ${to}`,
      sql`grant usage, select on all sequences in schema ${inSchema} to ${to}`,
      sql`alter default privileges in schema ${inSchema} grant select, insert, update, delete on tables to ${to}`,
      sql`alter default privileges in schema ${inSchema} grant usage, select on sequences to ${to}`,
    ];
    for (const statement of statements) await statement.execute(trx);
    for (const table of await existingTables(trx, schema, [...appendOnly, ...MIGRATION_TABLES])) {
      const target = sql.id(schema, table);
      const keep = MIGRATION_TABLES.includes(table) ? 'insert, update, delete' : 'update, delete';
      await sql`revoke ${sql.raw(keep)} on table ${target} from ${to}`.execute(trx);
    }
    return { role, schema, granted: true };
  });
}

async function existingTables(
  db: Kysely<DB>,
  schema: string,
  names: readonly string[],
): Promise<string[]> {
  if (names.length === 0) return [];
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = ${schema} and table_name in (${sql.join(names)})`.execute(db);
  return rows.map((row) => row.name);
}

/**
 * What {@link migrateWithRoles} needs.
 *
 * @example
 * await migrateWithRoles({ server: database, migrationUrl, migrations, appendOnly });
 */
export interface MigrateWithRolesOptions {
  /** The server's own database (DATABASE_URL): its role receives the grants. */
  server: Database;
  /** MIGRATION_DATABASE_URL: the role that owns the schema. */
  migrationUrl: string;
  migrations: Record<string, Migration>;
  appendOnly: readonly string[];
}

/**
 * Runs the migrations over a short-lived connection as the migration role,
 * in the schema the server's connection uses, then grants the server's role
 * what it needs; the connection is closed before this returns.
 *
 * @example
 * const { applied, grants } = await migrateWithRoles({ server, migrationUrl, migrations, appendOnly });
 */
export async function migrateWithRoles(
  options: MigrateWithRolesOptions,
): Promise<{ applied: string[]; grants: ServerRoleGrants }> {
  const { rows } = await sql<{ role: string; schema: string }>`
    select current_user as role, current_schema() as schema`.execute(options.server.db);
  const { role, schema } = rows[0] as { role: string; schema: string };
  const migration = await openDatabase({
    url: options.migrationUrl,
    poolSize: 1,
    ...(schema === 'public' ? {} : { searchPath: schema }),
  });
  try {
    const applied = await migrateToLatest(migration.db, options.migrations);
    const grants = await grantServerRole(migration.db, role, options.appendOnly);
    return { applied, grants };
  } finally {
    await migration.close();
  }
}
