/**
 * Leads from agents and campaigns, written by `leads` imports and read here
 * with their attribution. Like patients, a lead's name, phone, email and
 * notes come back only to callers holding `read:patients:pii`; without it
 * a lead is its id, its attribution and its dates. A lead's marketing
 * consent (from its import, or set here) decides whether it may reach a CRM.
 */
import * as z from 'zod/mini';
import { listQuery, page, text, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * A lead. Personal fields are present only for callers with `read:patients:pii`.
 *
 * @example
 * const { source, campaign } = lead.parse(await res.json());
 */
export const lead = z.object({
  id: idSchema('lea'),
  source: z.string(),
  campaign: z.nullable(z.string()),
  agentRef: z.nullable(z.string()),
  countryCode: z.nullable(z.string()),
  /** Whether the lead agreed to marketing: only then is it synced to a CRM. */
  marketingConsent: z.boolean(),
  createdAt: timestamp,
  name: z.optional(z.nullable(z.string())),
  /** E.164. */
  phone: z.optional(z.nullable(z.string())),
  /** Lower-cased. */
  email: z.optional(z.nullable(z.string())),
  notes: z.optional(z.nullable(z.string())),
});

/**
 * The fields only `read:patients:pii` may see.
 *
 * @example
 * leadPiiFields.includes('email'); // true
 */
export const leadPiiFields = ['name', 'phone', 'email', 'notes'] as const;

/**
 * Get a lead (`leads.get`).
 *
 * @example
 * await client.request(leadsGet, ...args); // same arguments as client.leads.get
 */
export const leadsGet = defineOperation({
  id: 'leads.get',
  method: 'GET',
  path: '/api/v1/leads/{leadId}',
  summary: 'Get a lead',
  scope: 'read:imports',
  write: false,
  status: 200,
  params: z.strictObject({ leadId: idSchema('lea') }),
  response: lead,
});

/**
 * List leads, oldest first, optionally by source and campaign (`leads.list`).
 *
 * @example
 * await client.request(leadsList, ...args); // same arguments as client.leads.list
 */
export const leadsList = defineOperation({
  id: 'leads.list',
  method: 'GET',
  path: '/api/v1/leads',
  summary: 'List leads',
  scope: 'read:imports',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ source: z.optional(text(100)), campaign: z.optional(text(200)) }),
  response: page(lead),
});

/**
 * Record whether a lead agrees to marketing (`leads.setMarketingConsent`);
 * given, the lead is synced to the configured CRM. Audited.
 *
 * @example
 * await client.request(leadsSetMarketingConsent, ...args); // same arguments as client.leads.setMarketingConsent
 */
export const leadsSetMarketingConsent = defineOperation({
  id: 'leads.setMarketingConsent',
  method: 'POST',
  path: '/api/v1/leads/{leadId}/marketing-consent',
  summary: "Record a lead's marketing consent",
  scope: 'write:imports',
  write: true,
  status: 200,
  params: z.strictObject({ leadId: idSchema('lea') }),
  body: z.strictObject({ marketing: z.boolean() }),
  response: lead,
});

/**
 * Operations on leads.
 *
 * @example
 * leadOperations.list.path; // '/api/v1/leads'
 */
export const leadOperations = {
  get: leadsGet,
  list: leadsList,
  setMarketingConsent: leadsSetMarketingConsent,
} as const;
