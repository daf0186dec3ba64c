/**
 * The reconciliation feature: settlement reports of the configured payment
 * gateways matched to the ledger on demand (`reconciliationRuns.*`) and
 * daily, breaks listed and resolved (`reconciliationBreaks.*`, and the
 * operator page `/ops/reconciliation`). docs/money.md describes the kinds of break.
 */
import { type AppContext, type Feature, readSection } from '../feature.ts';
import { reconciliationConfig } from './config.ts';
import { reconciliationHandlers } from './handlers.ts';
import { reconciliationMigrations } from './migrations.ts';
import { mountReconciliationOpsRoutes } from './ops.ts';
import { dailyReconciliationJob } from './schedule.ts';
import type { Gateways } from './service.ts';

const gatewaysOf = (context: AppContext): Gateways => ({ ...context.providers.payments });
const policyOf = (context: AppContext) => ({
  maxFeeBps: readSection(context.config, reconciliationConfig).RECONCILIATION_MAX_FEE_BPS,
});

/**
 * The reconciliation feature (needs the money feature's tables).
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, moneyFeature, reconciliationFeature];
 */
export const reconciliationFeature: Feature = {
  name: 'reconciliation',
  tables: ['reconciliation_runs', 'reconciliation_breaks'],
  migrations: reconciliationMigrations,
  config: reconciliationConfig,
  handlers: (context) =>
    reconciliationHandlers(() => ({ gateways: gatewaysOf(context), policy: policyOf(context) })),
  routes: mountReconciliationOpsRoutes,
  jobs: (context) =>
    readSection(context.config, reconciliationConfig).RECONCILIATION_DAILY
      ? [dailyReconciliationJob(context.db, gatewaysOf(context), policyOf(context), context.logger)]
      : [],
};
