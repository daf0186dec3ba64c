/**
 * Attribution back from HubSpot: its webhook (`/webhooks/hubspot`,
 * verified in ../inbound) is a batch of `contact.propertyChange` events.
 * A change of one of the attribution properties of a contact the platform
 * synced from a lead (found through `crm_links`) updates that lead's
 * source, campaign or agent, with an audit row holding the property, the
 * old and the new value. Nothing else a marketer changes comes back:
 * every other property and event type is ignored, so no clinical or
 * contact data enters the platform this way.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recordAudit } from '../kernel/change.ts';

/** Events read from one delivery; HubSpot sends at most 100. */
const MAX_EVENTS = 100;

/**
 * HubSpot contact property → the lead's attribution column, with its longest value.
 *
 * @example
 * ATTRIBUTION_PROPERTIES.hs_analytics_source; // { column: 'source', max: 100 }
 */
export const ATTRIBUTION_PROPERTIES = {
  hs_analytics_source: { column: 'source', max: 100 },
  hs_analytics_source_data_2: { column: 'campaign', max: 200 },
  clinicbridge_agent_ref: { column: 'agent_ref', max: 100 },
} as const;

type AttributionProperty = keyof typeof ATTRIBUTION_PROPERTIES;

interface PropertyChange {
  objectId: string;
  property: AttributionProperty;
  value: string | null;
  eventId: string | null;
}

function readChange(event: unknown): PropertyChange | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const e = event as Record<string, unknown>;
  if (e.subscriptionType !== 'contact.propertyChange') return undefined;
  const property = e.propertyName;
  if (typeof property !== 'string' || !Object.hasOwn(ATTRIBUTION_PROPERTIES, property))
    return undefined;
  const objectId =
    typeof e.objectId === 'number' || typeof e.objectId === 'string' ? String(e.objectId) : '';
  if (!/^\d{1,30}$/.test(objectId)) return undefined;
  const { max } = ATTRIBUTION_PROPERTIES[property as AttributionProperty];
  const raw = typeof e.propertyValue === 'string' ? e.propertyValue.trim() : '';
  if (raw.length > max) return undefined;
  const eventId =
    typeof e.eventId === 'number' || typeof e.eventId === 'string'
      ? String(e.eventId).slice(0, 40)
      : null;
  return { objectId, property: property as AttributionProperty, value: raw || null, eventId };
}

async function applyChange(trx: Kysely<DB>, change: PropertyChange, now: Date): Promise<number> {
  const links = await trx
    .selectFrom('crm_links')
    .select(['tenant_id', 'subject_ref'])
    .where('object_type', '=', 'contacts')
    .where('crm_record_id', '=', change.objectId)
    .where('subject_type', '=', 'lead')
    .execute();
  const { column } = ATTRIBUTION_PROPERTIES[change.property];
  // A lead always has a source: an emptied source in HubSpot leaves it as it is.
  if (column === 'source' && change.value === null) return 0;
  let applied = 0;
  for (const link of links) {
    const lead = await trx
      .selectFrom('leads')
      .select(['id', 'source', 'campaign', 'agent_ref'])
      .where('tenant_id', '=', link.tenant_id)
      .where('id', '=', link.subject_ref)
      .forUpdate()
      .executeTakeFirst();
    if (!lead || lead[column] === change.value) continue;
    await trx
      .updateTable('leads')
      .set(
        column === 'source'
          ? { source: change.value ?? lead.source }
          : column === 'campaign'
            ? { campaign: change.value }
            : { agent_ref: change.value },
      )
      .where('tenant_id', '=', link.tenant_id)
      .where('id', '=', lead.id)
      .execute();
    await recordAudit(trx, {
      tenantId: link.tenant_id,
      actor: { type: 'system', id: 'hubspot' },
      action: 'lead.attribution_updated',
      entityType: 'lead',
      entityId: lead.id,
      metadata: {
        field: column === 'agent_ref' ? 'agentRef' : column,
        from: lead[column],
        to: change.value,
        crmRecordId: change.objectId,
        hubspotEventId: change.eventId,
      },
      occurredAt: now,
    });
    applied += 1;
  }
  return applied;
}

/**
 * The inbound handler of `/webhooks/hubspot`; resolves to what it did.
 *
 * @example
 * const reason = await handleHubSpotWebhook(trx, payload, new Date());
 */
export async function handleHubSpotWebhook(
  trx: Kysely<DB>,
  payload: unknown,
  now: Date,
): Promise<string> {
  const events = Array.isArray(payload) ? payload.slice(0, MAX_EVENTS) : [];
  let applied = 0;
  let ignored = 0;
  for (const event of events) {
    const change = readChange(event);
    if (!change) {
      ignored += 1;
      continue;
    }
    applied += await applyChange(trx, change, now);
  }
  return `${applied} lead attribution change(s) applied, ${ignored} event(s) ignored`;
}
