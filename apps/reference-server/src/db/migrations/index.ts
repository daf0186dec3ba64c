/**
 * The platform's migrations: the ones every server runs whatever its
 * features. `0001-core` holds the tables of the kernel (tenants,
 * credentials, idempotency, events, audit) and of the first API resources,
 * which predate per-feature migrations; `0100-bus` holds the scheduler's
 * queue and inbox and the tables of the first internal subscribers.
 * Migrations are frozen once released, so these keep their names and
 * content. Every later table comes with its feature's `migrations`
 * (see src/features.ts); names sort in the order they run: `NNNN-feature-what`.
 */
import type { Migration } from 'kysely/migration';
import { busMigrations } from '../../scheduler/migrations.ts';
import { coreMigration } from './0001-core.ts';

/**
 * The platform's migrations by name.
 *
 * @example
 * Object.keys(platformMigrations); // ['0001-core', '0100-bus']
 */
export const platformMigrations: Record<string, Migration> = {
  '0001-core': coreMigration,
  ...busMigrations,
};
