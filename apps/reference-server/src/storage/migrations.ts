/**
 * The storage feature's migrations: `storage_objects` and the triggers that
 * make retention a rule of the database: a retained row cannot be deleted,
 * truncated away, or have its retention shortened or its content changed.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

/**
 * Migrations of the storage feature.
 *
 * @example
 * const migrations = { ...storageMigrations };
 */
export const storageMigrations: Record<string, Migration> = {
  '0130-storage-objects': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('storage_objects')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text')
        .addColumn('retain_until', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('storage_objects_tenant')
        .on('storage_objects')
        .columns(['tenant_id', 'purpose', 'created_at'])
        .execute();
      await sql`
        create function storage_objects_guard() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' then
            if old.retain_until is not null and old.retain_until > now() then
              raise exception 'storage object is retained until %', old.retain_until
                using errcode = '55000';
            end if;
            return old;
          end if;
          if new.key <> old.key or new.tenant_id <> old.tenant_id or new.sha256 <> old.sha256
             or new.size <> old.size then
            raise exception 'a stored object is immutable; store a new key' using errcode = '55000';
          end if;
          if old.retain_until is not null
             and (new.retain_until is null or new.retain_until < old.retain_until) then
            raise exception 'retention can only be extended' using errcode = '55000';
          end if;
          return new;
        end $$`.execute(db);
      await sql`
        create trigger storage_objects_guard before update or delete on storage_objects
        for each row execute function storage_objects_guard()`.execute(db);
      await sql`
        create function storage_objects_no_truncate() returns trigger language plpgsql as $$
        begin
          if exists (select 1 from storage_objects where retain_until > now()) then
            raise exception 'storage objects under retention cannot be truncated' using errcode = '55000';
          end if;
          return null;
        end $$`.execute(db);
      await sql`
        create trigger storage_objects_no_truncate before truncate on storage_objects
        for each statement execute function storage_objects_no_truncate()`.execute(db);
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('storage_objects').ifExists().execute();
      await sql`drop function if exists storage_objects_guard()`.execute(db);
      await sql`drop function if exists storage_objects_no_truncate()`.execute(db);
    },
  },
};
