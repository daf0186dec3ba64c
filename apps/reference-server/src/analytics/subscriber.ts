/**
 * Analytics export subscriber: a pseudonymised copy of every event. Ids are
 * replaced by keyed HMAC pseudonyms (stable, so journeys can be joined, but
 * not reversible without the key); only fields on an allowlist of
 * non-identifying values survive; free text, names, URLs and references
 * are dropped. No PII leaves through this table.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { InternalSubscriber } from '../scheduler/subscriber.ts';

/** Fields kept as they are: statuses, kinds, amounts, dates. */
const keptFields = new Set([
  'status',
  'previousStatus',
  'channel',
  'kind',
  'country',
  'method',
  'amount',
  'total',
  'balance',
  'invoiceBalance',
  'amountDue',
  'installment',
  'onHand',
  'threshold',
  'startsAt',
  'endsAt',
  'completedAt',
  'dueDate',
  'checkIn',
  'checkOut',
  'departAt',
  'previousDepartAt',
  'errorCode',
]);

/**
 * Pseudonymises an event's data: `…Id` fields become HMAC pseudonyms,
 * allowlisted fields stay, everything else is dropped.
 *
 * @example
 * pseudonymise({ patientId: 'pat_…', status: 'booked', service: 'x' }, key); // { patientId: 'p_…', status: 'booked' }
 */
export function pseudonymise(data: Record<string, unknown>, key: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    if (field.endsWith('Id') && typeof value === 'string') out[field] = pseudonym(value, key);
    else if (keptFields.has(field)) out[field] = value;
  }
  return out;
}

function pseudonym(value: string, key: string): string {
  return `p_${createHmac('sha256', key).update(value).digest('hex').slice(0, 32)}`;
}

/**
 * Creates the analytics subscriber. Without a key, a random one is drawn
 * per process: pseudonyms then do not join across restarts, so production
 * sets one (`ANALYTICS_PSEUDONYM_KEY`).
 *
 * @example
 * const analytics = analyticsSubscriber({ key: process.env.ANALYTICS_PSEUDONYM_KEY });
 */
export function analyticsSubscriber(
  options: { key?: string | undefined } = {},
): InternalSubscriber {
  const key = options.key ?? randomBytes(32).toString('hex');
  return {
    name: 'analytics',
    eventTypes: ['*'],
    async handle(trx, event) {
      await trx
        .insertInto('analytics_events')
        .values({
          event_id: pseudonym(event.id, key),
          tenant_ref: pseudonym(event.tenantId, key),
          type: event.type,
          occurred_at: new Date(event.occurredAt),
          data: JSON.stringify(pseudonymise(event.data, key)),
        })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    },
  };
}
