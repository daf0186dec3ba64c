/**
 * The `CrmSync` port: the marketing side of a patient's journey mirrored into
 * a CRM (contacts, leads, deals, case stages) and attribution read back.
 * Only non-clinical marketing fields may leave the platform: every input is a
 * strict object, so a field outside the allow-list (a diagnosis, a
 * procedure, a phone number) is `invalid_request` before any call. Writes
 * follow last-writer-wins on `updatedAt`, and the result says which side won
 * so the caller can audit it.
 */
import { z } from 'zod';
import { type CallMetaSchema, MoneySchema, ReferenceSchema } from './common.ts';

const Timestamp = z.iso.datetime({ offset: true });

/**
 * Stages of a medical-travel case as marketing sees them.
 *
 * @example
 * CaseStageSchema.parse('quoted');
 */
export const CaseStageSchema = z.enum([
  'inquiry',
  'quoted',
  'booked',
  'travelling',
  'treated',
  'follow_up',
  'closed_lost',
]);

/** @example const stage: CaseStage = 'booked'; */
export type CaseStage = z.infer<typeof CaseStageSchema>;

/**
 * A contact: the complete allow-list of what may be sent to a CRM.
 *
 * @example
 * CrmContactSchema.parse({
 *   externalRef: 'pat_1', email: 'a@example.com', marketingConsent: true,
 *   updatedAt: '2026-12-02T10:00:00Z',
 * });
 */
export const CrmContactSchema = z.strictObject({
  externalRef: ReferenceSchema,
  email: z.email().max(254),
  firstName: z.string().min(1).max(100).optional(),
  /** BCP 47 language the patient prefers for marketing. */
  preferredLocale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
    .optional(),
  /** ISO 3166-1 alpha-2 country of residence. */
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  lifecycleStage: z.enum(['subscriber', 'lead', 'opportunity', 'customer']).optional(),
  leadSource: z.string().min(1).max(100).optional(),
  marketingConsent: z.boolean(),
  /** When the platform's copy last changed; decides conflicts. */
  updatedAt: Timestamp,
});

/** @example const contact: CrmContact = { externalRef: 'pat_1', email: 'a@example.com', marketingConsent: false, updatedAt: '2026-12-02T10:00:00Z' }; */
export type CrmContact = z.infer<typeof CrmContactSchema>;

/**
 * The field names a contact may carry; anything else is refused.
 *
 * @example
 * CRM_CONTACT_FIELDS.includes('email'); // true
 */
export const CRM_CONTACT_FIELDS = Object.keys(CrmContactSchema.shape) as ReadonlyArray<
  keyof CrmContact
>;

/**
 * A lead: interest not yet quoted.
 *
 * @example
 * CrmLeadSchema.parse({ externalRef: 'inq_1', contactEmail: 'a@example.com', name: 'Hair transplant inquiry', updatedAt: '2026-12-02T10:00:00Z' });
 */
export const CrmLeadSchema = z.strictObject({
  externalRef: ReferenceSchema,
  contactEmail: z.email().max(254),
  /** A marketing label ("Dental package inquiry"), never a diagnosis. */
  name: z.string().min(1).max(200),
  source: z.string().min(1).max(100).optional(),
  updatedAt: Timestamp,
});

/** @example const lead: CrmLead = { externalRef: 'inq_1', contactEmail: 'a@example.com', name: 'Inquiry', updatedAt: '2026-12-02T10:00:00Z' }; */
export type CrmLead = z.infer<typeof CrmLeadSchema>;

/**
 * A deal: a quoted or booked package.
 *
 * @example
 * CrmDealSchema.parse({ externalRef: 'case_1', contactEmail: 'a@example.com', name: 'Dental package', stage: 'quoted', amount: { amountMinor: 250000, currency: 'EUR' }, updatedAt: '2026-12-02T10:00:00Z' });
 */
