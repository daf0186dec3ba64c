/**
 * The `leads` and `settlement_lines` import kinds: their columns and row
 * schemas. A lead is attributed (source, campaign, agent) and de-duplicated
 * on its E.164 phone and its lower-cased email, against earlier rows of the
 * same file and against the leads already stored (unique blind indexes, and
 * the plaintext columns of leads stored before encryption); a `marketingConsent`
 * column records the lead's consent to marketing (audited); its name,
 * phone, email and notes are stored encrypted (src/leads/pii.ts).
 * Settlement lines are stored as they come, once per settlement and line
 * reference. Both are written in batches by ./batch/write-leads.ts and
 * ./batch/write-settlements.ts; reconciling settlement lines is not this
 * module's job.
 */
import * as z from 'zod';
import type { Column } from './row-kind.ts';

/**
 * Columns of a `leads` file.
 *
 * @example
 * leadColumns.filter((c) => c.personal).map((c) => c.name); // ['name', 'phone', 'email']
 */
export const leadColumns: readonly Column[] = [
  { name: 'name', aliases: ['full_name', 'fullname', 'lead_name'], personal: true },
  { name: 'phone', aliases: ['phone_number', 'mobile', 'telephone', 'msisdn'], personal: true },
  { name: 'email', aliases: ['email_address', 'e_mail'], personal: true },
  { name: 'source', aliases: ['channel', 'utm_source', 'lead_source'], required: true },
  { name: 'campaign', aliases: ['campaign_name', 'utm_campaign'] },
  { name: 'agentRef', aliases: ['agent_ref', 'agent', 'agent_id'] },
  { name: 'countryCode', aliases: ['country_code', 'country'] },
  { name: 'notes', aliases: ['note', 'comments'], personal: true },
  {
    name: 'marketingConsent',
    aliases: ['marketing_consent', 'consent_marketing', 'marketing_opt_in'],
    boolean: true,
  },
  { name: 'createdAt', aliases: ['created_at', 'created', 'lead_date', 'date'] },
];

/**
 * Columns of a `settlement_lines` file.
 *
 * @example
 * settlementLineColumns.map((c) => c.name).includes('amount'); // true
 */
export const settlementLineColumns: readonly Column[] = [
  {
    name: 'settlementRef',
    aliases: ['settlement_ref', 'settlement_id', 'payout_id', 'batch'],
    required: true,
  },
  {
    name: 'lineRef',
    aliases: ['line_ref', 'line_id', 'transaction_id', 'transaction_ref'],
    required: true,
  },
  {
    name: 'occurredAt',
    aliases: ['occurred_at', 'date', 'transaction_date', 'booked_at'],
    required: true,
  },
  { name: 'type', aliases: ['line_type', 'kind'] },
  { name: 'amount', aliases: ['gross', 'gross_amount'], required: true },
  { name: 'fee', aliases: ['fees', 'fee_amount'] },
  { name: 'currency', aliases: ['currency_code', 'ccy'], required: true },
  { name: 'paymentRef', aliases: ['payment_ref', 'payment_id', 'reference'] },
  { name: 'description', aliases: ['memo', 'details'] },
];

/**
 * Schema of a `leads` row: a phone or an email is required.
 *
 * @example
 * leadSchema.parse({ phone: '+90 532 123 45 67', source: 'agent' });
 */
export const leadSchema = z
  .strictObject({
    name: z.optional(z.string().max(200)),
    phone: z.optional(z.string().max(40)),
    email: z.optional(z.email().max(254)),
    source: z.string().min(1).max(100),
    campaign: z.optional(z.string().max(200)),
    agentRef: z.optional(z.string().max(100)),
    countryCode: z.optional(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')),
    notes: z.optional(z.string().max(1000)),
    /** Whether the lead agreed to marketing: only then may it reach a CRM (src/crm). */
    marketingConsent: z.optional(z.boolean()),
    /** When the lead came in at its source (an XLSX date cell reads as one); the import's time when absent. */
    createdAt: z.optional(
      z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
        error: 'must be a date (YYYY-MM-DD) or an ISO 8601 timestamp',
      }),
    ),
  })
  .refine((row) => row.phone !== undefined || row.email !== undefined, {
    message: 'a lead needs a phone or an email',
    path: ['phone'],
  });

/**
 * Schema of a `settlement_lines` row (amounts are read with the currency when applied).
 *
 * @example
 * settlementLineSchema.parse({ settlementRef: 'po_1', lineRef: 'tx_1', occurredAt: '2026-11-02', amount: '-12.50', currency: 'EUR' });
 */
export const settlementLineSchema = z.strictObject({
  settlementRef: z.string().min(1).max(100),
  lineRef: z.string().min(1).max(100),
  occurredAt: z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: 'must be a date (YYYY-MM-DD) or an ISO 8601 timestamp',
  }),
  type: z.optional(z.string().max(50)),
  amount: z.string().max(32),
  fee: z.optional(z.string().max(32)),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  paymentRef: z.optional(z.string().max(100)),
  description: z.optional(z.string().max(500)),
});
