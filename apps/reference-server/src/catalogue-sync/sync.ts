/**
 * One run of the national catalogue sync, for one schedule slot: asks the
 * source for its version marker and, when it moved since the last complete
 * sync (or there was none), reads every page of providers and packages,
 * merges them (./merge.ts) and stores the new marker, all in one
 * transaction with the `ushas.sync.completed` event and its counts. An
 * unchanged source costs one call and records the event with status
 * `unchanged`. A source that is down (retries spent, breaker open) or
 * refuses the credentials leaves a manual task on /ops instead; the next
 * slot tries again.
 */
import {
  type CataloguePage,
  type CataloguePageRequest,
  type CatalogueSource,
  type ManualTaskSink,
  withManualFallback,
} from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recordEvent } from '../kernel/outbox.ts';
import type { Logger } from '../observability/logger.ts';
import { callForTenant } from '../providers/audit.ts';
import { type CatalogueSnapshot, type MergeCounts, mergeCatalogue } from './merge.ts';

/** The event's and the records' name of the source. */
export const CATALOGUE_SOURCE_NAME = 'ushas';

/**
 * What a sync run needs.
 *
 * @example
 * const deps: CatalogueSyncDeps = { db, source, manualTasks, tenantId, language: 'en', pageSize: 200, maxPages: 500 };
 */
export interface CatalogueSyncDeps {
  db: Kysely<DB>;
  source: CatalogueSource;
  manualTasks: ManualTaskSink;
  tenantId: string;
  language: string;
  pageSize: number;
  maxPages: number;
  logger?: Logger;
}

/**
 * The outcome of a run, stored with its schedule slot.
 *
 * @example
 * if (result.status === 'manual') console.log(result.manualTaskId);
 */
export type CatalogueSyncResult =
  | ({ status: 'completed' | 'unchanged'; version: string } & MergeCounts)
  | { status: 'manual'; manualTaskId: string };

/** The catalogue has more pages than the configuration allows reading. */
export class CatalogueTooLargeError extends Error {
  override readonly name = 'CatalogueTooLargeError';
}

async function readAll<T>(
  list: (request: CataloguePageRequest) => Promise<CataloguePage<T>>,
  deps: CatalogueSyncDeps,
): Promise<{ items: T[]; rejected: number }> {
  const items: T[] = [];
  let rejected = 0;
  let cursor: string | undefined;
  for (let page = 0; page < deps.maxPages; page++) {
    const read = await list({ limit: deps.pageSize, ...(cursor ? { cursor } : {}) });
    items.push(...read.items);
    rejected += read.rejected.length;
    if (!read.nextCursor) return { items, rejected };
    cursor = read.nextCursor;
  }
  throw new CatalogueTooLargeError(
    `the catalogue has more than ${deps.maxPages} pages of ${deps.pageSize}; raise USHAS_SYNC_MAX_PAGES`,
  );
}

/** How many of the tenant's source records there are (the unchanged count of an unchanged source). */
async function knownRecords(db: Kysely<DB>, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('catalogue_sync_records')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('tenant_id', '=', tenantId)
    .where('source', '=', CATALOGUE_SOURCE_NAME)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * Runs the sync for `slot` (see the module header).
 *
 * @example
 * const result = await syncCatalogue(deps, new Date('2026-12-07T06:00:00Z'), new Date());
 */
export async function syncCatalogue(
  deps: CatalogueSyncDeps,
  slot: Date,
  now: Date,
): Promise<CatalogueSyncResult> {
  const { db, source, tenantId } = deps;
  const slotLabel = slot.toISOString();
  const read = await withManualFallback(
    {
      sink: deps.manualTasks,
      // Credentials refused or a broken source need a person as much as an outage does.
      shouldFallback: (error) => error.transient || error.code === 'auth_failed',
      now: () => now,
      task: {
        kind: 'catalogue',
        provider: source.provider,
        operation: 'catalogue.sync',
        subjectRef: `ushas-sync-${slotLabel.replace(/[:.]/g, '-')}`,
        summary: `The national catalogue (USHAŞ) could not be read for the ${slotLabel} sync: check the source and its credentials; the next scheduled sync retries, and prices may be stale until one succeeds.`,
        details: { slot: slotLabel, tenantRef: tenantId },
      },
    },
    () =>
      callForTenant(tenantId, async () => {
        const version = await source.version();
        const state = await db
          .selectFrom('catalogue_sync_state')
          .select('version')
          .where('tenant_id', '=', tenantId)
          .where('source', '=', CATALOGUE_SOURCE_NAME)
          .executeTakeFirst();
        if (state?.version === version.version) return { version: version.version };
        const providers = await readAll((r) => source.listProviders(r), deps);
        const packages = await readAll((r) => source.listPackages(r), deps);
        const snapshot: CatalogueSnapshot = {
          providers: providers.items,
          packages: packages.items,
          rejected: providers.rejected + packages.rejected,
        };
        return { version: version.version, snapshot };
      }),
    (task) => ({ manualTaskId: task.id }),
  );
  if ('manualTaskId' in read) {
    deps.logger?.warn(
      { slot: slotLabel, manualTaskId: read.manualTaskId },
      'catalogue sync left to the operators',
    );
    return { status: 'manual', manualTaskId: read.manualTaskId };
  }

  return db.transaction().execute(async (trx) => {
    const counts: MergeCounts = read.snapshot
      ? await mergeCatalogue(
          trx,
          { tenantId, source: CATALOGUE_SOURCE_NAME, language: deps.language, now },
          read.snapshot,
        )
      : { added: 0, updated: 0, unchanged: await knownRecords(trx, tenantId), rejected: 0 };
    const status = read.snapshot ? 'completed' : 'unchanged';
    if (read.snapshot) {
      await trx
        .insertInto('catalogue_sync_state')
        .values({
          tenant_id: tenantId,
          source: CATALOGUE_SOURCE_NAME,
          version: read.version,
          synced_at: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'source'])
            .doUpdateSet({ version: read.version, synced_at: now }),
        )
        .execute();
    }
    await recordEvent(trx, {
      tenantId,
      type: 'ushas.sync.completed',
      entityType: 'catalogue_sync',
      entityId: `${CATALOGUE_SOURCE_NAME}:${slotLabel}`,
      data: {
        source: CATALOGUE_SOURCE_NAME,
        slot: slotLabel,
        status,
        version: /^[A-Za-z0-9][A-Za-z0-9._:/+=#@-]{0,127}$/.test(read.version)
          ? read.version
          : null,
        ...counts,
      },
      occurredAt: now,
    });
    return { status, version: read.version, ...counts };
  });
}