export const CrmDealSchema = z.strictObject({
  externalRef: ReferenceSchema,
  contactEmail: z.email().max(254),
  name: z.string().min(1).max(200),
  stage: CaseStageSchema,
  amount: MoneySchema.optional(),
  updatedAt: Timestamp,
});

/** @example const deal: CrmDeal = { externalRef: 'case_1', contactEmail: 'a@example.com', name: 'Dental', stage: 'quoted', updatedAt: '2026-12-02T10:00:00Z' }; */
export type CrmDeal = z.infer<typeof CrmDealSchema>;

/**
 * A case moved to another stage.
 *
 * @example
 * CaseStageChangeSchema.parse({ externalRef: 'case_1', stage: 'booked', changedAt: '2026-12-02T11:00:00Z' });
 */
export const CaseStageChangeSchema = z.strictObject({
  externalRef: ReferenceSchema,
  stage: CaseStageSchema,
  changedAt: Timestamp,
});

/** @example const change: CaseStageChange = { externalRef: 'case_1', stage: 'booked', changedAt: '2026-12-02T11:00:00Z' }; */
export type CaseStageChange = z.infer<typeof CaseStageChangeSchema>;

/**
 * How a contact found the platform, as the CRM tracked it.
 *
 * @example
 * const seen: CrmAttribution = { found: true, source: 'PAID_SEARCH', sourceDetail: 'google', firstSeenAt: '2026-11-01T09:00:00Z' };
 */
export const CrmAttributionSchema = z.object({
  found: z.boolean(),
  source: z.string().optional(),
  sourceDetail: z.string().optional(),
  campaign: z.string().optional(),
  firstSeenAt: z.string().optional(),
});

/** @example const a: CrmAttribution = { found: false }; */
export type CrmAttribution = z.infer<typeof CrmAttributionSchema>;

/**
 * Outcome of a write. `applied`: the platform's copy was newer (or the
 * record new) and was written. `kept`: the CRM's copy changed later, so it
 * was left alone. `manual`: the CRM was unavailable; a task was recorded.
 *
 * @example
 * if (result.status === 'kept') audit('crm kept its newer copy', result.crmUpdatedAt);
 */
export type CrmWriteResult =
  | { status: 'applied'; winner: 'platform'; recordId: string; crmUpdatedAt?: string }
  | { status: 'kept'; winner: 'crm'; recordId: string; crmUpdatedAt: string }
  | { status: 'manual'; manualTaskId: string };

/**
 * Which side wins under last-writer-wins: the platform on ties (it is the
 * system of record for what it sends).
 *
 * @example
 * lastWriterWins('2026-12-02T10:00:00Z', '2026-12-02T09:00:00Z'); // 'platform'
 */
export function lastWriterWins(platformUpdatedAt: string, crmUpdatedAt: string | undefined) {
  if (crmUpdatedAt === undefined) return 'platform' as const;
  return Date.parse(platformUpdatedAt) >= Date.parse(crmUpdatedAt)
    ? ('platform' as const)
    : ('crm' as const);
}

/**
 * Per-call options of every `CrmSync` write.
 *
 * @example
 * const meta: CrmCallMeta = { correlationId: 'req_1' };
 */
export type CrmCallMeta = z.infer<typeof CallMetaSchema>;

/**
 * A CRM the platform mirrors marketing data into.
 *
 * @example
 * const result = await crm.upsertContact({ externalRef: 'pat_1', email: 'a@example.com', marketingConsent: true, updatedAt });
 */
export interface CrmSync {
  readonly provider: string;
  upsertContact(contact: CrmContact, meta?: CrmCallMeta): Promise<CrmWriteResult>;
  upsertLead(lead: CrmLead, meta?: CrmCallMeta): Promise<CrmWriteResult>;
  upsertDeal(deal: CrmDeal, meta?: CrmCallMeta): Promise<CrmWriteResult>;
  recordStageChange(change: CaseStageChange, meta?: CrmCallMeta): Promise<CrmWriteResult>;
  readAttribution(input: { email: string }): Promise<CrmAttribution>;
}
