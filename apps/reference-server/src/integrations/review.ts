/**
 * Review reminders: an integration whose review date is within
 * `INTEGRATION_REVIEW_ALERT_DAYS` (or past) raises one operator alert
 * (`integration_review_due`). The row remembers the review date the alert
 * was raised for, claimed by one conditional UPDATE in the alert's
 * transaction, so repeated runs and several processes raise it once; a
 * new review date arms it again.
 */
import { type Kysely, sql } from 'kysely';
import * as z from 'zod';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';
import type { BusJob } from '../scheduler/dispatcher.ts';

/**
 * The `INTEGRATION_*` variables.
 *
 * @example
 * readSection(config, integrationsConfig).INTEGRATION_REVIEW_ALERT_DAYS; // 14
 */
export const integrationsConfig = z.object({
  /** Days before an integration's review date when its review-due alert is raised. */
  INTEGRATION_REVIEW_ALERT_DAYS: z.coerce.number().int().min(0).max(365).default(14),
});

/** Integrations alerted per run, so one run stays short. */
const BATCH = 100;

/**
 * Raises the review-due alerts of integrations whose review date is at most
 * `days` after `now` (UTC dates) and not yet alerted for; resolves to how many.
 *
 * @example
 * await raiseReviewAlerts(db, new Date(), 14);
 */
export async function raiseReviewAlerts(db: Kysely<DB>, now: Date, days: number): Promise<number> {
  const horizon = new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      id: string;
      tenant_id: string;
      name: string;
      review_date: string;
    }>`
      update integrations set review_alerted_for = review_date
      where id in (
        select id from integrations
        where review_date is not null and review_date <= ${horizon}::date
          and (review_alerted_for is null or review_alerted_for <> review_date)
        order by review_date
        limit ${BATCH}
        for update skip locked)
      returning id, tenant_id, name, review_date::text as review_date`.execute(trx);
    for (const row of rows) {
      await raiseAlert(trx, {
        tenantId: row.tenant_id,
        kind: 'integration_review_due',
        message: `Integration "${row.name}" is due for review on ${row.review_date}.`,
        details: { integrationId: row.id, reviewDate: row.review_date },
        now,
      });
    }
    return rows.length;
  });
}

/**
 * The review-reminder job for the scheduler.
 *
 * @example
 * const jobs = [integrationReviewJob(db, 14)];
 */
export function integrationReviewJob(db: Kysely<DB>, days: number): BusJob {
  return (now) => raiseReviewAlerts(db, now, days);
}
