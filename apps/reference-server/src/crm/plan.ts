/**
 * What one queued CRM record becomes: the `CrmSync` writes it calls for,
 * built at send time from the record's allow-listed fields and the
 * person's current row. A contact is written only for a person who gave
 * marketing consent (a patient's `consent.marketing`, a lead's
 * `marketing_consent`), and carries only the port's marketing fields:
 * email, first name, language, country, lifecycle stage, lead source.
 * Deals carry a neutral label, never an invoice line (it can name a
 * treatment).
 *
 * The platform's change time of a write (what last-writer-wins compares
 * with the CRM's last edit) is the later of the record's event and the
 * person's last update: a marketer's edit made after both is kept.
 *
 * - any record naming a patient → the patient's contact (a patient's
 *   consent change is queued as such a record by the patients service);
 * - `invoice.created` → the deal, with the invoice total;
 * - `payment.received` that settles the invoice → the same deal;
 * - a lead's consent given → the lead's contact and the CRM lead;
 * - consent withdrawn → `marketingConsent: false` (email and reference only)
 *   to a contact synced before, else nothing.
 *
 * Stages are read from the current rows, not from the event: a deal is
 * `booked` once its invoice is paid, else `quoted`; a contact is a
 * `customer` once one of its invoices is paid or a booking is confirmed,
 * an `opportunity` once it has an invoice. So an older record sent after a
 * newer one (both queued before the job ran) still sends the current stage.
 * HubSpot's last-modified time includes the platform's own writes, so such
 * an older record is `kept`; nothing is lost, since the write before it
 * already carried the rows as they were when it was sent.
 */
import type { CrmContact, CrmDeal, CrmLead } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import { keyRingOf } from '../crypto/keys.ts';
import type { DB, Row } from '../db/schema.ts';
import { openLead } from '../leads/pii.ts';
import { openPatientIn } from '../patients/pii.ts';

type Lifecycle = NonNullable<CrmContact['lifecycleStage']>;

/**
 * One write a record calls for. `subjectType`/`subjectRef` say whose it is
 * (for the audit row and the link kept for the CRM's webhooks).
 *
 * @example
 * const write: CrmWrite = { kind: 'contact', subjectType: 'patient', subjectRef: 'pat_1', input: contact };
 */
export type CrmWrite =
  | { kind: 'contact'; subjectType: 'patient' | 'lead'; subjectRef: string; input: CrmContact }
  | { kind: 'lead'; subjectType: 'lead'; subjectRef: string; input: CrmLead }
  | { kind: 'deal'; subjectType: 'invoice'; subjectRef: string; input: CrmDeal };

/**
 * The writes of a record, or why there are none.
 *
 * @example
 * const plan: CrmPlan = { writes: [], skipped: 'no marketing consent' };
 */
export type CrmPlan = { writes: CrmWrite[]; skipped?: undefined } | { writes: []; skipped: string };

/** A queued record as the job claims it. */
export interface CrmRecord {
  tenant_id: string;
  entity_type: string;
  entity_id: string;
  fields: Record<string, unknown>;
}

