/**
 * The table of the tele-rooms feature: one video room per remote
 * appointment, with the invoice that must be paid before the patient joins.
 * At most one live room (open, in session or manual) per appointment.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('tele_rooms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('appointment_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('room_name', 'text')
    .addColumn('room_url', 'text')
    .addColumn('started_at', ts)
    .addColumn('ended_at', ts)
    .addColumn('failure_code', 'text')
    .addColumn('follow_up_due', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('tele_rooms_tenant_idx')
    .on('tele_rooms')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await sql`create unique index tele_rooms_live_appointment_idx on tele_rooms (tenant_id, appointment_id) where status in ('open', 'in_session', 'manual')`.execute(
    db,
  );
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('tele_rooms').ifExists().execute();
}

/**
 * The tele-rooms feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'tele-rooms', migrations: teleRoomsMigrations }];
 */
export const teleRoomsMigrations: Record<string, Migration> = {
  '0510-tele-rooms': { up, down },
};
