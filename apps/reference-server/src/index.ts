/**
 * The reference server as a library: build the app, run it, or open its
 * database from your own code (tests, custom entry points).
 *
 * @example
 * import { loadConfig, startServer } from '@clinicbridge/reference-server';
 * const server = await startServer({ config: loadConfig() });
 */
import { readFileSync } from 'node:fs';

export { type AppDeps, createApp } from './app.ts';
export { type CoreConfig, coreConfig, loadConfig } from './config/index.ts';
export { type Database, openDatabase } from './db/database.ts';
export { migrateToLatest } from './db/migrate.ts';
export { type AppContext, type Feature, readSection } from './feature.ts';
export { resourceFeatures, serverFeatures } from './features.ts';
export { defineHandlers, type OperationHandler } from './kernel/handlers.ts';
export { ApiError } from './kernel/problem.ts';
export { type RunningServer, startServer } from './server.ts';

/**
 * Version of the server: the one in its package.json (the server runs from
 * source, so it is read at load rather than put in by a build).
 *
 * @example
 * console.log(`clinicbridge-server ${VERSION}`);
 */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