// The port's own checks, so a value it would refuse is left out rather than failing the write.
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const COUNTRY = /^[A-Z]{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const iso = (at: Date | string | number) => new Date(at).toISOString();
const later = (a: Date | string, b: Date | string) =>
  iso(Math.max(new Date(a).getTime(), new Date(b).getTime()));
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

const usableEmail = (email: string | null | undefined) =>
  email && email.length <= 254 && EMAIL.test(email) ? email : undefined;

/**
 * A person without marketing consent: nothing, unless a contact was synced
 * for them before — then it learns the withdrawal (email, reference and
 * consent only).
 */
async function withdrawn(
  db: Kysely<DB>,
  tenantId: string,
  row: Row<'patients'> | Row<'leads'>,
  queuedAt: Date,
): Promise<CrmContact | string> {
  const link = await db
    .selectFrom('crm_links')
    .select('crm_record_id')
    .where('tenant_id', '=', tenantId)
    .where('object_type', '=', 'contacts')
    .where('subject_ref', '=', row.id)
    .executeTakeFirst();
  if (!link) return 'no marketing consent';
  const email = usableEmail(
    'consent_marketing' in row ? openPatientIn(db, row).email : openLead(keyRingOf(db), row).email,
  );
  if (!email) return 'no marketing consent';
  const changedAt =
    'consent_marketing' in row ? row.updated_at : (row.marketing_consent_at ?? row.created_at);
  return {
    externalRef: row.id,
    email,
    marketingConsent: false,
    updatedAt: later(changedAt, queuedAt),
  };
}

async function patientContact(
  db: Kysely<DB>,
  tenantId: string,
  patientId: string,
  lifecycleStage: Lifecycle | undefined,
  queuedAt: Date,
): Promise<CrmContact | string> {
  const row = await db
    .selectFrom('patients')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', patientId)
    .executeTakeFirst();
  if (!row) return 'the patient no longer exists';
  if (!row.consent_marketing) return withdrawn(db, tenantId, row, queuedAt);
  const patient = openPatientIn(db, row);
  const email = usableEmail(patient.email);
  if (!email) return 'no email address';
  const contact: CrmContact = {
    externalRef: patient.id,
    email,
    marketingConsent: true,
    updatedAt: later(patient.updated_at, queuedAt),
  };
  const firstName = patient.given_name?.trim().slice(0, 100);
  if (firstName) contact.firstName = firstName;
  if (LOCALE.test(patient.preferred_language)) contact.preferredLocale = patient.preferred_language;
  if (patient.country_code && COUNTRY.test(patient.country_code))
    contact.country = patient.country_code;
  if (lifecycleStage) contact.lifecycleStage = lifecycleStage;
  return contact;
}

/** The furthest lifecycle stage a patient's invoices show. */
async function lifecycleOf(
  db: Kysely<DB>,
  tenantId: string,
  patientId: string,
): Promise<Lifecycle | undefined> {
  const invoices = await db
    .selectFrom('invoices')
    .select('status')
    .where('tenant_id', '=', tenantId)
    .where('patient_id', '=', patientId)
    .where('status', '!=', 'void')
    .limit(100)
    .execute();
  if (invoices.some((invoice) => invoice.status === 'paid')) return 'customer';
  return invoices.length > 0 ? 'opportunity' : undefined;
}

async function invoiceDeal(
  db: Kysely<DB>,
  tenantId: string,
  invoiceId: string,
  updatedAt: string,
): Promise<{ patientId: string; deal: Omit<CrmDeal, 'contactEmail'> } | undefined> {
  const invoice = await db
    .selectFrom('invoices')
    .select(['id', 'patient_id', 'total', 'currency', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', invoiceId)
    .executeTakeFirst();
  if (!invoice) return undefined;
  return {
    patientId: invoice.patient_id,
    deal: {
      externalRef: invoice.id,
      name: `Package ${invoice.id}`,
      stage: invoice.status === 'paid' ? 'booked' : 'quoted',
      amount: { amountMinor: Number(invoice.total), currency: invoice.currency },
      updatedAt,
    },
  };
}

async function leadWrites(
  db: Kysely<DB>,
  tenantId: string,
  leadId: string,
  queuedAt: Date,
): Promise<CrmPlan> {
  const row = await db
    .selectFrom('leads')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', leadId)
    .executeTakeFirst();
  if (!row) return { writes: [], skipped: 'the lead no longer exists' };
  if (!row.marketing_consent) {
    const contact = await withdrawn(db, tenantId, row, queuedAt);
    return typeof contact === 'string'
      ? { writes: [], skipped: contact }
      : { writes: [{ kind: 'contact', subjectType: 'lead', subjectRef: row.id, input: contact }] };
  }
  const lead = openLead(keyRingOf(db), row);
  const email = usableEmail(lead.email);
  if (!email) return { writes: [], skipped: 'no email address' };
  const updatedAt = later(row.marketing_consent_at ?? row.created_at, queuedAt);
  const contact: CrmContact = {
    externalRef: lead.id,
    email,
    marketingConsent: true,
    lifecycleStage: 'lead',
    leadSource: lead.source.slice(0, 100),
    updatedAt,
  };
  if (lead.country_code && COUNTRY.test(lead.country_code)) contact.country = lead.country_code;
  return {
    writes: [
      { kind: 'contact', subjectType: 'lead', subjectRef: lead.id, input: contact },
      {
        kind: 'lead',
        subjectType: 'lead',
        subjectRef: lead.id,
        input: {
          externalRef: lead.id,
          contactEmail: email,
          name: `Lead ${lead.id}`,
          source: lead.source.slice(0, 100),
          updatedAt,
        },
      },
    ],
  };
}

/**
 * The writes a queued record calls for, read in `db`.
 *
 * @example
 * const plan = await planCrmWrites(db, row, new Date(row.created_at));
 */
export async function planCrmWrites(
  db: Kysely<DB>,
  record: CrmRecord,
  queuedAt: Date,
): Promise<CrmPlan> {
  if (record.entity_type === 'lead')
    return leadWrites(db, record.tenant_id, record.entity_id, queuedAt);
  const fields = record.fields;
  const type = text(fields.eventType);
  const at = iso(queuedAt);
  let patientId = text(fields.patientId);
  let deal: Omit<CrmDeal, 'contactEmail'> | undefined;
  if (type === 'invoice.created' || type === 'payment.received') {
    const balance = (fields.invoiceBalance as { amount?: unknown } | undefined)?.amount;
    const invoiceId = text(fields.invoiceId);
    // A part payment changes nothing marketing sees; the payment that settles it books the deal.
    if (type === 'payment.received' && balance !== 0)
      return { writes: [], skipped: 'the invoice is not settled yet' };
    const found = invoiceId ? await invoiceDeal(db, record.tenant_id, invoiceId, at) : undefined;
    if (!found) return { writes: [], skipped: 'the invoice no longer exists' };
    patientId ??= found.patientId;
    deal = found.deal;
  }
  if (!patientId) return { writes: [], skipped: 'the record names no person' };
  const lifecycle =
    type === 'booking.confirmed' ? 'customer' : await lifecycleOf(db, record.tenant_id, patientId);
  const contact = await patientContact(db, record.tenant_id, patientId, lifecycle, queuedAt);
  if (typeof contact === 'string') return { writes: [], skipped: contact };
  const writes: CrmWrite[] = [
    { kind: 'contact', subjectType: 'patient', subjectRef: patientId, input: contact },
  ];
  // A person who withdrew consent gets no more deals.
  if (deal && contact.marketingConsent)
    writes.push({
      kind: 'deal',
      subjectType: 'invoice',
      subjectRef: deal.externalRef,
      input: { ...deal, contactEmail: contact.email },
    });
  return { writes };
}
