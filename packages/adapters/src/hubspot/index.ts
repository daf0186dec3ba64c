/**
 * @clinicbridge/adapters/hubspot — `CrmSync` on HubSpot's CRM v3 objects API
 * (private-app bearer token). Contacts are upserted by `email`, leads and
 * deals by the unique `clinicbridge_ref` property, each with
 * `POST /crm/v3/objects/{type}/batch/upsert`. Before a write the record's
 * `hs_lastmodifieddate` is read: a CRM copy changed after the platform's
 * `updatedAt` is kept (last writer wins). When HubSpot is unavailable the
 * write becomes a manual task.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions, segment } from '../core/adapter-options.ts';
import { bearerAuth } from '../core/auth.ts';
import { correlation } from '../core/call-keys.ts';
import { createProviderClient } from '../core/client.ts';
import { isProviderError, ProviderError } from '../core/errors.ts';
import { type ManualTaskSink, withManualFallback } from '../core/manual-tasks.ts';
import {
  type CaseStage,
  CaseStageChangeSchema,
  type CrmAttribution,
  type CrmCallMeta,
  CrmContactSchema,
  CrmDealSchema,
  CrmLeadSchema,
  type CrmSync,
  type CrmWriteResult,
  lastWriterWins,
} from '../ports/crm.ts';
import { parseInput } from '../ports/validate.ts';
import { mapHubSpotError } from './errors.ts';
import {
  contactProperties,
  dealProperties,
  HUBSPOT_REF_PROPERTY,
  leadProperties,
} from './properties.ts';

export { mapHubSpotError } from './errors.ts';
export {
  contactProperties,
  dealProperties,
  HUBSPOT_REF_PROPERTY,
  leadProperties,
} from './properties.ts';

/**
 * HubSpot settings.
 *
 * @example
 * const options: HubSpotOptions = { accessToken: process.env.HUBSPOT_TOKEN!, sink, dealStages: { booked: 'closedwon' } };
 */
export interface HubSpotOptions extends AdapterOptions {
  /** Private-app access token with `crm.objects.contacts/deals/leads` scopes. */
  accessToken: string;
  /** Where writes go when HubSpot is unavailable. */
  sink: ManualTaskSink;
  /** HubSpot `dealstage` id per case stage; a stage not listed is sent as its own name. */
  dealStages?: Partial<Record<CaseStage, string>>;
}

const HubSpotObject = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  updatedAt: z.string().optional(),
});

const UpsertResponse = z.object({
  status: z.string(),
  results: z.array(HubSpotObject).min(1),
});

type ObjectType = 'contacts' | 'leads' | 'deals';

const ATTRIBUTION_PROPERTIES = [
  'hs_analytics_source',
  'hs_analytics_source_data_1',
  'hs_analytics_source_data_2',
  'hs_analytics_first_timestamp',
];

/**
 * Creates the HubSpot CRM sync.
 *
 * @example
 * const crm = createHubSpotCrm({ accessToken: process.env.HUBSPOT_TOKEN!, sink });
 * const result = await crm.upsertContact({ externalRef: 'pat_1', email: 'a@example.com', marketingConsent: true, updatedAt: new Date().toISOString() });
 * if (result.status === 'kept') audit.record('crm.conflict', result);
 */
