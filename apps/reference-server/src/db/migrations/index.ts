/**
 * Every migration of the server, in one static list (no directory scan, so
 * the list works the same from source, bundled, or in tests). Names sort in
 * the order they run: `NNNN-feature-what`. Features keep their migrations
 * beside their code and add them here.
 */
import type { Migration } from 'kysely/migration';
import { deliveryMigrations } from '../../delivery/migrations.ts';
import { inboundMigrations } from '../../inbound/migrations.ts';
import { operatorMigrations } from '../../manual-tasks/store.ts';
import { busMigrations } from '../../scheduler/migrations.ts';
import { coreMigration } from './0001-core.ts';

/**
 * Migrations by name. To add a feature's migrations, import its record and
 * spread it below, e.g. `...deliveryMigrations` from '../../delivery/migrations.ts'
 * (names such as `0100-delivery-endpoints` keep feature ranges apart).
 *
 * @example
 * Object.keys(migrations); // ['0001-core', …]
 */
export const migrations: Record<string, Migration> = {
  '0001-core': coreMigration,
  // Feature migrations (keep one line per feature):
  ...busMigrations,
  ...deliveryMigrations,
  ...inboundMigrations,
  ...operatorMigrations,
};
