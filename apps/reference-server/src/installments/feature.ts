/**
 * The installments feature: an invoice paid in scheduled parts
 * (`installmentPlans.*`) and the job that raises `installment.overdue` once
 * per part whose due date passed before payments covered it.
 */
import type { Feature } from '../feature.ts';
import { installmentHandlers } from './handlers.ts';
import { installmentMigrations } from './migrations.ts';
import { installmentOverdueJob } from './overdue.ts';

/**
 * The installments feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, installmentsFeature];
 */
export const installmentsFeature: Feature = {
  name: 'installments',
  tables: ['installment_plans', 'installment_parts'],
  migrations: installmentMigrations,
  handlers: installmentHandlers,
  jobs: (context) => [installmentOverdueJob(context.db, context.logger)],
};
