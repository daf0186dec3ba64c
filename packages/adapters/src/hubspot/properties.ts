/**
 * The exact HubSpot properties each port record becomes. This file is the
 * wire allow-list: a property not written here never reaches HubSpot.
 */
import { fromMinorUnits } from '../core/money.ts';
import type { CaseStage, CrmContact, CrmDeal, CrmLead } from '../ports/crm.ts';

/**
 * Property names of ClinicBridge's own HubSpot properties (created once in
 * the portal, `clinicbridge_ref` as a unique-value property on deals and leads).
 *
 * @example
 * HUBSPOT_REF_PROPERTY; // 'clinicbridge_ref'
 */
export const HUBSPOT_REF_PROPERTY = 'clinicbridge_ref';

const defined = (entries: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );

/**
 * Contact → HubSpot contact properties.
 *
 * @example
 * contactProperties(contact); // { email, firstname?, hs_language?, country?, lifecyclestage?, … }
 */
export function contactProperties(contact: CrmContact): Record<string, string> {
  return defined({
    email: contact.email,
    firstname: contact.firstName,
    hs_language: contact.preferredLocale,
    country: contact.country,
    lifecyclestage: contact.lifecycleStage,
    clinicbridge_lead_source: contact.leadSource,
    clinicbridge_marketing_consent: String(contact.marketingConsent),
    [HUBSPOT_REF_PROPERTY]: contact.externalRef,
    clinicbridge_updated_at: contact.updatedAt,
  });
}

/**
 * Lead → HubSpot lead properties.
 *
 * @example
 * leadProperties(lead); // { hs_lead_name, clinicbridge_ref, clinicbridge_contact_email, … }
 */
export function leadProperties(lead: CrmLead): Record<string, string> {
  return defined({
    hs_lead_name: lead.name,
    clinicbridge_contact_email: lead.contactEmail,
    clinicbridge_lead_source: lead.source,
    [HUBSPOT_REF_PROPERTY]: lead.externalRef,
    clinicbridge_updated_at: lead.updatedAt,
  });
}

/**
 * Deal → HubSpot deal properties; the amount as HubSpot's decimal string.
 *
 * @example
 * dealProperties(deal, (stage) => stage); // { dealname, dealstage, amount?, deal_currency_code?, … }
 */
export function dealProperties(
  deal: CrmDeal,
  stageId: (stage: CaseStage) => string,
): Record<string, string> {
  return defined({
    dealname: deal.name,
    dealstage: stageId(deal.stage),
    amount: deal.amount ? fromMinorUnits(deal.amount.amountMinor, deal.amount.currency) : undefined,
    deal_currency_code: deal.amount?.currency,
    clinicbridge_contact_email: deal.contactEmail,
    [HUBSPOT_REF_PROPERTY]: deal.externalRef,
    clinicbridge_updated_at: deal.updatedAt,
  });
}
