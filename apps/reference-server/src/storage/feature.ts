/**
 * The storage feature: the table of kept objects (with retention enforced
 * by the database) and the route serving the filesystem store's presigned
 * links. The store itself is built with the providers (src/providers/storage.ts).
 */
import type { Feature } from '../feature.ts';
import { storageMigrations } from './migrations.ts';
import { mountStorageRoutes } from './routes.ts';

/**
 * The storage feature.
 *
 * @example
 * const features: Feature[] = [storageFeature];
 */
export const storageFeature: Feature = {
  name: 'storage',
  tables: ['storage_objects'],
  migrations: storageMigrations,
  routes: (app, context) => mountStorageRoutes(app, context.providers.serveStorageLink),
};
