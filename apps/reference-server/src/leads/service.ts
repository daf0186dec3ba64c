/**
 * Reading leads: one by id, or a page oldest first filtered by source and
 * campaign. Rows are opened with the database's key ring; the personal
 * fields (name, phone, email, notes) are in the response only when the
 * caller holds `read:patients:pii`, the scope that guards patients' too.
 * A lead's marketing consent is recorded here (audited); given, the lead
 * is queued for the CRM (src/crm).
 */
import { auditActions, type Lead } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { queueConsentForCrm } from '../crm/queue.ts';
import { keyRingOf } from '../crypto/keys.ts';
import type { DB } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { type LeadRecord, openLead } from './pii.ts';

/**
 * The public view of a lead; personal fields only when `withPii`.
 *
 * @example
 * toLead(record, hasScope(auth.scopes, 'read:patients:pii'));
 */
export function toLead(row: LeadRecord, withPii: boolean): Lead {
  const base: Lead = {
    id: row.id as `lea_${string}`,
    source: row.source,
    campaign: row.campaign,
    agentRef: row.agent_ref,
    countryCode: row.country_code,
    marketingConsent: row.marketing_consent,
    createdAt: row.created_at.toISOString(),
  };
  if (!withPii) return base;
  return { ...base, name: row.name, phone: row.phone, email: row.email, notes: row.notes };
}

/**
 * A lead of the tenant, or 404.
 *
 * @example
 * const lead = await getLead(db, tenantId, 'lea_…', false);
 */
export async function getLead(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  withPii: boolean,
): Promise<Lead> {
  return toLead(openLead(keyRingOf(db), await requireOwned(db, 'leads', tenantId, id)), withPii);
}

/**
 * The tenant's leads, oldest first, optionally by source and campaign.
 *
 * @example
 * await listLeads(db, tenantId, { campaign: 'spring' }, false);
 */
export function listLeads(
  db: Kysely<DB>,
  tenantId: string,
  query: {
    limit?: number | undefined;
    cursor?: string | undefined;
    source?: string | undefined;
    campaign?: string | undefined;
  },
  withPii: boolean,
) {
  const ring = keyRingOf(db);
  return listPage(
    db,
    'leads',
    tenantId,
    query,
    [
      query.source !== undefined && ['source', '=', query.source],
      query.campaign !== undefined && ['campaign', '=', query.campaign],
    ],
    (row) => toLead(openLead(ring, row), withPii),
  );
}

/**
 * Records whether a lead agrees to marketing; a change queues the lead for
 * the CRM. Audited with the new value only.
 *
 * @example
 * await setLeadMarketingConsent(trx, change, 'lea_…', true, false);
 */
export async function setLeadMarketingConsent(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  marketing: boolean,
  withPii: boolean,
): Promise<Lead> {
  const row = await requireOwned(db, 'leads', change.tenantId, id, { lock: true });
  if (row.marketing_consent !== marketing) {
    await db
      .updateTable('leads')
      .set({ marketing_consent: marketing, marketing_consent_at: change.now })
      .where('tenant_id', '=', change.tenantId)
      .where('id', '=', id)
      .execute();
    await auditChange(db, change, auditActions['leads.setMarketingConsent'], 'lead', id, {
      marketingConsent: marketing,
      via: 'api',
    });
    // Given: the lead is synced; withdrawn: a contact synced before learns it.
    await queueConsentForCrm(db, change.tenantId, 'lead', [id], change.now);
  }
  const updated =
    row.marketing_consent === marketing
      ? row
      : { ...row, marketing_consent: marketing, marketing_consent_at: change.now };
  return toLead(openLead(keyRingOf(db), updated), withPii);
}
