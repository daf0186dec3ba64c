/**
 * Reporting subscriber: daily aggregates per tenant, event type and
 * currency (count and summed amount). It runs in the acknowledging
 * transaction, so a redelivered event can never be counted twice.
 */
import { sql } from 'kysely';
import type { InternalSubscriber } from '../scheduler/subscriber.ts';

function amountOf(data: Record<string, unknown>): { amount: number; currency: string } {
  const money = (data.amount ?? data.total) as { amount?: unknown; currency?: unknown } | undefined;
  if (money && typeof money.amount === 'number' && typeof money.currency === 'string') {
    return { amount: money.amount, currency: money.currency };
  }
  return { amount: 0, currency: '' };
}

/**
 * Creates the reporting subscriber.
 *
 * @example
 * const reporting = reportingSubscriber();
 */
export function reportingSubscriber(): InternalSubscriber {
  return {
    name: 'reporting',
    eventTypes: ['*'],
    async handle(trx, event) {
      const { amount, currency } = amountOf(event.data);
      const day = event.occurredAt.slice(0, 10);
      await sql`
        insert into report_daily (tenant_id, day, event_type, currency, event_count, amount)
        values (${event.tenantId}, ${day}, ${event.type}, ${currency}, 1, ${amount})
        on conflict (tenant_id, day, event_type, currency)
        do update set event_count = report_daily.event_count + 1, amount = report_daily.amount + excluded.amount`.execute(
        trx,
      );
    },
  };
}
