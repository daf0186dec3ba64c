/**
 * Operational endpoints: `/healthz` (the process answers), `/readyz` (the
 * database answers and every migration is applied) and `/metrics`
 * (Prometheus text format).
 */
import type { Hono } from 'hono';
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { pendingMigrations } from '../db/migrate.ts';
import type { DB } from '../db/schema.ts';
import type { AppEnv } from '../http/context.ts';
import type { Metrics } from './metrics.ts';

/**
 * Mounts `/healthz`, `/readyz` and `/metrics`.
 *
 * @example
 * mountOpsRoutes(app, { db, metrics, migrations: serverMigrations });
 */
export function mountOpsRoutes(
  app: Hono<AppEnv>,
  deps: { db: Kysely<DB>; metrics: Metrics; migrations: Record<string, Migration> },
) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    try {
      await sql`select 1`.execute(deps.db);
      const pending = await pendingMigrations(deps.db, deps.migrations);
      if (pending.length > 0) {
        return c.json({ status: 'not_ready', database: 'ok', pendingMigrations: pending }, 503);
      }
      return c.json({ status: 'ready', database: 'ok', pendingMigrations: [] });
    } catch {
      return c.json({ status: 'not_ready', database: 'unreachable' }, 503);
    }
  });

  app.get('/metrics', async (c) => {
    return c.body(await deps.metrics.registry.metrics(), 200, {
      'Content-Type': deps.metrics.registry.contentType,
    });
  });
}
