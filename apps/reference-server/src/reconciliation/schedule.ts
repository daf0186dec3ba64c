/**
 * The daily reconciliation: each tenant's previous UTC day is reconciled
 * against every configured gateway, once a day.
 * A scheduled run is unique per tenant, provider and period (unique index),
 * so several processes record it once; the loser's transaction rolls back.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../observability/logger.ts';
import type { BusJob } from '../scheduler/dispatcher.ts';
import type { FeePolicy } from './classify.ts';
import { type Gateways, readSettlement, recordRun } from './service.ts';

const DAY_MS = 86_400_000;

/**
 * Reconciles the previous UTC day for every tenant not in `done` and every
 * gateway not yet reconciled for it; adds the tenants it finished to `done`
 * and resolves to the runs made.
 *
 * @example
 * await reconcileYesterday(db, gateways, { maxFeeBps: 500 }, new Date(), new Set());
 */
export async function reconcileYesterday(
  db: Kysely<DB>,
  gateways: Gateways,
  policy: FeePolicy,
  now: Date,
  done: Set<string>,
  logger?: Logger,
): Promise<number> {
  const to = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const from = new Date(to.getTime() - DAY_MS);
  const tenants = await db.selectFrom('tenants').select('id').orderBy('id').execute();
  // One report per provider and pass, read only when some tenant still needs it.
  const reads = new Map<string, ReturnType<typeof readSettlement>>();
  let made = 0;
  for (const tenant of tenants) {
    if (done.has(tenant.id)) continue;
    for (const provider of Object.keys(gateways) as (keyof Gateways)[]) {
      const recorded = await db
        .selectFrom('reconciliation_runs')
        .select('id')
        .where('tenant_id', '=', tenant.id)
        .where('provider', '=', provider)
        .where('trigger', '=', 'schedule')
        .where('period_from', '=', from)
        .where('period_to', '=', to)
        .executeTakeFirst();
      if (recorded) continue;
      try {
        const request = { provider, from, to, trigger: 'schedule' as const };
        // The provider is read before the transaction, so no connection waits on it.
        if (!reads.has(provider)) reads.set(provider, readSettlement(gateways, request));
        const read = await (reads.get(provider) as ReturnType<typeof readSettlement>);
        await db.transaction().execute((trx) =>
          recordRun(
            trx,
            {
              tenantId: tenant.id,
              actor: { type: 'system', id: 'reconciliation' },
              requestId: null,
              now,
            },
            policy,
            request,
            read,
          ),
        );
        made++;
      } catch (error) {
        // Another process recorded the same run first (unique index), or the report could
        // not be read at all: the run can be made on demand (reconciliationRuns.create).
        logger?.warn(
          { err: error, tenantId: tenant.id, provider },
          'scheduled reconciliation not recorded',
        );
      }
    }
    done.add(tenant.id);
  }
  return made;
}

/**
 * The daily reconciliation job: each pass reconciles yesterday for the
 * tenants this process has not yet done today (one query when there are none).
 *
 * @example
 * const jobs = [dailyReconciliationJob(db, gateways, { maxFeeBps: 500 }, logger)];
 */
export function dailyReconciliationJob(
  db: Kysely<DB>,
  gateways: Gateways,
  policy: FeePolicy,
  logger: Logger,
): BusJob {
  let day = -1;
  let done = new Set<string>();
  return async (now) => {
    const today = Math.floor(now.getTime() / DAY_MS);
    if (today !== day) {
      day = today;
      done = new Set();
    }
    if (Object.keys(gateways).length === 0) return 0;
    return reconcileYesterday(db, gateways, policy, now, done, logger);
  };
}
