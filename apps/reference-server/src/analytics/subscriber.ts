/**
 * Analytics export subscriber: a pseudonymised copy of every event in
 * `analytics_events`, built by the one pseudonymiser (`pseudonymiser.ts`):
 * ids become per-tenant keyed pseudonyms (stable within a tenant, so
 * journeys join, different across tenants, not reversible without the
 * key); only non-identifying, non-clinical values survive. No PII leaves
 * through this table.
 */
import type { InternalSubscriber } from '../scheduler/subscriber.ts';
import type { Pseudonymiser } from './pseudonymiser.ts';

/**
 * Creates the analytics subscriber.
 *
 * @example
 * const analytics = analyticsSubscriber({ pseudonymiser: createPseudonymiser(secret) });
 */
export function analyticsSubscriber(options: { pseudonymiser: Pseudonymiser }): InternalSubscriber {
  const { pseudonymiser } = options;
  return {
    name: 'analytics',
    eventTypes: ['*'],
    async handle(trx, event) {
      const { refs, attributes } = pseudonymiser.scrub(event.tenantId, event.data);
      await trx
        .insertInto('analytics_events')
        .values({
          event_id: pseudonymiser.pseudonym(event.tenantId, event.id),
          tenant_ref: pseudonymiser.pseudonym(event.tenantId, event.tenantId),
          type: event.type,
          occurred_at: new Date(event.occurredAt),
          data: JSON.stringify({ ...refs, ...attributes }),
        })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    },
  };
}