export function createHubSpotCrm(options: HubSpotOptions): CrmSync {
  const client = createProviderClient({
    provider: 'hubspot',
    baseUrl: options.baseUrl ?? 'https://api.hubapi.com',
    auth: bearerAuth(options.accessToken),
    mapError: mapHubSpotError,
    requestIdHeader: 'x-hubspot-correlation-id',
    ...pickAdapterOptions(options),
  });
  const stageId = (stage: CaseStage) => options.dealStages?.[stage] ?? stage;

  async function read(type: ObjectType, id: string, idProperty: string, properties: string[]) {
    try {
      return await client.json({
        operation: `crm.${type}.read`,
        path: `/crm/v3/objects/${type}/${segment(id)}`,
        searchParams: { idProperty, properties: properties.join(',') },
        schema: HubSpotObject,
      });
    } catch (error) {
      if (isProviderError(error) && error.code === 'not_found') return undefined;
      throw error;
    }
  }

  async function write(
    type: ObjectType,
    target: { id: string; idProperty: string; subjectRef: string },
    properties: Record<string, string>,
    updatedAt: string,
    meta: CrmCallMeta,
    mode: 'upsert' | 'patch' = 'upsert',
  ): Promise<CrmWriteResult> {
    const operation = `crm.${type}.${mode}`;
    return withManualFallback(
      {
        sink: options.sink,
        task: {
          kind: 'crm',
          provider: 'hubspot',
          operation,
          subjectRef: target.subjectRef,
          summary: `Sync ${type} ${target.subjectRef} to HubSpot by hand or replay it when HubSpot is back.`,
          details: { objectType: type, updatedAt, properties: Object.keys(properties).join(',') },
          ...correlation(meta),
        },
      },
      async (): Promise<CrmWriteResult> => {
        const current = await read(type, target.id, target.idProperty, ['hs_lastmodifieddate']);
        if (!current && mode === 'patch') {
          throw new ProviderError({ code: 'not_found', provider: 'hubspot', operation });
        }
        const crmUpdatedAt = current?.properties.hs_lastmodifieddate ?? current?.updatedAt;
        if (current && crmUpdatedAt && lastWriterWins(updatedAt, crmUpdatedAt) === 'crm') {
          return { status: 'kept', winner: 'crm', recordId: current.id, crmUpdatedAt };
        }
        const written =
          mode === 'patch'
            ? await client.json({
                operation,
                method: 'patch',
                path: `/crm/v3/objects/${type}/${segment(target.id)}`,
                searchParams: { idProperty: target.idProperty },
                json: { properties },
                schema: HubSpotObject,
                ...correlation(meta),
              })
            : (
                await client.json({
                  operation,
                  method: 'post',
                  path: `/crm/v3/objects/${type}/batch/upsert`,
                  json: { inputs: [{ idProperty: target.idProperty, id: target.id, properties }] },
                  schema: UpsertResponse,
                  // An upsert keyed by a unique property lands on one record however
                  // often it is repeated, so it is retried like a read.
                  readOnly: true,
                  ...correlation(meta),
                })
              ).results[0]!;
        return {
          status: 'applied',
          winner: 'platform',
          recordId: written.id,
          ...(crmUpdatedAt ? { crmUpdatedAt } : {}),
        };
      },
      (task) => ({ status: 'manual', manualTaskId: task.id }),
    );
  }

  return {
    provider: 'hubspot',
    async upsertContact(raw, meta = {}) {
      const contact = parseInput(CrmContactSchema, raw, 'hubspot', 'crm.contacts.upsert');
      return write(
        'contacts',
        { id: contact.email, idProperty: 'email', subjectRef: contact.externalRef },
        contactProperties(contact),
        contact.updatedAt,
        meta,
      );
    },
    async upsertLead(raw, meta = {}) {
      const lead = parseInput(CrmLeadSchema, raw, 'hubspot', 'crm.leads.upsert');
      return write(
        'leads',
        { id: lead.externalRef, idProperty: HUBSPOT_REF_PROPERTY, subjectRef: lead.externalRef },
        leadProperties(lead),
        lead.updatedAt,
        meta,
      );
    },
    async upsertDeal(raw, meta = {}) {
      const deal = parseInput(CrmDealSchema, raw, 'hubspot', 'crm.deals.upsert');
      return write(
        'deals',
        { id: deal.externalRef, idProperty: HUBSPOT_REF_PROPERTY, subjectRef: deal.externalRef },
        dealProperties(deal, stageId),
        deal.updatedAt,
        meta,
      );
    },
    async recordStageChange(raw, meta = {}) {
      const change = parseInput(CaseStageChangeSchema, raw, 'hubspot', 'crm.deals.patch');
      return write(
        'deals',
        {
          id: change.externalRef,
          idProperty: HUBSPOT_REF_PROPERTY,
          subjectRef: change.externalRef,
        },
        { dealstage: stageId(change.stage), clinicbridge_updated_at: change.changedAt },
        change.changedAt,
        meta,
        'patch',
      );
    },
    async readAttribution(raw): Promise<CrmAttribution> {
      const { email } = parseInput(
        z.object({ email: z.email() }),
        raw,
        'hubspot',
        'crm.attribution',
      );
      const contact = await read('contacts', email, 'email', ATTRIBUTION_PROPERTIES);
      if (!contact) return { found: false };
      const p = contact.properties;
      const attribution: CrmAttribution = { found: true };
      if (p.hs_analytics_source) attribution.source = p.hs_analytics_source;
      if (p.hs_analytics_source_data_1) attribution.sourceDetail = p.hs_analytics_source_data_1;
      if (p.hs_analytics_source_data_2) attribution.campaign = p.hs_analytics_source_data_2;
      if (p.hs_analytics_first_timestamp) attribution.firstSeenAt = p.hs_analytics_first_timestamp;
      return attribution;
    },
  };
}
